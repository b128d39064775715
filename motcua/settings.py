"""Settings, all from environment variables (twelve-factor); defaults give a local demo on SQLite."""

import datetime
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("MOTCUA_DEBUG", True)
SECRET_KEY = os.environ.get("MOTCUA_SECRET_KEY", "insecure-demo-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("MOTCUA_SECRET_KEY must be set when MOTCUA_DEBUG is off")
ALLOWED_HOSTS = os.environ.get("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Password accounts exist only where this is on (demo, tests); production signs in with VNeID.
PASSWORD_LOGIN_ENABLED = env_bool("MOTCUA_PASSWORD_LOGIN", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "motcua.core",
    "motcua.calendar",
    "motcua.org",
    "motcua.catalog",
    "motcua.documents",
    "motcua.consultations",
    "motcua.dossiers",
    "motcua.printing",
    "motcua.api",
    "motcua.backoffice",
    "motcua.portal",
    "motcua.demo",
]

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:queues"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The self-hosted assets (htmx, fonts, CSS) served by the app itself under gunicorn too: closed
    # government networks have no CDN, and a one-server install needs no separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("MOTCUA_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = (
    []
    if DEBUG
    else [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    ]
)

# Vietnamese everywhere a person reads; times stored in UTC, shown in Asia/Ho_Chi_Minh.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only where `collectstatic` is run (a front web server serving the files itself).
STATIC_ROOT = os.environ.get("MOTCUA_STATIC_ROOT") or None
# Serve straight from the apps' static folders when `collectstatic` was not run (one-server installs).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", BASE_DIR / "media"))

# The public status look-up (API and page) per client address, "<n>/<s|min|h|day>".
LOOKUP_RATE = os.environ.get("MOTCUA_LOOKUP_RATE", "30/min")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "motcua.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "motcua.api.errors.exception_handler",
    # API clients send `Authorization: Bearer <token>` (POST /api/v1/auth/token); browsers use sessions.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "motcua.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNICODE_JSON": True,
    # The public status look-up is throttled so dossier codes and secrets cannot be probed; the
    # password login so passwords cannot be guessed.
    "DEFAULT_THROTTLE_RATES": {
        "lookup": LOOKUP_RATE,
        "auth": os.environ.get("MOTCUA_AUTH_RATE", "20/min"),
    },
}

# The citizens' address of this installation, printed in the receipt's QR code (`/tra-cuu/`); the
# officers' own address (the one they print from) when unset.
PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "")

# "Sắp đến hạn" in the work queues: due within this many working hours.
MOTCUA_DUE_SOON_WORKING_HOURS = int(os.environ.get("MOTCUA_DUE_SOON_WORKING_HOURS", "16"))

# The cache holds the rate-limit counters (look-up, sign-in): with several server processes they
# must share one cache, or each process would grant its own quota — MOTCUA_CACHE_URL=redis://…
# in production. The demo's single process keeps them in memory.
CACHE_URL = os.environ.get("MOTCUA_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# How long an API token from POST /api/v1/auth/token stays valid; signing in again after that
# gives a new one.
API_TOKEN_TTL = datetime.timedelta(hours=int(os.environ.get("MOTCUA_TOKEN_TTL_HOURS", "12")))

SPECTACULAR_SETTINGS = {
    "TITLE": "MotCua API",
    "DESCRIPTION": "API của Hệ thống thông tin giải quyết thủ tục hành chính cấp tỉnh (MotCua).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind": name each choice set after what it classifies.
    "ENUM_NAME_OVERRIDES": {
        "ApplicantKindEnum": "motcua.org.models.ApplicantKind",
        "UnitKindEnum": "motcua.org.models.UnitKind",
        "DocumentKindEnum": "motcua.documents.models.DocumentKind",
        "FeeKindEnum": "motcua.catalog.models.FeeKind",
        "ResultDeliveryEnum": "motcua.dossiers.models.ResultDelivery",
    },
}

# The installation's own identity; the demo province is Đồng Nai (H19) after the 2025 reform.
MOTCUA_PROVINCE_NAME = os.environ.get("MOTCUA_PROVINCE_NAME", "Tỉnh Đồng Nai")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
