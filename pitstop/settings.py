"""Pit Stop settings, read from the environment.

Every variable is optional: unset means the embedded default (SQLite and a
report folder under var/, a Celery broker that needs no server, alerts run
in-process). The contract is in ../shared/DESIGN.md and the README.
"""

import datetime
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from pitstop.storage import local_reports, s3_reports

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _debug_secret_key() -> str:
    """A key generated once per machine for DEBUG (scripts/run), the only time
    settings write to disk; otherwise DJANGO_SECRET_KEY or no start at all."""
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _parameter_secret_key(name: str, *, missing_ok: bool = False) -> str:
    """The SecureString of that name in SSM Parameter Store, read once at start
    (deploy/: every server of a stack shares it; it is in no file). With
    missing_ok, a parameter never created reads as "" (the feature is off)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if missing_ok and code == "ParameterNotFound":
            return ""
        raise ImproperlyConfigured(f"Cannot read the secret key {name}: {exc}") from exc
    except BotoCoreError as exc:
        raise ImproperlyConfigured(f"Cannot read the secret key {name}: {exc}") from exc
    return answer["Parameter"]["Value"]


# Fail closed (cookiecutter-django): no invented secret outside DEBUG. On AWS
# the key is a Parameter Store SecureString named by DJANGO_SECRET_KEY_PARAMETER.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and env("DJANGO_SECRET_KEY_PARAMETER", default=""):
    SECRET_KEY = _parameter_secret_key(env("DJANGO_SECRET_KEY_PARAMETER"))
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_PARAMETER "
            "(or DJANGO_DEBUG=1 on a developer's machine)."
        )
    SECRET_KEY = _debug_secret_key()
# The release running (deploy/provision.sh writes RELEASE), shown at /healthz.
_RELEASE_FILE = BASE_DIR / "RELEASE"
PITSTOP_RELEASE = (
    _RELEASE_FILE.read_text().strip() if _RELEASE_FILE.exists() else "development"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# ------------------------------------------------------------------------------
# Behind nginx (deploy/): it sets X-Forwarded-Proto, and PITSTOP_HTTPS says the
# site is served over HTTPS, which turns on secure cookies, redirects and HSTS.
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS = env.bool("PITSTOP_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Submitting the domain to browsers' preload list is the owner's decision.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = [
    f"{'https' if HTTPS else 'http'}://{host}" for host in ALLOWED_HOSTS
]

INSTALLED_APPS = [
    "pitstop.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "inventory",
    "sales",
    "purchasing",
    "reports",
    "alerts",
    "kiosk",
]

MIDDLEWARE = [
    # First: it answers JSON for whatever goes wrong under /api/.
    "pitstop.api.ApiJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: a chosen language (cookie), else the
    # browser's Accept-Language, else PITSTOP_LANGUAGE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pitstop.urls"
WSGI_APPLICATION = "pitstop.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
            # {{ amount|money }} in every template, no {% load %} needed.
            "builtins": ["pitstop.templatetags.money"],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pitstop.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: WAL lets
    # readers go on during a write, IMMEDIATE takes the write lock up front
    # instead of failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory: the test that starts a real Celery worker shares it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: this app's queries are short, and PostgreSQL's JIT spent 5 s
    # compiling the replenishment rule's expressions before a 0.3 s query
    # (docs/performance.md). https://www.postgresql.org/docs/15/jit-decision.html
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server, and a statement run twice on a
    # connection prepared there: PostgreSQL parses and plans a kiosk sale's
    # statements once per connection (CONN_MAX_AGE keeps it), 0.9 ms less of
    # its CPU a sale (docs/performance.md). Behind a transaction-pooling
    # PgBouncer, prepare_threshold would have to be None again.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Auth
# ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# A shared counter: a session ends when the browser closes, and after 12 hours
# without a request (every request pushes the expiry on).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
# Login throttling (DESIGN.md), django-axes on both login pages: 10 failures
# for one username within 15 minutes lock that username for 15 minutes, even
# with the right password. Managers lift a lock in the admin (Axes → Access
# attempts: delete). https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# By username only, as DESIGN.md says: the store's counters and kiosks share
# one address, and locking it would lock the whole shop out.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W006"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/sales/new/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# ------------------------------------------------------------------------------
# Time, language, money
# https://docs.djangoproject.com/en/5.2/topics/i18n/translation/
# ------------------------------------------------------------------------------
# The store speaks Brazilian Portuguese; English is there for whoever's browser
# asks for it (Accept-Language) or picks it on the clerk pages. Pages follow the
# request; the PDF, e-mails and SMS follow the store (PITSTOP_LANGUAGE).
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LANGUAGE_CODE = env("PITSTOP_LANGUAGE", default="pt-br").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured("PITSTOP_LANGUAGE must be 'pt-br' or 'en'.")
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 29/11/2026 in Portuguese (2026-11-29 in English), times on 24 hours.
FORMAT_MODULE_PATH = ["pitstop.formats"]
# A store day runs midnight to midnight in this zone.
TIME_ZONE = env("PITSTOP_TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True
# ISO 4217 code; lambda_alert.l10n knows its symbol (R$ for BRL).
PITSTOP_CURRENCY = env("PITSTOP_CURRENCY", default="BRL").upper()
# Set: receipts and GET /api/sales/<id>/ offer a static Pix code (BR Code) for
# the sale's amount, paid to this key, in the merchant's name and city.
PITSTOP_PIX_KEY = env("PITSTOP_PIX_KEY", default="")
PITSTOP_PIX_MERCHANT_NAME = env("PITSTOP_PIX_MERCHANT_NAME", default="Pit Stop")
PITSTOP_PIX_MERCHANT_CITY = env("PITSTOP_PIX_MERCHANT_CITY", default="Sao Paulo")

# ------------------------------------------------------------------------------
# Static files and storage
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The project's own assets beside the apps' (the favicon: templates/favicon.html).
STATICFILES_DIRS = [BASE_DIR / "static"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Reports, low-stock events and replenishment orders (DESIGN.md's layout): an
# S3 bucket when PITSTOP_REPORTS_BUCKET is set, else a local folder.
REPORTS_BUCKET = env("PITSTOP_REPORTS_BUCKET", default="")
STORAGES["reports"] = (
    s3_reports(REPORTS_BUCKET, region=env("AWS_REGION", default=None))
    if REPORTS_BUCKET
    else local_reports(env.path("PITSTOP_REPORTS_DIR", default=VAR_DIR / "reports"))
)
MEDIA_ROOT = VAR_DIR / "media"

# ------------------------------------------------------------------------------
# Alerts: "local" runs lambda_alert's decisions in the app and mails the result;
# "aws" leaves it to the deployed Lambda (S3 notification) and SNS.
# ------------------------------------------------------------------------------
PITSTOP_ALERTS = env("PITSTOP_ALERTS", default="local")
if PITSTOP_ALERTS not in ("local", "aws"):
    raise ImproperlyConfigured("PITSTOP_ALERTS must be 'local' or 'aws'.")
PITSTOP_ALERT_TOPIC_ARN = env("PITSTOP_ALERT_TOPIC_ARN", default="")
if PITSTOP_ALERTS == "aws" and not PITSTOP_ALERT_TOPIC_ARN:
    raise ImproperlyConfigured("PITSTOP_ALERTS=aws needs PITSTOP_ALERT_TOPIC_ARN.")
# How long a claim on an alert may stay unfinished before a retry takes it
# over (lambda_alert.sendonce); the Lambda reads the same variable.
ALERT_CLAIM_LEASE_SECONDS = env.float("ALERT_CLAIM_LEASE_SECONDS", default=90.0)
# Optional WhatsApp webhook (Meta's Cloud API shape) for local mode.
PITSTOP_WHATSAPP_WEBHOOK_URL = env("PITSTOP_WHATSAPP_WEBHOOK_URL", default="")
PITSTOP_WHATSAPP_TOKEN = env("PITSTOP_WHATSAPP_TOKEN", default="")

# ------------------------------------------------------------------------------
# Kiosk: the attendant's PIN unlocks age-restricted and attendant-only products
# at a self-checkout (4 to 12 digits). Unset: nothing unlocks them there, they
# are sold at the counter. scripts/run sets a demo PIN.
# ------------------------------------------------------------------------------
PITSTOP_ATTENDANT_PIN = env("PITSTOP_ATTENDANT_PIN", default="")
if PITSTOP_ATTENDANT_PIN and not (
    PITSTOP_ATTENDANT_PIN.isdecimal() and 4 <= len(PITSTOP_ATTENDANT_PIN) <= 12
):
    raise ImproperlyConfigured("PITSTOP_ATTENDANT_PIN must be 4 to 12 digits.")
# A payment service's confirmations (POST /api/payments/webhook/) are signed
# with this secret (HMAC-SHA256; kiosk/payments.py, docs/payments.md). Unset,
# the webhook refuses everything (403) and the attendant confirms payments. On
# AWS it is a Parameter Store SecureString named by ..._PARAMETER (deploy.sh
# PaymentWebhookSecret=... creates it; never created: the webhook is off).
PITSTOP_PAYMENT_WEBHOOK_SECRET = env("PITSTOP_PAYMENT_WEBHOOK_SECRET", default="")
if not PITSTOP_PAYMENT_WEBHOOK_SECRET and env(
    "PITSTOP_PAYMENT_WEBHOOK_SECRET_PARAMETER", default=""
):
    PITSTOP_PAYMENT_WEBHOOK_SECRET = _parameter_secret_key(
        env("PITSTOP_PAYMENT_WEBHOOK_SECRET_PARAMETER"), missing_ok=True
    )
if PITSTOP_PAYMENT_WEBHOOK_SECRET and len(PITSTOP_PAYMENT_WEBHOOK_SECRET) < 16:
    raise ImproperlyConfigured(
        "PITSTOP_PAYMENT_WEBHOOK_SECRET must be at least 16 characters."
    )

# Selling offline (kiosk/static/kiosk/offline.js): with the server out of reach
# a kiosk queues sales on the device, at most this many, and for at most this
# many minutes since the oldest one still queued; then it asks for the
# attendant until its queue is synced. 0 sales: it never sells offline.
PITSTOP_KIOSK_OFFLINE_MAX_SALES = env.int("PITSTOP_KIOSK_OFFLINE_MAX_SALES", default=50)
PITSTOP_KIOSK_OFFLINE_MAX_MINUTES = env.int(
    "PITSTOP_KIOSK_OFFLINE_MAX_MINUTES", default=120
)
if PITSTOP_KIOSK_OFFLINE_MAX_SALES < 0 or PITSTOP_KIOSK_OFFLINE_MAX_MINUTES < 1:
    raise ImproperlyConfigured(
        "PITSTOP_KIOSK_OFFLINE_MAX_SALES must be 0 or more and "
        "PITSTOP_KIOSK_OFFLINE_MAX_MINUTES 1 or more."
    )

# E-mail: one file per message under var/outbox unless EMAIL_URL names a server
# (e.g. smtp+tls://user:password@smtp.example.com:587); django-environ's
# documented way sets EMAIL_BACKEND, EMAIL_HOST… from it.
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "outbox"
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="pitstop@localhost")
# Seconds an SMTP server may hang before a send fails: well inside the claim
# a purchase order's send holds (purchasing.services.SEND_LEASE), so a slow
# server fails the send instead of letting a retry mail it twice.
EMAIL_TIMEOUT = 30

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: a folder is the queue, no server needed.
    # Its folders are made by pitstop.celery when a worker or a sender
    # first connects, not here at import.
    _queue_dir = VAR_DIR / "broker"
    # Its fanout (worker control) folder defaults to ./control: keep it here.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_queue_dir / "control"),
        "polling_interval": 0.1,  # seconds between looks at an empty folder
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# ------------------------------------------------------------------------------
# REST framework
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token look-up each request; permissions cached per token.
        "pitstop.tokens.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only, in and out (DESIGN.md): no form bodies, no browsable pages.
    "DEFAULT_PARSER_CLASSES": ["pitstop.api.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "pitstop.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pit Stop kiosk API",
    "DESCRIPTION": "Product look-up, sales and returns for self-service kiosks "
    "and managers' devices; purchase orders for managers. Authenticate with "
    "`Authorization: Token <key>` "
    "(manage.py drf_create_token).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from our static files: kiosks and the docs need no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pitstop.api.schema_errors",
    ],
    # A sale's payment and a return's refund method share one set of choices;
    # two "status" fields have their own.
    "ENUM_NAME_OVERRIDES": {
        "PaymentMethodEnum": "sales.models.Payment",
        "SaleStatusEnum": "sales.models.Sale.Status",
        "PurchaseOrderStatusEnum": "purchasing.models.PurchaseOrder.Status",
    },
}

# ------------------------------------------------------------------------------
# Logging: everything to stdout, where systemd's journal or the terminal keeps it
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # a line per login otherwise
    },
}
