"""Django settings, all read from the environment through :mod:`rookery.conf`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url

from rookery.conf import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent
TESTING = "pytest" in sys.modules
if TESTING:
    # pytest-django reads settings before any conftest runs, so test defaults live here:
    # background tasks run inline and nothing touches a developer's var/ directory.
    os.environ.setdefault("ROOKERY_TASKS_IMMEDIATE", "true")
    os.environ.setdefault("ROOKERY_DATA_DIR", tempfile.mkdtemp(prefix="rookery-test-"))

ROOKERY_ENV = env_str("ROOKERY_ENV")
if ROOKERY_ENV not in {"development", "production"}:
    raise ConfigurationError(f"ROOKERY_ENV must be development or production, not {ROOKERY_ENV!r}")
PRODUCTION = ROOKERY_ENV == "production"
DEBUG = env_bool("DEBUG") if os.environ.get("DEBUG") else not PRODUCTION

DATA_DIR = Path(env_str("ROOKERY_DATA_DIR")).resolve()
SECRET_KEY = secret_key(data_dir=DATA_DIR, production=PRODUCTION)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("ROOKERY_SITE_URL").rstrip("/")
INSTANCE_NAME = env_str("ROOKERY_INSTANCE_NAME")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "oauth2_provider",
    "huey.contrib.djhuey",
    "rookery.core",
    "rookery.accounts",
    "rookery.social",
    "rookery.posts",
    "rookery.timelines",
    "rookery.notifications",
    "rookery.moderation",
    "rookery.search",
    "rookery.feeds",
    "rookery.suggestions",
    "rookery.catchup",
    "rookery.traction",
    "rookery.web",
    "rookery.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rookery.web.middleware.UserTimezoneMiddleware",
    "rookery.traction.recording.TractionFlushMiddleware",
]

ROOT_URLCONF = "rookery.urls"
WSGI_APPLICATION = "rookery.wsgi.application"
ASGI_APPLICATION = "rookery.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rookery.core.context_processors.instance",
                "rookery.web.context_processors.nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'rookery.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers proceed while the worker writes; IMMEDIATE transactions take the write
    # lock up front so two writers queue on busy_timeout instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and task broker -----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if TESTING and REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel test processes each flush their cache between tests: give each its own db.
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = f"{REDIS_URL.rsplit('/', 1)[0]}/{10 + _worker}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rookery",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS_IMMEDIATE = env_bool("ROOKERY_TASKS_IMMEDIATE")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "rookery",
        "url": REDIS_URL,
        "immediate": TASKS_IMMEDIATE,
        "utc": True,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "rookery",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": TASKS_IMMEDIATE,
        "utc": True,
    }
HUEY["consumer"] = {"workers": 2, "worker_type": "thread", "periodic": True}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["rookery.accounts.backends.ActiveAccountBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:landing"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates test time otherwise; production keeps Django's defaults.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SIGNUP_MODE = env_str("ROOKERY_SIGNUP_MODE")
if SIGNUP_MODE not in {"open", "invite", "closed"}:
    raise ConfigurationError(
        f"ROOKERY_SIGNUP_MODE must be open, invite or closed, not {SIGNUP_MODE!r}"
    )

# --- Posting and timelines ------------------------------------------------------------------
POST_MAX_CHARS = env_int("ROOKERY_POST_MAX_CHARS")
FANOUT_THRESHOLD = env_int("ROOKERY_FANOUT_THRESHOLD")
FANOUT_BATCH = env_int("ROOKERY_FANOUT_BATCH")
FANOUT_RESUME_AFTER = env_int("ROOKERY_FANOUT_RESUME_AFTER")
TRACTION_RETENTION_DAYS = env_int("ROOKERY_TRACTION_RETENTION_DAYS")
AVATAR_MAX_BYTES = env_int("ROOKERY_AVATAR_MAX_BYTES")
MEDIA_MAX_BYTES = env_int("ROOKERY_MEDIA_MAX_BYTES")
DATA_UPLOAD_MAX_MEMORY_SIZE = MEDIA_MAX_BYTES + 1_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Rate limits (count, seconds) -----------------------------------------------------------
LOGIN_RATE = env_rate("ROOKERY_LOGIN_RATE")
POST_RATE = env_rate("ROOKERY_POST_RATE")
API_RATE = env_rate("ROOKERY_API_RATE")

# --- Outbound HTTP --------------------------------------------------------------------------
OUTBOUND_ALLOW_PRIVATE = env_bool("ROOKERY_OUTBOUND_ALLOW_PRIVATE")
OUTBOUND_TIMEOUT = float(env_int("ROOKERY_OUTBOUND_TIMEOUT"))
OUTBOUND_MAX_BYTES = env_int("ROOKERY_OUTBOUND_MAX_BYTES")

# --- Blog feeds -----------------------------------------------------------------------------
FEED_POLL_INTERVAL = env_int("ROOKERY_FEED_POLL_INTERVAL")
FEED_MAX_INTERVAL = env_int("ROOKERY_FEED_MAX_INTERVAL")
FEED_MAX_FAILURES = env_int("ROOKERY_FEED_MAX_FAILURES")
FEED_POLL_WORKERS = env_int("ROOKERY_FEED_POLL_WORKERS")

# --- Who to follow -------------------------------------------------------------------------
SUGGESTIONS_GRAPH_TTL = env_int("ROOKERY_SUGGESTIONS_GRAPH_TTL")
SUGGESTIONS_GRAPH_REBUILD = env_int("ROOKERY_SUGGESTIONS_GRAPH_REBUILD")

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    # WhiteNoise serves from the app directories in development but still expects this to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- OAuth (django-oauth-toolkit) -----------------------------------------------------------
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "read your data",
        "write": "post and change your data",
        "follow": "follow, block and mute",
        "push": "receive push notifications",
    },
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": False,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 365,
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = SITE_URL.startswith("https://")
    CSRF_COOKIE_SECURE = SITE_URL.startswith("https://")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "rookery": {"handlers": ["console"], "level": env_str("LOG_LEVEL")},
        "huey": {"handlers": ["console"], "level": "INFO"},
    },
}
