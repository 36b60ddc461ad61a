"""Settings from the environment (12-factor) with safe defaults for the embedded mode.

Embedded mode: SQLite in WAL mode under ANCHANG_DATA_DIR (default ./var), a secret key
generated on first start and kept in that folder, never in the repository.
Production: DATABASE_URL (PostgreSQL), SECRET_KEY, ANCHANG_HTTPS=1, ANCHANG_ALLOWED_HOSTS;
`anchang check --deploy` refuses unsafe combinations.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("ANCHANG_DATA_DIR", REPO_DIR / "var")).resolve()
if not DATA_DIR.exists():
    # The database holds customers' personal data: only the service account may read it.
    DATA_DIR.mkdir(parents=True, mode=0o700)


def _embedded_secret_key() -> str:
    # Generated once per data folder so the embedded mode never runs on a known key.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
DEBUG = env_bool("ANCHANG_DEBUG")
ALLOWED_HOSTS = env_list("ANCHANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("ANCHANG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "anchang.org.login_guard.LoginGuardConfig",  # django-axes, named for staff
    "anchang",
    "anchang.org",
    "anchang.audit",
    "anchang.customers",
    "anchang.followups",
    "anchang.pool",
    "anchang.deals",
    "anchang.assignment",
    "anchang.care",
    "anchang.scheduler",
]

MIDDLEWARE = [
    "anchang.middleware.ProxyClientAddressMiddleware",
    "anchang.middleware.AuditContextMiddleware",  # reads the address the line above set
    "django.middleware.security.SecurityMiddleware",
    "anchang.middleware.SecurityHeadersMiddleware",
    "anchang.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anchang.ids.PathIdBoundsMiddleware",  # <int:pk> above any column: 404, not a 500
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anchang.urls"
WSGI_APPLICATION = "anchang.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.template.context_processors.i18n",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "anchang.context_processors.navigation",
]
TEMPLATES = [
    # Every page renders with Jinja2 (anchang/jinja2env.py): Django's engine took two thirds
    # of a page's CPU. The admin, DRF's and drf-spectacular's pages and contrib.auth's
    # emails keep the Django templates they ship, found by the second engine.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "anchang.jinja2env.environment",
            # csrf_once replaces the backend's lazy csrf_input and csrf_token (set before it).
            "context_processors": [*_CONTEXT_PROCESSORS, "anchang.context_processors.csrf_once"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _CONTEXT_PROCESSORS},
    },
]

# Form widgets through Jinja2 (Django ships the same widget templates for it): the Django
# template engine took ~2 ms a page for a card's three small forms. Widgets Django ships
# only as Django templates (the admin's, contrib.auth's) fall back to them.
FORM_RENDERER = "anchang.form_renderer.JinjaFirstRenderer"

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "anchang.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server (psycopg's Cursor, not Django's default ClientCursor):
    # psycopg then prepares a statement the fifth time a connection runs it, and PostgreSQL
    # plans it once instead of on every request (issue 15: ~3 ms of the database's CPU per
    # request went to parsing and planning the same few dozen statements).
    # Django turns psycopg's preparing off for connection poolers (PgBouncer in transaction
    # mode cannot keep a statement); ANCHANG_PG_PREPARE=0 does the same here.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        5 if os.environ.get("ANCHANG_PG_PREPARE", "1") != "0" else None
    )
    # A connection the server ended is noticed by polling its socket when a request starts
    # (anchang/connections.py), not by Django's `SELECT 1` round trip on every request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open for the worker's life: opening one costs ~1.8 ms (PRAGMAs, the schema, and
    # Django's SQL functions), a tenth of a page. One connection per worker thread.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so
    # concurrent writers wait (busy timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests run on a file in WAL mode, as production does (not a shared-cache memory DB),
    # so concurrency tests meet the same locking.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-anchang.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions ------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "anchang.org.backends.ModelBackend",  # Django's, reading the user as a prepared read
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_ENGINE = "anchang.sessions"  # Django's database sessions, read without the ORM
SESSION_COOKIE_AGE = int(os.environ.get("ANCHANG_SESSION_SECONDS", 12 * 3600))  # one work day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "anchang.views.csrf_failure"

HTTPS = env_bool("ANCHANG_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("ANCHANG_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
BEHIND_PROXY = env_bool("ANCHANG_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# models.W040: SQLite ignores an index's INCLUDE columns. customer_day includes the id for
# PostgreSQL's index-only reads; SQLite's indexes carry the rowid anyway, so nothing is lost.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Failed log-ins: lock the username+address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("ANCHANG_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- Limits ---------------------------------------------------------------------------
ANCHANG_MAX_BODY_BYTES = int(os.environ.get("ANCHANG_MAX_BODY_BYTES", 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = ANCHANG_MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Doors that take a spreadsheet (an import, 导入) take up to this much (views marked with
# anchang.middleware.body_limit); files are streamed to disk past Django's memory limit.
ANCHANG_MAX_FILE_BYTES = int(os.environ.get("ANCHANG_MAX_FILE_BYTES", 21 * 1024 * 1024))
# thread: background work (an import's commit) runs in a thread after the request; inline:
# in the request, when its transaction commits (tests, scripts)
ANCHANG_BACKGROUND = os.environ.get("ANCHANG_BACKGROUND", "thread")

# --- Messages (owner care, docs/care.md) -----------------------------------------------
# outbox: kept and shown, nothing sent (the embedded default); aliyun | tencent: their SMS
# APIs; wecom: WeCom app messages to staff
SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")
WECOM_BACKEND = os.environ.get("WECOM_BACKEND", "outbox")
ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com")
TENCENT_SMS_SECRET_ID = os.environ.get("TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = os.environ.get("TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_APP_ID = os.environ.get("TENCENT_SMS_APP_ID", "")
TENCENT_SMS_REGION = os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = os.environ.get("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
WECOM_CORP_ID = os.environ.get("WECOM_CORP_ID", "")
WECOM_SECRET = os.environ.get("WECOM_SECRET", "")
WECOM_AGENT_ID = os.environ.get("WECOM_AGENT_ID", "")
WECOM_ENDPOINT = os.environ.get("WECOM_ENDPOINT", "https://qyapi.weixin.qq.com")
# The secret part of the URLs the SMS providers post delivery reports and replies to
# (/care/callbacks/<provider>/<token>/…); without it those URLs answer 404.
SMS_CALLBACK_TOKEN = os.environ.get("SMS_CALLBACK_TOKEN", "")

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anchang.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["anchang.api.parsers.BoundedJSONParser"],  # nesting bounded
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "anchang.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "anchang.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "anchang.api.openapi.Schema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
KNOX_TOKEN_MODEL = "org.ApiToken"  # noqa: S105 - a model name
# knox's own migrations create its default token table even when the model is swapped;
# without them no such table (and no foreign key blocking a flush of users) exists.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": "org.ApiToken",
    "TOKEN_TTL": None,  # revoked explicitly; a disabled user's tokens stop at once
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anchang API",
    "DESCRIPTION": "Anchang (案场) CRM. Errors always answer {code, message, fields}.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally: offices run on intranets
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "anchang.api.schema.error_responses",  # every error answer, documented
    ],
    # One schema enum per choice set, named after it, however many fields share it.
    "ENUM_NAME_OVERRIDES": {
        name: f"anchang.customers.choices.{name}"
        for name in (
            "State",
            "Gender",
            "AgeBand",
            "Industry",
            "IncomeBand",
            "HousingType",
            "Personality",
            "FamilyStructure",
            "FamilyRole",
            "Purpose",
            "UnitType",
            "PaymentMethod",
            "Eligibility",
            "LossReason",
            "MediumKind",
            "PurchaseHorizon",
            "DecorStyle",
        )
    }
    | {
        "RegistrationKindEnum": "anchang.customers.models.Registration.Kind",
        "FollowUpKindEnum": "anchang.followups.models.FollowUp.Kind",
        "RevisitPlanStatusEnum": "anchang.followups.models.RevisitPlan.Status",
        "KeyDateKindEnum": "anchang.customers.models.KeyDate.Kind",
        "ConflictStatusEnum": "anchang.customers.models.OwnershipConflict.Status",
        # care: why a message is sent (a customer's purchase purpose is Purpose above)
        "MessagePurposeEnum": "anchang.care.models.Purpose",
        "MessageStatusEnum": "anchang.care.models.Message.Status",
        "MessageBatchStatusEnum": "anchang.care.models.Batch.Status",
        # deals: each "kind" and the deal's payment method (a customer's preference is
        # PaymentMethod above) get their own names
        "UnitKindEnum": "anchang.deals.models.Unit.Kind",
        "UnitStatusEnum": "anchang.deals.models.Unit.Status",
        "ApprovalKindEnum": "anchang.deals.models.Approval.Kind",
        "ApprovalStatusEnum": "anchang.deals.models.Approval.Status",
        "StageChangeKindEnum": "anchang.deals.models.StageChange.Kind",
        "PaymentLineKindEnum": "anchang.deals.models.PaymentLine.Kind",
        "ReceiptMethodEnum": "anchang.deals.models.Receipt.Method",
        "DealPaymentMethodEnum": "anchang.deals.models.Deal.PaymentMethod",
        "DispatchStatusEnum": "anchang.deals.models.Dispatch.Status",
        "ContractFormStatusEnum": "anchang.deals.models.ContractForm.Status",
        # reception and channels
        "DutyStatusEnum": "anchang.assignment.models.DutyEntry.Status",
        "TurnKindEnum": "anchang.assignment.models.TurnEntry.Kind",
        "ChannelReportStatusEnum": "anchang.assignment.models.ChannelReport.Status",
        "SkipReasonEnum": ["busy", "away", "no_answer"],  # assignment.rules.SKIP_REASONS
        "LossApplicationReasonEnum": "anchang.followups.models.LossApplication.Reason",
        "ConflictDecisionEnum": ["kept", "transferred", "split"],
        # imports
        "ImportKindEnum": ["visits", "calls", "customers"],  # assignment.imports.rules.KINDS
        "ImportStatusEnum": "anchang.assignment.models.ImportBatch.Status",
        "ImportOutcomeEnum": ["new_customer", "return", "merged", "conflict", "invalid"],
        "RegistrationOutcomeEnum": "anchang.customers.models.Registration.Outcome",
    },
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"  # shown by default; stored in UTC
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ANCHANG_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("ANCHANG_STATIC_FINDERS", False)

# --- Logging: no personal data; phones are masked before they reach a log line --------
LOG_DIR = Path(os.environ.get("ANCHANG_LOG_DIR", DATA_DIR / "logs"))
LOG_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "anchang.logging_filters.MaskPersonalData"}},
    "formatters": {
        "plain": {
            "()": "anchang.logging_filters.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_pii"],
        },
        "file": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(LOG_DIR / "anchang.log"),
            "formatter": "plain",
            "filters": ["mask_pii"],
            "encoding": "utf-8",
        },
    },
    "root": {
        "handlers": ["console", "file"],
        "level": os.environ.get("ANCHANG_LOG_LEVEL", "INFO"),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # the providers' request lines carry access tokens (WeCom's) in their URLs
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
