"""Settings, read from the environment through django-environ (one helper: `env`).

With nothing set, the portal runs as a local demo: SQLite file, eager Celery tasks, console e-mail.
With DATABASE_URL / REDIS_URL set it runs as in production. `CI=true` forbids the SQLite fallback.
"""

import os
import secrets
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
CI = env.bool("CI", default=False)
# pytest (>= 8.2) sets PYTEST_VERSION: tests run with production settings but plain HTTP and static files.
TESTING = "PYTEST_VERSION" in os.environ
# A fixed key is only accepted for local demo runs and tests; production must provide SECRET_KEY.
if DEBUG or TESTING:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production-0123456789")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    # One-off commands (migrate, makemigrations, check…) may run without a key: they get a random one that
    # lives and dies with the process. Serving processes (gunicorn, runserver, Celery) must be given one.
    one_off_command = os.environ.get("PORTAIL_MANAGE_PY") == "1" and "runserver" not in sys.argv
    if not SECRET_KEY and one_off_command:
        SECRET_KEY = secrets.token_urlsafe(50)
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("SECRET_KEY doit être défini (au moins 32 caractères) hors démo et tests.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_countries",
    "phonenumber_field",
    "axes",
    "csp",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "portail",
    "centres",
    "tarifs",
    "sessions_app",
    "candidats",
    "demandes",
    "messagerie",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RejectControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "centres.middleware.CurrentCentreMiddleware",
    "axes.middleware.AxesMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "portail.urls"
WSGI_APPLICATION = "portail.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portail.context_processors.portal",
            ],
        },
    },
]

# Widgets render through the project's templates (templates/ overrides a widget, e.g. the read-only password
# of the back office, issue 19), then the apps' own and Django's (django.forms above).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: PostgreSQL through DATABASE_URL; the embedded SQLite file only outside CI.
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
elif CI:
    raise ImproperlyConfigured("CI=true: DATABASE_URL doit être défini (pas de repli sur SQLite).")
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections, checked before reuse (a connection the server or a pooler closed is replaced, not
# handed to a request that would then fail).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer), a connection belongs to a transaction only:
# no server-side cursors (they outlive it) and no prepared statements (psycopg would prepare on one server
# connection and execute on another). The portal takes no session-level lock (its row and advisory locks are
# transaction-scoped), so nothing else changes.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DATABASE_POOLER:
    raise ImproperlyConfigured("DATABASE_POOLER : seule la valeur « pgbouncer » est reconnue.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "centres.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Login throttling (django-axes): per user name and IP, so that one attacker does not lock others out.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portail.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"

# How many reverse proxies in front of the portal append to X-Forwarded-For (core.net.client_ip, used by every
# throttle: public site, API tokens, login lockout). 0: the header is ignored, the client is the TCP peer.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# A session is created at most this many years ahead (sessions_app.services.check_session_date).
SESSION_HORIZON_YEARS = env.int("SESSION_HORIZON_YEARS", default=3)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media-non-servi/"  # files are only ever served by authorising views
# Files (documents, attestations, imports, captures, attachments, EO subjects, personal-data exports): the
# filesystem by default (the demo, one machine); an S3-compatible object store when AWS_STORAGE_BUCKET_NAME is
# set, so that every web and worker process on every machine sees the same files. The bucket stays private:
# files are only ever streamed by the views that check who may see them, never linked to by their URL.
S3_BUCKET = env.str("AWS_STORAGE_BUCKET_NAME", default="")
OBJECT_STORAGE = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
        "default_acl": None,  # the bucket's own policy, which must be private
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "location": env.str("AWS_LOCATION", default=""),
    },
}
STORAGES = {
    "default": OBJECT_STORAGE if S3_BUCKET else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATICFILES_MANIFEST", default=not (DEBUG or TESTING))
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
# FDA staff enter the back office with a password and a TOTP code (django-otp); devices are added with
# `manage.py ajouter_totp <email>`. Only a local demo may turn it off (ADMIN_REQUIRE_OTP=false).
ADMIN_REQUIRE_OTP = env.bool("ADMIN_REQUIRE_OTP", default=True)
OTP_TOTP_ISSUER = "Portail centres — FDA"

# Candidates' personal data are anonymised this many years after their last session (anonymiser_candidats).
PERSONAL_DATA_RETENTION_YEARS = env.int("PERSONAL_DATA_RETENTION_YEARS", default=10)
# Test-day captures: photos and signatures (re-encoded, see core/uploads.py), oral test recordings.
MAX_CAPTURE_IMAGE_SIZE = env.int("MAX_CAPTURE_IMAGE_SIZE", default=8 * 1024 * 1024)
MAX_EO_RECORDING_SIZE = env.int("MAX_EO_RECORDING_SIZE", default=50 * 1024 * 1024)

# The Passeport API (api/): personal bearer tokens only, JSON errors with a stable code, OpenAPI schema.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handler",
    "DEFAULT_THROTTLE_RATES": {"api_token": env.str("API_TOKEN_THROTTLE", default="10/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Passeport — Portail centres",
    "DESCRIPTION": "Capture du jour du test (photo, signature, enregistrement EO) pour les centres agréés.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "FR"
COUNTRIES_FIRST = ["FR"]

# E-mail: console unless an SMTP URL is given.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portail centres <noreply@portail-centres.test>")

# Celery: Redis when REDIS_URL is set, tasks run eagerly in-process otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if CI and not REDIS_URL:
    raise ImproperlyConfigured("CI=true: REDIS_URL doit être défini.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Tests run tasks eagerly (tests/test_celery_worker.py proves the real worker path against Redis).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL or TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
# Eager tasks without a worker (the demo): long jobs run in a thread after the response (core.background).
BACKGROUND_THREADS = env.bool("BACKGROUND_THREADS", default=CELERY_TASK_ALWAYS_EAGER and not TESTING)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that dies is given again after this delay (Redis keeps it unacknowledged until then):
# longer than the longest task (an import of 5,000 rows, a session's attestations), short enough to recover.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Every 5 minutes: idempotent, catches up after downtime, correct across DST changes.
    "close-due-sessions": {"task": "candidats.tasks.close_due_sessions", "schedule": 300.0},
    # Hourly: the network's statistics (back office) are read from a summary table rebuilt here.
    "refresh-statistics": {"task": "portail.tasks.refresh_statistics", "schedule": 3600.0},
    # Daily: finished exports (they may hold personal data) are deleted after EXPORT_KEEP_DAYS.
    "purge-exports": {"task": "core.tasks.purge_exports", "schedule": 86400.0},
}
# Exports up to this many rows are answered in the request; larger ones are written by a worker (core.exports).
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=2000)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

if REDIS_URL:
    # The cache may live in its own Redis database (advised: a FLUSHDB of the broker's would drop the queued tasks).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_CACHE_URL", default=REDIS_URL),
        }
    }
if TESTING and REDIS_URL:
    # Parallel test processes (pytest-xdist) share one Redis: each keeps its keys apart (tests/cache.py).
    CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")

# Security headers (production values unless DEBUG).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
