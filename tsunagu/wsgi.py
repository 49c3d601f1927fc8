"""WSGI entry point (``tsunagu.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings.production")
application = get_wsgi_application()
