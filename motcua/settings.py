"""Production settings, all from environment variables (twelve-factor), secure by default.

DEBUG, password sign-in and the browsable API are off; cookies are Secure, HTTPS is enforced (HSTS),
pages carry a Content-Security-Policy without inline script. The local demo and the test suite use
`motcua.settings_demo`, which turns the conveniences on (`make run`, `make test`).
"""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("MOTCUA_DEBUG", False)
SECRET_KEY = os.environ.get("MOTCUA_SECRET_KEY", "")
if not SECRET_KEY:
    raise RuntimeError(
        "MOTCUA_SECRET_KEY must be set (a long random value) for the production settings; "
        "for the local demo use DJANGO_SETTINGS_MODULE=motcua.settings_demo (as `make run` does)."
    )
ALLOWED_HOSTS = os.environ.get("MOTCUA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Password accounts exist only where this is on (demo, tests); production signs in with VNeID.
# Off by default: every password sign-in (back office, /admin/, API token) is refused, not only the API's.
PASSWORD_LOGIN_ENABLED = env_bool("MOTCUA_PASSWORD_LOGIN", False)

# How many reverse proxies of ours stand in front of the app. Only the addresses they appended to
# X-Forwarded-For are believed (motcua/core/net.py); with 0 the header is ignored and the peer
# address counts, so a spoofed header cannot buy more look-ups or password guesses.
NUM_PROXIES = int(os.environ.get("MOTCUA_NUM_PROXIES", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens are stored hashed (SHA-512 digests), never in clear: a copy of the database does
    # not give anyone's session away.
    "knox",
    # Lock-out after repeated wrong passwords, for every password sign-in (AXES_* below).
    "axes",
    "csp",
    "drf_spectacular",
    # Background work (TASKS below): the calendar's re-projection of open dossiers' dates.
    "django_tasks",
    "django_tasks_db",
    "motcua.core",
    "motcua.calendar",
    "motcua.org",
    "motcua.catalog",
    "motcua.documents",
    "motcua.consultations",
    "motcua.integrations",
    "motcua.dossiers",
    "motcua.sync",
    "motcua.legacy",
    "motcua.printing",
    "motcua.archive",
    "motcua.notifications",
    "motcua.payments",
    "motcua.feedback",
    "motcua.index",
    "motcua.api",
    "motcua.backoffice",
    "motcua.portal",
    "motcua.demo",
]

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:queues"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL characters in addresses, queries, cookies and forms → 400 before any view; values the
    # database cannot hold → 400, not 500 (item 6 of issue 8).
    "motcua.core.middleware.RejectInvalidInput",
    # The self-hosted assets (htmx, fonts, CSS) served by the app itself under gunicorn too: closed
    # government networks have no CDN, and a one-server install needs no separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]

# The lock-out check comes first so that a locked-out account is refused even with the right
# password; the password backend authenticates nothing while PASSWORD_LOGIN_ENABLED is off.
AUTHENTICATION_BACKENDS = [
    "motcua.core.signin.LockoutBackend",
    "motcua.core.signin.PasswordBackend",
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
# Day-first input formats Django's own `vi` locale lacks (motcua/core/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["motcua.core.formats"]
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

# Where the documents' bytes are kept (motcua/documents/storage.py): "local" files under MEDIA_ROOT,
# or "s3", a bucket of an S3-compatible object store (MinIO, Ceph, a cloud's S3) — objects private,
# never a public or presigned URL: files are served only through the permission-checked views.
# Without MOTCUA_S3_ACCESS_KEY / MOTCUA_S3_SECRET_KEY boto3's own chain applies (AWS_* variables, an
# instance role). `manage.py check` reports a missing bucket or half a key pair (documents.E00x).
MOTCUA_DOCUMENT_STORAGE = os.environ.get("MOTCUA_DOCUMENT_STORAGE", "local").strip().lower() or "local"
MOTCUA_S3_BUCKET = os.environ.get("MOTCUA_S3_BUCKET", "")
MOTCUA_S3_ENDPOINT_URL = os.environ.get("MOTCUA_S3_ENDPOINT_URL", "")
MOTCUA_S3_REGION = os.environ.get("MOTCUA_S3_REGION", "")
MOTCUA_S3_ACCESS_KEY = os.environ.get("MOTCUA_S3_ACCESS_KEY", "")
MOTCUA_S3_SECRET_KEY = os.environ.get("MOTCUA_S3_SECRET_KEY", "")
# Self-hosted stores answer at one host (path style: <endpoint>/<bucket>/<key>); AWS by bucket name.
MOTCUA_S3_ADDRESSING_STYLE = os.environ.get(
    "MOTCUA_S3_ADDRESSING_STYLE", "path" if MOTCUA_S3_ENDPOINT_URL else "auto"
)
if MOTCUA_DOCUMENT_STORAGE == "local":
    _document_storage: dict = {"BACKEND": "motcua.documents.storage.PrivateFileSystemStorage"}
elif MOTCUA_DOCUMENT_STORAGE == "s3":
    _document_storage = {
        "BACKEND": "motcua.documents.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": MOTCUA_S3_BUCKET,
            "endpoint_url": MOTCUA_S3_ENDPOINT_URL or None,
            "region_name": MOTCUA_S3_REGION or None,
            "access_key": MOTCUA_S3_ACCESS_KEY or None,
            "secret_key": MOTCUA_S3_SECRET_KEY or None,
            "addressing_style": MOTCUA_S3_ADDRESSING_STYLE,
        },
    }
else:
    raise ImproperlyConfigured(
        f"MOTCUA_DOCUMENT_STORAGE={MOTCUA_DOCUMENT_STORAGE!r}: chỉ nhận 'local' hoặc 's3'."
    )
STORAGES = {
    "default": _document_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

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
    # Closed by default: a public endpoint (catalogue, look-up, sign-in) says AllowAny itself.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies are parsed with a depth, size and character check (1,000 nested `[` → 400
    # too_deep, not a RecursionError); multipart and forms keep DRF's parsers.
    "DEFAULT_PARSER_CLASSES": [
        "motcua.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # The browsable API (forms, inline scripts) only where the demo settings turn it on.
        *(
            ["rest_framework.renderers.BrowsableAPIRenderer"]
            if env_bool("MOTCUA_BROWSABLE_API", False)
            else []
        ),
    ],
    "UNICODE_JSON": True,
    # The public status look-up is throttled so dossier codes and secrets cannot be probed; the
    # password login so passwords cannot be guessed.
    "DEFAULT_THROTTLE_RATES": {
        "lookup": LOOKUP_RATE,
        "auth": os.environ.get("MOTCUA_AUTH_RATE", "20/min"),
        # Per partner pushing forwarded dossiers (`/api/v1/national/dossiers`).
        "national_inbound": os.environ.get("MOTCUA_NATIONAL_INBOUND_RATE", "600/min"),
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
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",  # RFC 6750, what API clients expect
    "TOKEN_TTL": API_TOKEN_TTL,
    "AUTO_REFRESH": False,  # a token lasts API_TOKEN_TTL from sign-in, however busy
}

# Lock-out of password sign-in (django-axes, database handler: every server process sees the same
# failures). After AXES_FAILURE_LIMIT wrong passwords for one account from one address, that
# account is refused from that address — even with the right password — for the cool-off time. Per
# (account, address) so that one office behind a shared address is not locked out by one person;
# password spraying over many accounts is slowed by the per-address rate limit ("auth" rate).
AXES_FAILURE_LIMIT = int(os.environ.get("MOTCUA_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("MOTCUA_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "motcua.core.net.client_address"
AXES_LOCKOUT_CALLABLE = "motcua.core.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_COOLOFF_MESSAGE = (
    "Đăng nhập sai quá nhiều lần; tài khoản tạm khóa đăng nhập từ địa chỉ này, hãy thử lại sau."
)
AXES_VERBOSE = False

# --- HTTPS, cookies, browser protections (`manage.py check --deploy` is clean) ---
# Behind a reverse proxy that terminates TLS, set MOTCUA_NUM_PROXIES so the proxy's
# X-Forwarded-Proto is believed; MOTCUA_SSL_REDIRECT=0 only where the proxy itself redirects.
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer probes over plain HTTP
if NUM_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("MOTCUA_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("MOTCUA_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("MOTCUA_SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# No inline script or style anywhere a browser runs our pages (the PDF templates are rendered by
# WeasyPrint, not served): an injected <script> or on*= handler does not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

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
# Since 2025 online dossiers mostly arrive from the National Public Service Portal; a province may
# still take submissions on its own portal (DESIGN.md "four doors"). Off: the portal shows where
# to submit (the national portal, the counters) instead of its form.
MOTCUA_PORTAL_SUBMISSION = env_bool("MOTCUA_PORTAL_SUBMISSION", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO; httpx logs every request to the national
    # portal at INFO (a backlog drain sends thousands a second).
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Documents: signature trust roots, upload quota ---
# PEM files (one or more certificates each) of the certificate authorities whose signatures count
# as valid. Separate paths with ":" in the environment variable. With DEBUG on (the
# demo and the tests, settings_demo) the default is the synthetic TEST-ONLY demo CA, whose private key
# is public; in production the default is none (nothing verifies as valid, warning documents.W001)
# until the licensed CAs' roots are set here.
MOTCUA_SIGNATURE_TRUST_ROOTS = [
    p
    for p in os.environ.get(
        "MOTCUA_SIGNATURE_TRUST_ROOTS",
        str(BASE_DIR / "motcua" / "demo" / "data" / "signing" / "demo-ca.pem") if DEBUG else "",
    ).split(":")
    if p
]
# Bytes an account may keep uploaded but not yet attached to any dossier, and uploads per hour.
MOTCUA_UPLOAD_QUOTA_MB = int(os.environ.get("MOTCUA_UPLOAD_QUOTA_MB", "200"))
MOTCUA_UPLOADS_PER_HOUR = int(os.environ.get("MOTCUA_UPLOADS_PER_HOUR", "200"))

# --- Audit chain key and signed digests (motcua/dossiers/audit.py) ---
# The key of the event log's HMAC chain: a long random secret kept OUTSIDE the database (env, secret
# store). Unset, the public demo key is used — only while DEBUG is on; with DEBUG off the app
# refuses to start (DossiersConfig.ready). Rotation: put the new key here and the old one in
# MOTCUA_AUDIT_OLD_KEYS (comma-separated) so the events it signed still verify.
MOTCUA_AUDIT_KEY = os.environ.get("MOTCUA_AUDIT_KEY", "")
MOTCUA_AUDIT_OLD_KEYS = [
    k.strip() for k in os.environ.get("MOTCUA_AUDIT_OLD_KEYS", "").split(",") if k.strip()
]
# Where `manage.py export_audit_digest` writes the signed daily digests of the chain heads.
MOTCUA_AUDIT_DIGEST_DIR = os.environ.get("MOTCUA_AUDIT_DIGEST_DIR", "") or BASE_DIR / "var" / "audit"

# --- Background tasks (django-tasks) — calendar edits re-project open dossiers' dates ---
# MOTCUA_TASKS_BACKEND: "database" (django-tasks-db: tasks are stored in the same database, in the
# transaction that enqueues them, and run by `manage.py worker`), "immediate" (run in the process
# that enqueues them, after its commit) or a backend's dotted path. Production (MOTCUA_DEBUG off)
# defaults to "database"; `make run` and the tests default to "immediate", no worker needed.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_tasks_backend = os.environ.get("MOTCUA_TASKS_BACKEND", "immediate" if DEBUG else "database")
if _tasks_backend not in _TASK_BACKENDS and "." not in _tasks_backend:
    raise RuntimeError(
        f"MOTCUA_TASKS_BACKEND={_tasks_backend!r}: use one of {', '.join(_TASK_BACKENDS)} or a dotted path."
    )
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(_tasks_backend, _tasks_backend),
        "QUEUES": ["default"],
    }
}

# --- National systems (motcua.integrations; issue 9) ---
# The National Public Service Portal: "rest" (current LGSP/NGSP generation: add/update/progress
# arrays) or "service" (the older session + service envelope). No base URL = not connected: the
# outbox keeps every message until one is configured. `make run` points it at the local simulator.
MOTCUA_INTEGRATIONS = {
    "dvcqg": {
        "adapter": os.environ.get("MOTCUA_DVCQG_PROTOCOL", "rest"),
        "base_url": os.environ.get("MOTCUA_DVCQG_URL", ""),
        "client_id": os.environ.get("MOTCUA_DVCQG_CLIENT_ID", ""),
        "client_secret": os.environ.get("MOTCUA_DVCQG_CLIENT_SECRET", ""),
        # The province's identifier on the portal (MaDinhDanhTinh / madonvi).
        "province_code": os.environ.get("MOTCUA_DVCQG_PROVINCE_CODE", ""),
        "timeout": float(os.environ.get("MOTCUA_DVCQG_TIMEOUT", "10")),
    },
}
# Delivery to the national portal (motcua.sync.delivery), all optional: batch_size (dossiers per
# round, 200), progress_chunk (rows per call, 10 as the field sends them), max_attempts (12),
# backoff_base / backoff_cap (seconds, 1 / 300: exponential with full jitter), lease_seconds (3 ×
# timeout, at least 30), per_dossier (100), lanes (4 threads sending a round's rows).
MOTCUA_SYNC: dict[str, float] = {}
# Forwarded dossiers' files are fetched only from the portal's own base URL and these origins
# (comma-separated, e.g. "https://files.dichvucong.gov.vn"), so a pushed link cannot make the
# server fetch an arbitrary address.
MOTCUA_INBOUND_FILE_ORIGINS = [o for o in os.environ.get("MOTCUA_INBOUND_FILE_ORIGINS", "").split(",") if o]

# each unit's target share of online dossiers, as JSON {"<unit code>": percent, "*": default}
# (e.g. {"*": 90}). Without it the online report shows no target and judges no unit.
try:
    MOTCUA_ONLINE_TARGETS = json.loads(os.environ.get("MOTCUA_ONLINE_TARGETS", "") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f'MOTCUA_ONLINE_TARGETS phải là JSON, ví dụ {{"*": 90}}: {exc}') from None

# --- VNeID / national SSO sign-in (R-26, issue 11) ---
# The OpenID Connect provider (VNeID, or the national portal's SSO) citizens, businesses and
# officers sign in with: its issuer URL (discovery at <issuer>/.well-known/openid-configuration),
# this system's client id and secret there. No issuer = VNeID sign-in is not connected (the sign-in
# page says so). `make run` and the tests point it at tools/oidc-provider on loopback.
MOTCUA_INTEGRATIONS["vneid"] = {
    "adapter": "oidc",
    "base_url": os.environ.get("MOTCUA_OIDC_ISSUER", ""),
    "client_id": os.environ.get("MOTCUA_OIDC_CLIENT_ID", ""),
    "client_secret": os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", ""),
    "scopes": os.environ.get("MOTCUA_OIDC_SCOPES", "openid").split(),
    # client_secret_basic or client_secret_post, as registered with the provider.
    "token_auth_method": os.environ.get("MOTCUA_OIDC_TOKEN_AUTH", "client_secret_basic"),
    # e.g. "LoA1" for the national portal's SSO (REGULATIONS §6.6); empty = not sent.
    "acr_values": os.environ.get("MOTCUA_OIDC_ACR_VALUES", ""),
    # The callback URL registered with the provider; empty = this site's /dang-nhap/vneid/ket-qua/.
    "redirect_uri": os.environ.get("MOTCUA_OIDC_REDIRECT_URI", ""),
    "timeout": float(os.environ.get("MOTCUA_OIDC_TIMEOUT", "10")),
}
# A session opened with VNeID is a login with this backend (it only restores the user per request:
# nobody authenticates through it with credentials).
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "motcua.org.identity.VerifiedIdentityBackend"]

# --- notifications: e-mail and SMS (issue 11) ---
# Applicants are told of every change that concerns them (motcua.notifications) by e-mail through
# Django's mail framework and by SMS through the "sms" gateway; the background worker sends them.
# MOTCUA_EMAIL_BACKEND: "smtp", "console", "file" (one file per message in MOTCUA_MAIL_DIR) or a
# dotted path. Default: SMTP when MOTCUA_SMTP_HOST is set or DEBUG is off; the demo (DEBUG, no host)
# writes the messages to var/mail instead of failing on a server that is not there.
EMAIL_HOST = os.environ.get("MOTCUA_SMTP_HOST", "")
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
_email_backend = os.environ.get("MOTCUA_EMAIL_BACKEND", "smtp" if EMAIL_HOST or not DEBUG else "file")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = os.environ.get("MOTCUA_MAIL_DIR", "") or str(BASE_DIR / "var" / "mail")
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("MOTCUA_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MOTCUA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MOTCUA_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MOTCUA_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("MOTCUA_SMTP_SSL", False)
EMAIL_TIMEOUT = float(os.environ.get("MOTCUA_SMTP_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("MOTCUA_MAIL_FROM", "Một cửa điện tử <khong-tra-loi@motcua.invalid>")
# The SMS gateway: "log" (the folder in base_url gets sms.log; the demo's default) or "http" (a JSON
# POST to MOTCUA_SMS_URL with MOTCUA_SMS_TOKEN, motcua/integrations/sms/http_gateway.py). No URL
# outside DEBUG = no SMS contract: no SMS is written at all.
MOTCUA_INTEGRATIONS["sms"] = {
    "adapter": os.environ.get("MOTCUA_SMS_GATEWAY", "log"),
    "base_url": os.environ.get("MOTCUA_SMS_URL", "") or (str(BASE_DIR / "var" / "sms") if DEBUG else ""),
    "token": os.environ.get("MOTCUA_SMS_TOKEN", ""),
    "timeout": float(os.environ.get("MOTCUA_SMS_TIMEOUT", "10")),
}
# Delivery (motcua.notifications.delivery), all optional: batch_size (50), max_attempts (10 refusals
# before a message is set aside; an unreachable server never sets one aside), backoff_base /
# backoff_cap (seconds, 30 / 3600, exponential with full jitter), lease_seconds (120).
MOTCUA_NOTIFICATIONS: dict[str, float] = {}

# --- payment platform (R-29, issue 11) ---
# PayGov on the national portal (motcua/integrations/paygov): base URL of its INIT/QUERY/GET_BILL
# gateway, our partner code (MaDoiTac) and the shared secret of the MaXacThuc hashes. No URL = online
# payment not connected (the portal says so; fees are paid at the counter).
MOTCUA_INTEGRATIONS["paygov"] = {
    "adapter": "rest",
    "base_url": os.environ.get("MOTCUA_PAYGOV_URL", ""),
    "partner_code": os.environ.get("MOTCUA_PAYGOV_PARTNER", ""),
    "secret": os.environ.get("MOTCUA_PAYGOV_SECRET", ""),
    "timeout": float(os.environ.get("MOTCUA_PAYGOV_TIMEOUT", "10")),
}

# --- the units' seals on electronic results (issue 12; NĐ 45/2020 Điều 14) ---
# An electronic result is sealed at issue with the deciding unit's PAdES signature
# (motcua/integrations/signing). "local": each unit's key is `<unit code>.p12` (passphrase
# MOTCUA_SIGNING_KEY_PASSPHRASE) or `<unit code>.key.pem` + `<unit code>.pem` in
# MOTCUA_SIGNING_KEYS_DIR; "remote": a remote-signing service (ký số từ xa) at MOTCUA_SIGNING_URL,
# its access token MOTCUA_SIGNING_TOKEN, MOTCUA_SIGNING_UNITS the units it holds keys for (empty: all).
# A unit without a key issues no seal: its online results must then be signed before upload.
# The demo keeps the keys of its TEST CA in var/signing (`manage.py make_test_ca`, run by `make run`).
MOTCUA_SIGNING_KEYS_DIR = os.environ.get("MOTCUA_SIGNING_KEYS_DIR", "") or (
    str(BASE_DIR / "var" / "signing") if DEBUG else ""
)
_signing_backend = os.environ.get("MOTCUA_SIGNING_BACKEND", "local")
MOTCUA_INTEGRATIONS["signing"] = {
    "adapter": _signing_backend,
    "base_url": os.environ.get("MOTCUA_SIGNING_URL", "")
    or (MOTCUA_SIGNING_KEYS_DIR if _signing_backend == "local" else ""),
    "passphrase": os.environ.get("MOTCUA_SIGNING_KEY_PASSPHRASE", "motcua-test" if DEBUG else ""),
    "client_secret": os.environ.get("MOTCUA_SIGNING_TOKEN", ""),
    "units": os.environ.get("MOTCUA_SIGNING_UNITS", ""),
    "timeout": float(os.environ.get("MOTCUA_SIGNING_TIMEOUT", "10")),
}
# Trust the TEST CA made by `manage.py make_test_ca` in MOTCUA_SIGNING_KEYS_DIR (test-ca.pem) beside
# MOTCUA_SIGNATURE_TRUST_ROOTS, once it exists: the demo and the tests only (settings_demo).
MOTCUA_TRUST_TEST_CA = env_bool("MOTCUA_TRUST_TEST_CA", False)
