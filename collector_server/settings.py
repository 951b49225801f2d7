"""Django settings of the collector; everything deployment-specific comes from the environment.

MINECHECK_DATA      data folder (SQLite database, secret key); `--data` of the CLI sets it
DATABASE_URL        PostgreSQL (or another database) instead of the embedded SQLite
MINECHECK_DEBUG     1 for development only
MINECHECK_ALLOWED_HOSTS, MINECHECK_TRUSTED_PROXIES, MINECHECK_SECURE_COOKIES,
MINECHECK_CSRF_TRUSTED_ORIGINS, MINECHECK_MAX_REPORT_BYTES, MINECHECK_MAX_CONCURRENT_INGESTS,
MINECHECK_MAX_CLOCK_AHEAD_HOURS, MINECHECK_MAX_REPORT_AGE_DAYS
MINECHECK_PUBLIC_URL  the address agents use, shown with new enrollment tokens
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MINECHECK_DATA", Path.cwd() / "data")).resolve()
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key() -> str:
    """Read the key `init` stored in the data folder; create it if the folder is new."""
    if os.environ.get("MINECHECK_SECRET_KEY"):
        return os.environ["MINECHECK_SECRET_KEY"]
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    SECRET_KEY_FILE.write_text(key + "\n", encoding="utf-8")
    with contextlib.suppress(OSError):  # Windows: the data folder's ACLs apply
        SECRET_KEY_FILE.chmod(0o600)
    return key


SECRET_KEY = load_secret_key()
DEBUG = _env_bool("MINECHECK_DEBUG")
ALLOWED_HOSTS = _env_list("MINECHECK_ALLOWED_HOSTS", "*")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # The collector's apps come first, so their templates override the fallbacks.
    "collector_server.web",
    "collector_server.accounts",
    "collector_server.ledger",
    "collector_server.reports",
    "collector_server.signatures",
    "collector_server.notices",
    "collector_server.compliance",
    "huey.contrib.djhuey",
    "collector_server.jobs",
    "axes",  # login throttling: must come after the apps whose templates override its own
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "collector_server.http.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers locked-out logins
]

ROOT_URLCONF = "collector_server.urls"
WSGI_APPLICATION = "collector_server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collector_server.accounts.context_processors.role_access",
            ],
        },
    },
]

# --- database: embedded SQLite (WAL) by default, DATABASE_URL for PostgreSQL ----------------
if os.environ.get("DATABASE_URL"):
    import dj_database_url

    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=300, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "minecheck.sqlite3",
            "OPTIONS": {
                # Writers queue for the lock at BEGIN instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            "CONN_MAX_AGE": 300,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background jobs: huey on SQLite in the data folder, Redis with MINECHECK_REDIS_URL ----
from collector_server.jobs.config import huey_settings  # noqa: E402

HUEY = huey_settings(DATA_DIR)

# --- auth: Django's PBKDF2-SHA256 hasher (the default, 1,000,000 iterations in Django 5.2) --
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- login throttling (django-axes) ---------------------------------------------------------
# Five wrong passwords for one user name from one address lock that pair for an hour; the
# bureau admin unlocks with `minecheck-server user unlock NAME` (docs/security.*.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("MINECHECK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_IPWARE_PROXY_COUNT = None
AXES_VERBOSE = False

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = LOGIN_URL

# --- language: Simplified Chinese first, English available -----------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("MINECHECK_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files: served by the app itself (whitenoise), nothing from the internet --------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # works before/without collectstatic
WHITENOISE_AUTOREFRESH = DEBUG

# --- security: CSRF on; secure cookies when served over HTTPS (docs/deployment.*.md) -------
SECURE_COOKIES = _env_bool("MINECHECK_SECURE_COOKIES")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_TRUSTED_ORIGINS = _env_list("MINECHECK_CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if SECURE_COOKIES:  # production behind a TLS reverse proxy: `manage check --deploy` is clean
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("MINECHECK_HSTS_SECONDS", "86400"))
    SECURE_SSL_REDIRECT = _env_bool("MINECHECK_SSL_REDIRECT", True)
    # intranet names cannot be on the browsers' preload list, and other hosts under a
    # bureau's domain may still be plain HTTP: HSTS covers this host only, on purpose
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# --- agent API --------------------------------------------------------------------------------
# Reverse proxies whose X-Forwarded-For is believed (IP addresses or CIDR ranges).
# The address agents reach this server at (shown with new enrollment tokens); empty: the
# address the dashboard page was asked on.
MINECHECK_PUBLIC_URL = os.environ.get("MINECHECK_PUBLIC_URL", "").strip()
MINECHECK_TRUSTED_PROXIES = _env_list("MINECHECK_TRUSTED_PROXIES")
MINECHECK_MAX_REPORT_BYTES = int(os.environ.get("MINECHECK_MAX_REPORT_BYTES", 8 * 1024 * 1024))
MINECHECK_MAX_CONCURRENT_INGESTS = int(os.environ.get("MINECHECK_MAX_CONCURRENT_INGESTS", "32"))
MINECHECK_RETRY_AFTER_SECONDS = int(os.environ.get("MINECHECK_RETRY_AFTER_SECONDS", "30"))
# How far a report's started_at may lie ahead of the server's clock, and behind it (a file
# hand-carried on a USB stick may be weeks old); reports outside are refused.
MINECHECK_MAX_CLOCK_AHEAD_HOURS = float(os.environ.get("MINECHECK_MAX_CLOCK_AHEAD_HOURS", "24"))
MINECHECK_MAX_REPORT_AGE_DAYS = float(os.environ.get("MINECHECK_MAX_REPORT_AGE_DAYS", "180"))
# Reports received longer ago than this are thinned daily (reports/prune.py): the latest per
# device per day, every report with findings and every report a notice case refers to stay.
# 0 switches thinning off.
MINECHECK_REPORT_RETENTION_DAYS = float(os.environ.get("MINECHECK_REPORT_RETENTION_DAYS", "90"))
# Request bodies are read by the API itself (streamed, size-limited), not by Django's parser.
DATA_UPLOAD_MAX_MEMORY_SIZE = MINECHECK_MAX_REPORT_BYTES + 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINECHECK_LOG_LEVEL", "WARNING")},
}
