"""Haven settings: one module, driven by the environment (see docs/runbooks/configuration.md)."""

from __future__ import annotations

import os
from datetime import timedelta

import dj_database_url
from cryptography.fernet import Fernet
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, IS_PRODUCTION, flag, secret

SECRET_KEY = secret("DJANGO_SECRET_KEY")
DEBUG = flag("DJANGO_DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Keys of their own, never SECRET_KEY: rotating the session key must not make PINs unreadable.
# HAVEN_FIELD_KEYS is a comma-separated list of Fernet keys, newest first (MultiFernet rotation).
HAVEN_FIELD_KEYS = secret("HAVEN_FIELD_KEYS", make=lambda: Fernet.generate_key().decode()).split(",")
HAVEN_INDEX_KEY = secret("HAVEN_INDEX_KEY")
HAVEN_AUDIT_KEY = secret("HAVEN_AUDIT_KEY")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
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
    "haven.population",
    "haven.linkage",
    "haven.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "haven.audit.middleware.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "haven.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "haven.accounts.middleware.IdleTimeoutMiddleware",
    "haven.access.middleware.DenyByDefaultMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'haven.sqlite3'}",
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login protection: 5 failures per username lock the account for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("HAVEN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Not by IP: a commune office or hospital shares one address behind NAT, and one guesser must not
# lock out everyone there. Rotating IPs does not help against a per-username lock.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions: absolute lifetime of a working day, and an idle timeout (accounts.middleware).
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
HAVEN_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("HAVEN_IDLE_MINUTES", "30")))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Oversize requests are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

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
MEDIA_URL = "/media-not-served/"
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

OTP_TOTP_ISSUER = "Haven"

# Outbox adapters per channel (haven/notifications/adapters.py); e-mail goes through EMAIL_BACKEND.
HAVEN_OUTBOX_ADAPTERS = {
    "email": "haven.notifications.adapters.email",
    "sms": os.environ.get("HAVEN_SMS_ADAPTER", "haven.notifications.adapters.sms_log"),
}
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "haven@localhost")

# The national population register (haven/population/register.py): in-process until issue #5.
HAVEN_POPULATION_REGISTER = os.environ.get(
    "HAVEN_POPULATION_REGISTER", "haven.population.register.InProcessRegister"
)
# For haven.population.client.HttpRegister (the register service, `haven popreg serve`).
HAVEN_POPULATION_REGISTER_HTTP = {
    "url": os.environ.get("HAVEN_POPULATION_REGISTER_URL", "http://127.0.0.1:8765"),
    "timeout": float(os.environ.get("HAVEN_POPULATION_REGISTER_TIMEOUT", "3")),
    "attempts": 3,
    "backoff": 0.2,
    "breaker_failures": 5,
    "breaker_cooldown": 30.0,
}

# Demos and browser tests may move the clock (haven/core/clock.py); production never.
HAVEN_TIME_TRAVEL = flag("HAVEN_TIME_TRAVEL", default=not IS_PRODUCTION)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HAVEN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
