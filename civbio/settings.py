"""Settings for civbio: one module, every difference between environments from the environment.

A bare checkout runs with DEBUG=1 on SQLite with in-process tasks. Production (DEBUG unset) refuses
to start without SECRET_KEY and ALLOWED_HOSTS. The README lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> None:
    """Load KEY=VALUE lines into the environment; variables already set win. `make install`
    writes a development `.env` (DEBUG=1) so `manage.py` works in a checkout; production sets
    real variables and has no such file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


ENV_FILE = os.environ.get("CIVBIO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    read_env_file(Path(ENV_FILE))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_required(name: str, development_default: str) -> str:
    """A value production must set; development falls back to a harmless default."""
    value = env_str(name)
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (production).")


DEBUG = env_bool("DEBUG")

SECRET_KEY = env_required("SECRET_KEY", "django-insecure-development-only-key-do-not-deploy")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or (
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (production).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "civbio.views.csrf_failure"

INSTALLED_APPS = [
    "civbio.apps.CivbioAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "auditlog",
    "civbio",
    "partners",
    "programmes",
    "students",
    "activities",
    "ledger",
    "reports",
    # Installed everywhere, production too: it has no models, URLs or receivers, only the
    # `load_demo` command, which refuses with DEBUG off (one settings file, the same apps).
    "demo",
]

MIDDLEWARE = [
    "civbio.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civbio.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made a change, for the audit trail (django-auditlog).
    "auditlog.middleware.AuditlogMiddleware",
    "civbio.middleware.SessionTimeoutMiddleware",
    "civbio.middleware.MfaRequiredMiddleware",
]

ROOT_URLCONF = "civbio.urls"
WSGI_APPLICATION = "civbio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civbio.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite out of the box, PostgreSQL through DATABASE_URL. Persistent connections with a
# health check, because opening a PostgreSQL connection per request costs more than the page.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default cost of a random read (4) is that of a spinning disk; on SSDs it makes
    # the planner scan whole tables where an index would answer (the school dashboard's class
    # progress, for one).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={env_str('DATABASE_RANDOM_PAGE_COST', '1.1')}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the shared cache (login rate limits need one shared by every web process), the Celery
# broker and result store. Without it: local-memory caches and tasks run in-process.
# One cache (login rate limits, the worker's heartbeat, an import's progress, drawn charts);
# sessions are Django's own, in the database. Production needs Redis: without a shared cache
# every web process would count failed logins on its own (the limits multiplied by the number
# of processes) and tasks would run inside requests.
REDIS_URL = env_required("REDIS_URL", "")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "civbio")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with a circuit breaker: a Redis that is down or hangs costs a request
            # at most one short timeout, then nothing for a few seconds (civbio/redis_cache.py).
            "BACKEND": "civbio.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Well under gunicorn's worker timeout; Redis on the same network answers in
            # about a millisecond.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Monitoring asks /healthz for the detailed answer with this token (header X-Healthz-Token);
# without it only requests from this machine get the detail, everyone else just up or down.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
# Without a broker, tasks run in-process; tests set it explicitly to run tasks inline.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer fails a task's sending in seconds (reports.services._enqueue
# then leaves the row queued for the sweep) instead of holding the request. Redis gives a task
# taken by a worker that vanished to another after visibility_timeout: longer than the longest
# retry countdown (an e-mail's, up to an hour), or a waiting retry would be sent twice. A lost
# report does not wait for it: its heartbeat and the sweep bring it back within a minute.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "visibility_timeout": 2 * 3600}
CELERY_TIMEZONE = "Europe/Amsterdam"
# Schedules live in the database (django-celery-beat), so coordinators change them in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "partners.backends.AuthenticationBackend",
    # Permissions only (it authenticates nobody): the coordinator role opens the admin.
    "civbio.rules.CoordinatorBackend",
]
# Django's checks with civbio's own messages (informal Dutch "je", like the rest of the app).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "partners.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "partners.validators.UserAttributeSimilarityValidator"},
    {"NAME": "partners.validators.CommonPasswordValidator"},
    {"NAME": "partners.validators.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("FAST_PASSWORD_HASHER")
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# django-allauth: e-mail login, no open sign-up (people join by invitation).
ACCOUNT_ADAPTER = "partners.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "partners.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[civbio] "
# One address per person, the login: a new one replaces the old once its owner confirms it.
ACCOUNT_CHANGE_EMAIL = True

# Second factor: an authenticator app (TOTP) with recovery codes. Required for the roles that see
# the whole consortium's money or every partner's data; optional for everyone else. On in
# production; the local demo of `make run` leaves it off so its logins open straight away.
# Behind the TLS proxy every request comes from the proxy: the login rate limits must count the
# client's address, which the proxy puts in X-Forwarded-For (the number of proxies in front of the
# app), or in a header of its own. Leave both unset when nothing sits in front of gunicorn.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env_str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "partners.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "civbio"
# A code typed as the 30-second window turns is still taken (one window either side).
MFA_TOTP_TOLERANCE = 1
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)
MFA_REQUIRED_ROLES = ("coordinator", "funder")
# The audit trail: who changed what, when, on the records that carry money, people's data or
# commitments. Shown to coordinators on the records' pages; erased with a student.
_ACTIVITIES = [
    "activities.Activity",
    "activities.Posting",
    "activities.GuestLesson",
    "activities.PracticumAssignment",
    "activities.Event",
    "activities.ResearchProject",
]
_AUDITED = [
    "partners.Organisation",
    "partners.User",
    *_ACTIVITIES,
    "activities.Request",
    "activities.Nomination",
    "activities.Placement",
    "ledger.Contribution",
    "students.Student",
    "students.Enrolment",
    "students.UnitProgress",
    "students.Qualification",
    "students.Module",
    "students.ModuleUnit",
    "programmes.Commitment",
    "programmes.Indicator",
    "programmes.IndicatorTarget",
    "programmes.IndicatorValue",
    "programmes.Milestone",
]
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    *(
        {
            "model": label,
            "exclude_fields": ["created_at", "updated_at"]
            + (["password", "last_login"] if label == "partners.User" else [])
            # Read from a view (CreboList): the audit trail would query it on every save.
            + (["crebo_list"] if label in _ACTIVITIES else []),
        }
        for label in _AUDITED
    ),
    # When the periodic work runs, and whether the reminders run; not each run's bookkeeping.
    {
        "model": "django_celery_beat.PeriodicTask",
        "exclude_fields": ["last_run_at", "total_run_count", "date_changed"],
    },
)
AUDITLOG_STORE_JSON_CHANGES = True
# A session ends after this long without a request, and in any case this long after login.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
# Module grades (the Dutch 1-10 scale by default) and the lowest passing grade.
GRADE_SCALE = (env_int("GRADE_MIN", 1), env_int("GRADE_MAX", 10))
GRADE_PASS = float(env_str("GRADE_PASS", "5.5"))
# Students are anonymised this many months after they left school.
STUDENT_RETENTION_MONTHS = env_int("STUDENT_RETENTION_MONTHS", 24)
# A report's worker writes a heartbeat every REPORT_HEARTBEAT_SECONDS while it makes it; one
# silent for REPORT_STUCK_SECONDS is taken for lost and the stuck-report sweep (every 20 s)
# sends the report again, so a lost report resumes within a minute. A pool process that dies is
# quicker still: Celery delivers its task again at once and the same run takes the report over.
REPORT_HEARTBEAT_SECONDS = float(env_str("REPORT_HEARTBEAT_SECONDS", "5"))
REPORT_STUCK_SECONDS = env_int("REPORT_STUCK_SECONDS", 30)
# Seconds a report worker pauses after each step: 0 in use; the test suite slows it down to stop
# a worker half-way.
REPORT_STEP_PAUSE = float(env_str("REPORT_STEP_PAUSE", "0"))
# A student import whose worker has shown no sign of life for this long is queued again (a batch
# of 500 rows takes well under a second), and failed visibly after IMPORT_MAX_ATTEMPTS tries.
IMPORT_STUCK_SECONDS = env_int("IMPORT_STUCK_SECONDS", 120)
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 3)
# Seconds an import worker pauses after each batch: 0 in use; the test suite stops one half-way.
IMPORT_BATCH_PAUSE = float(env_str("IMPORT_BATCH_PAUSE", "0"))
# A student counts as falling behind after this many days without recorded progress.
PROGRESS_STALE_DAYS = env_int("PROGRESS_STALE_DAYS", 21)
# The address people reach civbio at, for links in e-mail.
SITE_URL = env_required("SITE_URL", "http://127.0.0.1:8000")

# Internationalisation: Dutch first, English second.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["civbio.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the static root and are only served through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Without JavaScript a page of the progress grid is sent as one form: 50 students by a module's
# units, a status and a grade each (50 by 12 graded units is 1,200 fields; Django's default is
# 1,000). Room for 49 graded units.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000
LOGO_MAX_BYTES = 1024 * 1024

# E-mail: printed to the console in development, SMTP from the environment in production.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "civbio <no-reply@civbio.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Production is HTTPS-only; the checks of `check --deploy` hold there.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # The __Host- prefix pins the cookie to this exact host, HTTPS and path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
