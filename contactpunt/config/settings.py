"""Contactpunt settings, read from environment variables (see .env.example for every one)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from contactpunt.config.env import env_bool, env_int, env_list, env_secret, env_str
from contactpunt.config.paths import data_dir

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

DEBUG = env_bool("DEBUG", False)

# A key that only development may use; production must bring its own.
DEVELOPMENT_SECRET_KEY = "django-insecure-contactpunt-development-only"  # noqa: S105 (refused unless DEBUG)
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key is None and SECRET_KEY_FILE.exists():
        # `contactpunt up` writes this file once, on first start.
        key = SECRET_KEY_FILE.read_text(encoding="utf-8").strip() or None
    if key is None or key == DEVELOPMENT_SECRET_KEY:
        if DEBUG:
            return DEVELOPMENT_SECRET_KEY
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or is the development key. Set SECRET_KEY (or SECRET_KEY_FILE), "
            "or start with `contactpunt up`, which generates one in the data folder."
        )
    if len(key) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "contactpunt.web.errors.csrf_failure"  # a styled, translated page that says what to do

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "contactpunt.config.apps.TasksConfig",  # django_tasks_db, with a translated name
    "ninja",
    "contactpunt.config.apps.AxesConfig",  # axes, with a translated name
    "contactpunt.customers",
    "contactpunt.contacts",
    "contactpunt.channels.apps.ChannelAdaptersConfig",
    "contactpunt.knowledge",
    "contactpunt.journey",
    "contactpunt.feedback",
    "contactpunt.insights",
    "contactpunt.kpis",
    "contactpunt.workforce",
    "contactpunt.quality",
    "contactpunt.people",
    "contactpunt.api",
    "contactpunt.simulation",
    "contactpunt.audit",
    "contactpunt.ops",
    "contactpunt.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "contactpunt.web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "contactpunt.web.security_headers.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "contactpunt.config.urls"
ASGI_APPLICATION = "contactpunt.config.asgi.application"
WSGI_APPLICATION = "contactpunt.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Django's admin finds its own templates first (it is the first app): our admin/base_site.html (the
        # admin's style sheet beside Django's) is in a folder searched before every app's.
        "DIRS": [BASE_DIR / "web" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contactpunt.web.context_processors.access",
                "contactpunt.web.context_processors.check_in",
                "contactpunt.web.context_processors.knowledge_tasks",
                "contactpunt.web.context_processors.navigation",
            ],
        },
    },
]

# Databases: SQLite in the data folder by default, DATABASE_URL (PostgreSQL) in production.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'contactpunt.sqlite3'}")


def _database_settings(url: str) -> dict[str, Any]:
    """Django settings for one database URL: SQLite with WAL and a busy timeout, or PostgreSQL with a pool."""
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0)))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
        # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            # A minute: on a busy machine the one writer (a niced long-lane job, the live demo catching up) can hold
            # the lock for more than the 20 s this was; a writer that waits is slow, one that gives up loses work.
            "timeout": env_int("SQLITE_BUSY_TIMEOUT_S", 60),
            # secure_delete: deleted and overwritten content is zeroed, so an erased customer leaves no trace in
            # freed pages (the erasure then checkpoints the write-ahead log).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
            ),
        }
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # A connection pool per process: under ASGI, Django's persistent connections do not apply.
        database.setdefault("OPTIONS", {})
        if env_bool("DB_POOL", True):
            database["CONN_MAX_AGE"] = 0
            # Health checks: a connection that died while idle in the pool (PostgreSQL restarted) is
            # replaced when it is handed out, instead of failing the request that gets it.
            database["CONN_HEALTH_CHECKS"] = True
            database["OPTIONS"]["pool"] = {
                "min_size": 1,
                "max_size": env_int("DB_POOL_SIZE", 10),
                "timeout": env_int("DB_POOL_TIMEOUT", 10),
            }
        database["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_contactpunt")}
    else:
        raise ImproperlyConfigured(f"a database URL must be sqlite:// or postgres://, not {database['ENGINE']}")
    return database


DATABASES = {"default": _database_settings(DATABASE_URL)}
# A PostgreSQL replica for the dashboards (`contactpunt.replica`): pages that only show figures read from it.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database_settings(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_READS = env_bool("REPLICA_READS", bool(DATABASE_REPLICA_URL))
DATABASE_ROUTERS = ["contactpunt.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account, or
# from one address, logins from there wait LOGIN_COOLOFF_MINUTES; a good login clears its count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env_bool("LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: they are personal data we do not need
AXES_LOCKOUT_CALLABLE = "contactpunt.web.login_throttle.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "nl")
if LANGUAGE_CODE not in ("nl", "en"):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be nl or en, not {LANGUAGE_CODE!r}")
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# The address customers reach this Contactpunt at: the links in survey invitations start with it (`up` sets it to
# the address it serves when the environment does not).
PUBLIC_URL = env_str("PUBLIC_URL", "http://localhost:8000").rstrip("/")
# The region a phone number without a country code belongs to (E.164 normalisation).
PHONE_REGION = env_str("PHONE_REGION", "NL").upper()
# The country whose public holidays close the queues' business hours by default.
HOLIDAY_COUNTRY = env_str("HOLIDAY_COUNTRY", "NL").upper()
# A thread reply within this many days reopens a resolved case; later it opens a linked new case.
REOPEN_WINDOW_DAYS = env_int("REOPEN_WINDOW_DAYS", 7)
# The fewest weekly check-ins a team aggregate needs before managers and the auditor see it (never below 3).
CHECK_IN_MIN_ANSWERS = max(env_int("CHECK_IN_MIN_ANSWERS", 5), 3)
# Contacts per agent per week in the quality sample.
QUALITY_SAMPLE_SIZE = env_int("QUALITY_SAMPLE_SIZE", 4)
# Retention, in days, per kind of data (applied by a periodic job; 0 keeps it for ever): the raw bytes of
# received mail and message originals, Meta webhook bodies, the bodies of replies already sent or cancelled,
# and the records of login attempts.
RETENTION_RAW_MAIL_DAYS = env_int("RETENTION_RAW_MAIL_DAYS", 90)
RETENTION_WEBHOOK_DAYS = env_int("RETENTION_WEBHOOK_DAYS", 30)
RETENTION_OUTBOX_DAYS = env_int("RETENTION_OUTBOX_DAYS", 90)
RETENTION_LOGIN_ATTEMPT_DAYS = env_int("RETENTION_LOGIN_ATTEMPT_DAYS", 30)
# A job or reply claimed by a worker that shows no sign of life this long (it was killed) is taken up again; a
# live worker renews its claims every fifth of it, so a long job that runs is never taken twice.
WORKER_CLAIM_TIMEOUT_S = max(env_int("WORKER_CLAIM_TIMEOUT_S", 30), 2)
# Seconds a web server process (`up --workers N`) may leave its supervisor's health check unanswered before it is
# killed and replaced. uvicorn's 5 s killed busy processes on a loaded machine (their ping thread waits for the
# interpreter lock behind the requests), dropping every request they held; a hung process is still replaced.
WEB_WORKER_HEALTHCHECK_S = max(env_int("WEB_WORKER_HEALTHCHECK_S", 120), 5)
# The API refuses moments outside [API_EARLIEST_DATE, API_YEARS_AHEAD years from now] with a 422.
try:
    API_EARLIEST_DATE = date.fromisoformat(env_str("API_EARLIEST_DATE", "2000-01-01"))
except ValueError as exc:
    raise ImproperlyConfigured(f"API_EARLIEST_DATE must be a date like 2000-01-01: {exc}") from None
API_YEARS_AHEAD = env_int("API_YEARS_AHEAD", 100)
# Customers' sites that may open the web chat widget and embed the web form (scheme://host[:port]; * for any).
# The product's own ALLOWED_HOSTS always may.
WEBCHAT_ALLOWED_ORIGINS = env_list("WEBCHAT_ALLOWED_ORIGINS", [])
# The queue (code) of web-form contacts; empty: the first active web-form queue.
WEBFORM_QUEUE = env_str("WEBFORM_QUEUE", "")
# The share of portal visitors (percent) who see no article suggestions: the hold-out deflection is measured against.
KNOWLEDGE_HOLDOUT_PERCENT = env_int("KNOWLEDGE_HOLDOUT_PERCENT", 10)
# Mail each knowledge owner (through the outbox) what the hourly job newly flagged to them: reviews, uncovered reasons.
KNOWLEDGE_TASK_EMAIL = env_bool("KNOWLEDGE_TASK_EMAIL", False)
# The public help pages under the organisation's own name and colour (#rrggbb); empty: the product's.
PORTAL_NAME = env_str("PORTAL_NAME", "")
PORTAL_COLOUR = env_str("PORTAL_COLOUR", "")
if PORTAL_COLOUR and not re.fullmatch(r"#[0-9A-Fa-f]{6}", PORTAL_COLOUR):
    raise ImproperlyConfigured(f"PORTAL_COLOUR must be a colour like #1565c0, not {PORTAL_COLOUR!r}")
# The largest request body the API accepts (the bulk endpoint takes up to 1,000 contacts).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# Attachments that arrive with a message: larger ones, and those of a blocked type (by extension or content
# type), are kept out; the message is stored all the same and says what was withheld and why.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
ATTACHMENT_BLOCKED_EXTENSIONS = [
    e.lower().lstrip(".")
    for e in env_list(
        "ATTACHMENT_BLOCKED_EXTENSIONS",
        [
            *("exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "jar", "vbs"),
            *("vbe", "js", "jse", "wsf", "wsh", "ps1", "hta", "lnk", "reg", "scf", "iso", "img"),
        ],
    )
]
ATTACHMENT_BLOCKED_TYPES = [
    t.lower()
    for t in env_list(
        "ATTACHMENT_BLOCKED_TYPES",
        [
            "application/x-msdownload",
            "application/x-msdos-program",
            "application/x-dosexec",
            "application/vnd.microsoft.portable-executable",
            "application/x-ms-installer",
            "application/java-archive",
            "application/hta",
        ],
    )
]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    # Shared by every web process, so the chat's and the web form's rate limits hold across them.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        # The worker's lanes (contactpunt.ops.lanes); "default" for a task that names none (the long lane runs it).
        "QUEUES": ["short", "long", "default"],
    }
}

# Transport security, each settable from the environment. Cookies are Secure unless DEBUG is on
# (`contactpunt up` on a loopback address, the local demo, turns them off: nothing leaves the machine).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_header and len(_proxy_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be a header and a value, like HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1]) if _proxy_header else None
# HSTS is sent on HTTPS responses only, so the default does nothing on a plain-HTTP demo.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "refusal_without_traceback": {
            "()": "django.utils.log.CallbackFilter",
            "callback": "ext://contactpunt.config.log_filters.refusal_without_traceback",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusal_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # a line per failed login is noise; lockouts go to the audit log
        # One line per periodic task every half minute drowns what matters; failures still show.
        "django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
    },
}
