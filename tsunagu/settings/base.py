"""Settings shared by every environment.

Everything that differs between machines comes from the environment:

- ``DJANGO_SECRET_KEY``: secret key (a fixed development key is used when unset in local mode)
- ``DJANGO_ALLOWED_HOSTS``: comma-separated host names
- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1:5432/tsunagu``; SQLite when unset
- ``TSUNAGU_DATA_DIR``: folder for the SQLite database and uploads (default ``./data``)
- ``TSUNAGU_SQLITE_PATH``: full path of the SQLite database file (overrides the data folder)
- ``TSUNAGU_DB_PREPARED``: ``0`` to send PostgreSQL every query as text again (no server-side
  parameters, no prepared statements), e.g. behind a pooler that cannot keep them
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from tsunagu.settings import directory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "tsunagu"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("TSUNAGU_DATA_DIR", BASE_DIR / "data"))
SQLITE_PATH = Path(os.environ.get("TSUNAGU_SQLITE_PATH", DATA_DIR / "tsunagu.sqlite3"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tsunagu.accounts",
    "tsunagu.audit",
    "tsunagu.dashboard",
    "tsunagu.guide",
    "tsunagu.common",
    "tsunagu.resources",
    "tsunagu.people",
    "tsunagu.consultations",
    "tsunagu.cases",
    "tsunagu.grants",
    "tsunagu.meetings",
    "tsunagu.outreach",
    "tsunagu.participation",
    "tsunagu.community",
    "tsunagu.reports",
    "tsunagu.linkage",
    "tsunagu.demo",
    "tsunagu.operations",
    "tsunagu.api",
    "tsunagu.accounts.admin_site.TsunaguAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rules",
    "django_tasks",
    "django_tasks_db",
    "axes",  # sign-in lockout (see "Sign-in security" below)
    "csp",
    "django_otp",  # second factor (TOTP) for the office and administrators
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tsunagu.accounts.security.PageCSPMiddleware",  # Content-Security-Policy (see below)
    "tsunagu.audit.context.RequestOriginMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tsunagu.accounts.security.NoStoreMiddleware",  # personal data is never cached
    "tsunagu.accounts.middleware.ActingMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagu.accounts.security.IdleTimeoutMiddleware",  # signs out an idle browser
    "tsunagu.accounts.security.SecondFactorMiddleware",  # TSUNAGU_REQUIRE_2FA
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a lockout (see "Sign-in security"); stays last
]

ROOT_URLCONF = "tsunagu.urls"
WSGI_APPLICATION = "tsunagu.wsgi.application"
ASGI_APPLICATION = "tsunagu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagu.accounts.context_processors.navigation",
            ],
            "builtins": [
                "tsunagu.common.templatetags.wareki",
                "tsunagu.common.templatetags.layout",
                "tsunagu.common.templatetags.links",  # {% url %} with cached shapes
            ],
        },
    },
]


def database_config() -> dict:
    """PostgreSQL when ``DATABASE_URL`` is set, otherwise the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if env_bool("TSUNAGU_DB_PREPARED", True):
            # The parameters travel apart from the query, and a query a connection has sent
            # twice is prepared: PostgreSQL soon keeps a plan for it instead of planning it at
            # every page (tsunagu/common/database.py). Planning the joins of a case page's
            # queries took 12.7 ms of its 15 ms in the database (bench/profile_page.py --plans).
            config.setdefault("OPTIONS", {}).update(
                {"server_side_binding": True, "prepare_threshold": 2}
            )
        config.setdefault("TEST", {})
        # Japanese search needs a UTF-8 database (pg_trgm with a UTF-8 LC_CTYPE).
        config["TEST"].update({"CHARSET": "UTF8", "TEMPLATE": "template0"})
        return config
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return sqlite_config(SQLITE_PATH)


def sqlite_config(path) -> dict:
    """The embedded SQLite database at ``path``, set up for a small office's concurrent use."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock
            # at BEGIN so two writers never deadlock on a lock upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_config()}

# Long work (a CSV import) runs as a background job: the job is a row in the database, written
# in the same transaction as the change that asks for it, and `manage.py db_worker` (systemd,
# or beside `make demo`) runs it in committed chunks with a heartbeat.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Signing in with the city's directory (庁内アカウント, OIDC or LDAP/Active Directory) is off until
# its TSUNAGU_OIDC_* / TSUNAGU_LDAP_* variables are set (settings/directory.py); local accounts
# keep working beside it.
_OIDC = directory.oidc_settings(os.environ)
_LDAP = directory.ldap_settings(os.environ)
globals().update(_OIDC)
globals().update(_LDAP)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before any other
    *directory.backends(_OIDC, _LDAP),
    "rules.permissions.ObjectPermissionBackend",
    "tsunagu.accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # production serves the collected files instead
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# A request's texts (files are not counted): a form of long texts (up to 20,000 characters each)
# fits, and a pasted book still reaches its form, which refuses it in Japanese and keeps it
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "tsunagu@localhost")
# the city's mail server (with the SMTP backend); the defaults are a relay on this host
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # sign-in attempts are in the audit trail; django-axes' own notes only at warning level
    "loggers": {"axes": {"level": "WARNING"}},
}

# Seconds an audit event may stay outside the hash chain (sealed after commit and by
# `manage.py audit_seal` from cron) before `audit_verify` reports it (exit code 2)
AUDIT_SEAL_GRACE_SECONDS = int(os.environ.get("TSUNAGU_AUDIT_SEAL_GRACE_SECONDS", "300"))
# a web process seals the chain after a request at most this often (cron seals the rest)
AUDIT_SEAL_EVERY_SECONDS = float(os.environ.get("TSUNAGU_AUDIT_SEAL_EVERY_SECONDS", "2"))
# Checkpoints of the audit chain outside the database (tsunagu/audit/checkpoint.py): the
# folder (one file per database; make it append-only or collect it elsewhere; empty turns
# them off), the HMAC key (kept out of the database; default: derived from the secret key),
# and how old the newest may be before `audit_verify` reports it (exit code 2)
AUDIT_CHECKPOINT_DIR = os.environ.get(
    "TSUNAGU_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit-checkpoints")
)
AUDIT_CHECKPOINT_KEY = os.environ.get("TSUNAGU_AUDIT_CHECKPOINT_KEY", "")
AUDIT_CHECKPOINT_MAX_AGE_SECONDS = int(
    os.environ.get("TSUNAGU_AUDIT_CHECKPOINT_MAX_AGE_SECONDS", str(24 * 60 * 60))
)

# Product settings
TSUNAGU = {
    "MUNICIPALITY_NAME": os.environ.get("TSUNAGU_MUNICIPALITY_NAME", "岐阜市"),
    "DEMO_ALLOWED": env_bool("TSUNAGU_DEMO_ALLOWED", False),
    # Outside the municipal office, a statistic below this is shown as 「3未満」 (screens, API,
    # Excel) so that no figure points at a person
    "SMALL_COUNT_THRESHOLD": int(os.environ.get("TSUNAGU_SMALL_COUNT_THRESHOLD", "3")),
    # Office days (開庁日) a receiving agency has to accept or return a referral before it
    # shows as overdue (weekends, national holidays and 年末年始 are skipped)
    "REFERRAL_RESPONSE_DAYS": int(os.environ.get("TSUNAGU_REFERRAL_RESPONSE_DAYS", "3")),
    # Cadence after a plan is confirmed (as in Nagai: monitoring at 3 months, evaluation at 6)
    "MONITORING_MONTHS": int(os.environ.get("TSUNAGU_MONITORING_MONTHS", "3")),
    "EVALUATION_MONTHS": int(os.environ.get("TSUNAGU_EVALUATION_MONTHS", "6")),
    # Days before a due date from which it shows as "due soon" and a reminder is sent
    "MONITORING_NOTICE_DAYS": int(os.environ.get("TSUNAGU_MONITORING_NOTICE_DAYS", "14")),
    # アウトリーチ: days without any contact after which a record is flagged as silent
    "OUTREACH_SILENT_DAYS": int(os.environ.get("TSUNAGU_OUTREACH_SILENT_DAYS", "90")),
    # 参加支援: follow-up cadence (weekly for the first weeks, then monthly) and keeping in
    # touch after closure (つながりの維持), in months
    "PARTICIPATION_WEEKLY_FOLLOW_UP_WEEKS": int(
        os.environ.get("TSUNAGU_PARTICIPATION_WEEKLY_FOLLOW_UP_WEEKS", "4")
    ),
    "PARTICIPATION_KEEP_IN_TOUCH_MONTHS": int(
        os.environ.get("TSUNAGU_PARTICIPATION_KEEP_IN_TOUCH_MONTHS", "3")
    ),
    # `manage.py backup` writes its dated folders here unless given --output-dir
    "BACKUP_DIR": os.environ.get("TSUNAGU_BACKUP_DIR", str(DATA_DIR / "backups")),
    # 社会資源: months after its 情報確認日 that a resource is due for re-checking
    "RESOURCE_STALE_MONTHS": int(os.environ.get("TSUNAGU_RESOURCE_STALE_MONTHS", "12")),
    # 名寄せ: batch pairs at or above this match probability are merged without review;
    # unset (the default) means every pair waits for a coordinator or the program office
    "LINKAGE_AUTO_MERGE_THRESHOLD": (
        float(os.environ["TSUNAGU_LINKAGE_AUTO_MERGE_THRESHOLD"])
        if os.environ.get("TSUNAGU_LINKAGE_AUTO_MERGE_THRESHOLD")
        else None
    ),
}


# --- Sign-in security: lockout, idle sessions, Content-Security-Policy -----------------------
# Failed sign-ins (django-axes): after TSUNAGU_LOGIN_FAILURE_LIMIT failures within
# TSUNAGU_LOGIN_COOLOFF_MINUTES the account is refused (even with the right password) until
# that time has passed since the last failure, or until the program office unlocks it
# (「ログインのロック」 screen, the admin site, or `manage.py axes_reset_username NAME`).
# A user ID is counted from each address and also over all addresses together, so someone
# trying one account from ever-changing addresses still locks it. An address alone is not
# counted: a city office signs in from a few shared proxy addresses.
AXES_FAILURE_LIMIT = int(os.environ.get("TSUNAGU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TSUNAGU_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True  # a successful sign-in forgets the user's earlier typos
AXES_LOCKOUT_CALLABLE = "tsunagu.accounts.lockout.lockout_response"  # Japanese page, 429
AXES_CLIENT_IP_CALLABLE = "tsunagu.audit.services.client_ip"  # the address the audit records
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins and sign-outs are in the audit trail
AXES_ENABLE_ADMIN = False  # the admin site shows the attempts in Japanese (accounts/admin.py)
AXES_VERBOSE = False
# A sign-in through the OIDC provider is throttled by the provider itself; counting its callbacks
# here would lock every directory user behind the city's shared proxy after a few stale codes.
AXES_WHITELIST_CALLABLE = "tsunagu.accounts.sso.exempt_from_lockout"

# A signed-in browser idle for longer than this many minutes is signed out at its next
# request (0 turns the timeout off). API tokens have no session and are not affected.
SESSION_IDLE_MINUTES = int(os.environ.get("TSUNAGU_SESSION_IDLE_MINUTES", "30"))

# Second factor: with TSUNAGU_REQUIRE_2FA on, a user holding the municipal-officer or the
# system-administrator role confirms each sign-in with a code from an authenticator app
# (TOTP, set up at the first sign-in; the administrator can have it set up again).
REQUIRE_2FA = env_bool("TSUNAGU_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "tsunagu"

# Content-Security-Policy on every answer but a PDF (left to the browser's own viewer):
# scripts, styles, images, fonts and form posts only from this server, never framed. No inline
# script and no inline style: pages use classes of tsunagu.css (progress bars: the bar_width
# filter) and their own stylesheets (sheet.css, ecomap.css); scripts may still set styles
# through the DOM (Bootstrap, Chart.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": directory.form_action(_OIDC),
        "frame-ancestors": ["'none'"],
    }
}
