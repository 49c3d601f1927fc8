"""Local development and the demo city: DEBUG on, SQLite unless ``DATABASE_URL`` is set."""

from .base import *  # noqa: F403
from .base import TSUNAGU, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret-tsunagu"  # noqa: F405
TSUNAGU["DEMO_ALLOWED"] = True
