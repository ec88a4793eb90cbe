"""Haven settings: one module, driven by the environment (see docs/runbooks/configuration.md)."""

from __future__ import annotations

import base64
import os
import secrets
import warnings
from datetime import timedelta

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    ENVIRONMENT,
    IS_PRODUCTION,
    credential,
    flag,
    is_loopback,
    keyring,
    require_distinct_strong_keys,
    secret,
)
from haven.ops.logs import logging_config

HAVEN_ENV = ENVIRONMENT
SECRET_KEY = secret("DJANGO_SECRET_KEY")
DEBUG = flag("DJANGO_DEBUG", default=not IS_PRODUCTION)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on in production: its error pages show the code")
# Production names its hosts; development answers on this machine only, so a server reached from
# elsewhere cannot run with development's defaults by forgetting HAVEN_ENV.
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if host.strip()
]
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the server's host names in production")
if not IS_PRODUCTION and not all(is_loopback(host) for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "development serves this machine only (127.0.0.1, localhost): "
        "a server reached by another name needs HAVEN_ENV=production"
    )

# Keys of their own, never SECRET_KEY: rotating the session key must not make PINs unreadable.
# HAVEN_FIELD_KEYS is a comma-separated list of Fernet keys, newest first (MultiFernet rotation).
HAVEN_FIELD_KEYS = [
    k.strip() for k in secret("HAVEN_FIELD_KEYS", make=lambda: Fernet.generate_key().decode()).split(",")
]
HAVEN_INDEX_KEY = secret("HAVEN_INDEX_KEY")
# HAVEN_AUDIT_KEY is a versioned keyring, "2:newer,1:older" (a bare key is version 1): each audit event
# and checkpoint names the version that signed it, so the key can change and old events still verify.
HAVEN_AUDIT_KEYS = keyring(secret("HAVEN_AUDIT_KEY"))
HAVEN_AUDIT_KEY_VERSION = max(HAVEN_AUDIT_KEYS)
# HAVEN_LEDGER_KEY signs the public ledger's checkpoints (Ed25519; haven/sponsorship/signing.py): a
# versioned ring of 32-byte private keys in base64, "2:newer,1:older"; the public halves are published
# at /ledger/keys, so a checkpoint signed by an older version still verifies.
HAVEN_LEDGER_KEYS = keyring(
    secret(
        "HAVEN_LEDGER_KEY",
        make=lambda: "1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
)
HAVEN_LEDGER_KEY_VERSION = max(HAVEN_LEDGER_KEYS)
[Fernet(key) for key in HAVEN_FIELD_KEYS]  # a malformed field key stops the start, not the first save
require_distinct_strong_keys(
    DJANGO_SECRET_KEY=SECRET_KEY,
    HAVEN_INDEX_KEY=HAVEN_INDEX_KEY,
    **{f"HAVEN_AUDIT_KEY version {v}": k for v, k in HAVEN_AUDIT_KEYS.items()},
    **{f"HAVEN_LEDGER_KEY version {v}": k for v, k in HAVEN_LEDGER_KEYS.items()},
    **{f"HAVEN_FIELD_KEYS #{i + 1}": k for i, k in enumerate(HAVEN_FIELD_KEYS)},
)
# Signed checkpoints of the audit chain's head, written by `haven sweep`: keep them on another disk or
# host than the database, so that events cut from the end of the chain are detected.
HAVEN_AUDIT_CHECKPOINTS = os.environ.get(
    "HAVEN_AUDIT_CHECKPOINTS", str(BASE_DIR / "var" / "audit-checkpoints")
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    # Before django_tasks_db: its `db_worker` command, with a heartbeat, takes the place of the original.
    "haven.ops",
    "django_tasks",
    "django_tasks_db",
    "haven.core",
    "haven.areas",
    "haven.accounts",
    "haven.access",
    "haven.audit",
    "haven.people",
    "haven.deadlines",
    "haven.workflow",
    "haven.notifications",
    "haven.foundlings",
    "haven.protection",
    "haven.prevention",
    "haven.care",
    "haven.entitlements",
    "haven.complaints",
    "haven.sponsorship",
    "haven.education",
    "haven.population",
    "haven.linkage",
    "haven.reports",
    "haven.api",
    # The API documentation's Swagger UI from django-ninja's own static files, never from a CDN.
    "ninja",
]

MIDDLEWARE = [
    # First: the request id, the access log line and the metrics cover everything below;
    # then the client's address behind the reverse proxy, before anything reads it.
    "haven.ops.middleware.RequestMiddleware",
    "haven.ops.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "haven.audit.middleware.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haven.core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "haven.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any view or process_view (CSRF) reads the body.
    "haven.core.limits.RequestSizeMiddleware",
    "haven.accounts.middleware.SessionLimitsMiddleware",
    "haven.access.middleware.DenyByDefaultMiddleware",
    "haven.core.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "haven.core.context_processors.haven",
            ],
        },
    },
]

# SQLite by default (WAL, IMMEDIATE transactions, busy timeout) so `make demo` needs nothing;
# PostgreSQL when DATABASE_URL says so.
# DATABASE_URL (or DATABASE_URL_FILE, when it holds a password).
DATABASES = {
    "default": dj_database_url.parse(
        credential("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'haven.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
if test_name := os.environ.get("HAVEN_TEST_DATABASE_NAME"):
    # Two test runs on one PostgreSQL server (a developer and CI) each get their own test database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = test_name
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first: new and re-saved passwords are hashed with it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

# Lockout (haven/accounts/lockout.py): 5 wrong passwords for one account within 30 minutes lock it;
# 30 from one address, for any accounts, lock that address (password spraying). The address limit is
# higher because a commune office or a hospital may share one address. An administrator unlocks
# either at once (/accounts/locks/).
HAVEN_LOGIN_FAILURE_LIMIT = int(os.environ.get("HAVEN_LOGIN_FAILURE_LIMIT", "5"))
HAVEN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("HAVEN_ADDRESS_FAILURE_LIMIT", "30"))
HAVEN_LOCKOUT_PERIOD = timedelta(minutes=30)

# Sessions (haven/accounts/middleware.py, sessions.py): they end after 30 minutes without activity,
# and in any case 12 hours after sign-in however active (a long shift at the hotline, not a week).
SESSION_ENGINE = "haven.accounts.sessions"
HAVEN_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("HAVEN_SESSION_HOURS", "12")))
SESSION_COOKIE_AGE = int(HAVEN_SESSION_LIFETIME.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
HAVEN_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("HAVEN_IDLE_MINUTES", "30")))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Oversize requests are refused from their declared length before the body is read
# (haven/core/limits.py): 2 MB for a form or a JSON body, a 5 MB photo and its form for an upload.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# An upload within that limit is held in memory, never spooled to a temporary file on disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024  # a 5 MB photo (haven/core/uploads.py) and its form
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# HTTPS only in production: plain HTTP is redirected, and browsers are told (HSTS) never to use it
# for a year. Behind a reverse proxy that ends TLS, HAVEN_TLS_PROXY=1 trusts its X-Forwarded-Proto
# (set it only there: anyone could send that header to a server reached directly).
SECURE_SSL_REDIRECT = IS_PRODUCTION
# The load balancer's probes and Prometheus's scrape, inside the data centre.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("HAVEN_HSTS_SECONDS", "31536000")) if IS_PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
if flag("HAVEN_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The reverse proxies whose X-Forwarded-For names the client (haven/ops/middleware.py): the audit
# trail, the lockout of an address and the metrics read the client's address, not the proxy's.
HAVEN_TRUSTED_PROXIES = [
    value.strip() for value in os.environ.get("HAVEN_TRUSTED_PROXIES", "").split(",") if value.strip()
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates are entered and shown as dd/mm/yyyy in both languages (haven/core/formats).
FORMAT_MODULE_PATH = ["haven.core.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# Uploads (photos of found children) are never served as public files: the photo view checks access
# and records the view (haven/foundlings/views.py).
MEDIA_ROOT = os.environ.get("HAVEN_MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
# Photos of children are readable by the service user only; so are the folders they sit in.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
MEDIA_URL = "/media-not-served/"
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("HAVEN_STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles"))
# Production serves the files `haven collectstatic` gathered, under names that carry a hash of their
# content (cached for a year by browsers) and compressed beforehand; development and the tests serve
# the source folders as they are, with nothing to collect.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    # WhiteNoise warns that STATIC_ROOT does not exist: outside production nothing is collected there.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

OTP_TOTP_ISSUER = "Haven"

# API tokens (haven/api/auth.py): requests a minute for each token.
HAVEN_API_RATE_PER_MINUTE = int(os.environ.get("HAVEN_API_RATE_PER_MINUTE", "60"))

# Outbox adapters per channel (haven/notifications/adapters.py); e-mail goes through EMAIL_BACKEND.
HAVEN_OUTBOX_ADAPTERS = {
    "email": "haven.notifications.adapters.email",
    "sms": os.environ.get("HAVEN_SMS_ADAPTER", "haven.notifications.adapters.sms_log"),
}
# The address people type from an SMS (a carer's confirmation page, haven/sponsorship): the public
# host name, without the scheme. Default: the first of the allowed hosts.
HAVEN_SITE_ADDRESS = os.environ.get("HAVEN_SITE_ADDRESS", "").strip() or (
    ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "localhost"
)
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "haven@localhost")

# The national population register (haven/population/register.py): in-process until issue #5.
HAVEN_POPULATION_REGISTER = os.environ.get(
    "HAVEN_POPULATION_REGISTER", "haven.population.register.InProcessRegister"
)
# For haven.population.client.HttpRegister (the register service, `haven popreg serve`): the
# register's tokens for Haven (scopes lookup, register) and for the linkage job (extract), issued by
# `haven popreg client add`; HTTPS, or HTTP to 127.0.0.1 outside production
# (docs/runbooks/population-register.md).
HAVEN_POPULATION_REGISTER_HTTP = {
    "url": os.environ.get("HAVEN_POPULATION_REGISTER_URL", "http://127.0.0.1:8765"),
    "token": credential("HAVEN_POPULATION_REGISTER_TOKEN"),
    "extract_token": credential("HAVEN_POPULATION_EXTRACT_TOKEN"),
    "ca_file": os.environ.get("HAVEN_POPULATION_REGISTER_CA_FILE", ""),
    "require_https": IS_PRODUCTION,
    "timeout": float(os.environ.get("HAVEN_POPULATION_REGISTER_TIMEOUT", "3")),
    "attempts": 3,
    "backoff": 0.2,
    "breaker_failures": 5,
    "breaker_cooldown": 30.0,
}

# Demos and browser tests may move the clock (haven/core/clock.py); production never.
HAVEN_TIME_TRAVEL = flag("HAVEN_TIME_TRAVEL", default=not IS_PRODUCTION)
if IS_PRODUCTION and HAVEN_TIME_TRAVEL:
    raise ImproperlyConfigured("HAVEN_TIME_TRAVEL cannot be on in production: deadlines are the law's")

# Health, metrics and backups (haven/ops). /readyz reports "degraded" when the task worker has not
# beaten for worker_seconds, the sweep has not finished a pass (or left a step unescalated) for
# sweep_seconds, or more than outbox_depth messages are due.
HAVEN_READINESS = {
    "worker_seconds": int(os.environ.get("HAVEN_READY_WORKER_SECONDS", "120")),
    "sweep_seconds": int(os.environ.get("HAVEN_READY_SWEEP_SECONDS", "300")),
    "outbox_depth": int(os.environ.get("HAVEN_READY_OUTBOX_DEPTH", "1000")),
}
# /metrics: readable from these networks, or by whoever sends this bearer token (Prometheus).
HAVEN_METRICS_NETWORKS = [
    value.strip()
    for value in os.environ.get("HAVEN_METRICS_NETWORKS", "127.0.0.1/32,::1/128").split(",")
    if value.strip()
]
HAVEN_METRICS_TOKEN = credential("HAVEN_METRICS_TOKEN")
if HAVEN_METRICS_TOKEN and len(HAVEN_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("HAVEN_METRICS_TOKEN is too short: at least 32 characters")
# Where `haven backup` writes (docs/runbooks/backup.md): another disk, or a mounted backup volume.
HAVEN_BACKUP_DIR = os.environ.get("HAVEN_BACKUP_DIR", str(BASE_DIR / "var" / "backups"))

# One line per record on standard error (journald in production): JSON for the log collector, or
# plain text for a developer's terminal; each with the request id (haven/ops/logs.py).
HAVEN_LOG_FORMAT = os.environ.get("HAVEN_LOG_FORMAT", "json" if IS_PRODUCTION else "text")
if HAVEN_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("HAVEN_LOG_FORMAT is json or text")
LOGGING = logging_config(level=os.environ.get("HAVEN_LOG_LEVEL", "INFO"), form=HAVEN_LOG_FORMAT)
