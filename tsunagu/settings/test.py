"""Test settings: fast password hashing, in-memory e-mail."""

from .base import *  # noqa: F403
from .base import TSUNAGU

DEBUG = False
SECRET_KEY = "test-only-not-secret-tsunagu"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TSUNAGU["DEMO_ALLOWED"] = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Jobs run at once, in the request or test that asks for them (one test runs the real worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# every request seals its own events, so a test sees them sealed when the request ends
AUDIT_SEAL_EVERY_SECONDS = 0
# no checkpoint files from the test databases (the checkpoint tests turn them on in a tmp dir)
AUDIT_CHECKPOINT_DIR = None
