"""Settings for videogen, read from the environment.

Every variable is listed in `.env.example` and in the README. The defaults run a complete
studio on one machine: SQLite, the django-q2 ORM broker, an embedded Redis for the channel
layer and files on the local disk.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from videogen.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

DATA_DIR = Path(env_str("VIDEOGEN_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    # Keep a generated key beside the data so sessions and reset links survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "videogen")
# Web processes `manage.py serve` runs on its port: each uses one CPU core at most, so by
# default one per core this process may use (at most 8).
WEB_PROCESSES = env_int("WEB_PROCESSES", min(len(os.sched_getaffinity(0)), 8), minimum=1)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_q",
    "channels",
    "accounts",
    "gallery",
    "pipeline",
    "studio",
    # The project package: operations (health, stats, metrics, clean-up) and its commands.
    "videogen",
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
    # Sync only, and last: Django then runs the whole chain in one worker thread per request
    # instead of hopping between the event loop and threads around each middleware.
    "videogen.limits.ApiKeyMiddleware",
]

ROOT_URLCONF = "videogen.urls"
ASGI_APPLICATION = "videogen.asgi.application"
WSGI_APPLICATION = None

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
                "videogen.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        # Web processes keep a few request threads for their lifetime (videogen/asgi.py), so
        # a connection serves many requests; it is checked before reuse after an error.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; IMMEDIATE transactions take the
    # write lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        # The user model has an email and a display name, not Django's username and names.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "studio:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000, minimum=1)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# The media library: clips are probed and re-muxed, pictures decoded and re-encoded.
MEDIA_CLIP_MAX_BYTES = env_int("MEDIA_CLIP_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
MEDIA_CLIP_MAX_SECONDS = env_int("MEDIA_CLIP_MAX_SECONDS", 60, minimum=1)
# Stock photos and footage: off while the key is empty. The base URLs are for tests and proxies.
PEXELS_API_KEY = env_str("PEXELS_API_KEY")
PEXELS_BASE_URL = env_str("PEXELS_BASE_URL", "https://api.pexels.com")
PIXABAY_API_KEY = env_str("PIXABAY_API_KEY")
PIXABAY_BASE_URL = env_str("PIXABAY_BASE_URL", "https://pixabay.com")
# How long a stock search is remembered (a re-render asks nothing new within it).
STOCK_CACHE_SECONDS = env_int("STOCK_CACHE_SECONDS", 24 * 3600, minimum=0)
REPORTS_AUTO_HIDE_THRESHOLD = env_int("REPORTS_AUTO_HIDE_THRESHOLD", 3, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- email ----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "videogen <noreply@localhost>")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Media are never served as plain files: every video, poster and avatar goes through a view
# that checks who may see it.
MEDIA_URL = "/media/"
JOB_WORK_DIR = Path(env_str("JOB_WORK_DIR", str(DATA_DIR / "work")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
S3_BUCKET = env_str("S3_BUCKET")
# Videos on S3 are read in ranges through the web process; with S3_REDIRECT the video views
# answer, after the permission check, with a redirect to a presigned link to the object.
S3_REDIRECT = env_bool("S3_REDIRECT", False)
S3_REDIRECT_SECONDS = env_int("S3_REDIRECT_SECONDS", 300, minimum=10)
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "videogen.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- redis, cache, channels, queue ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Without REDIS_URL the channel layer uses the embedded Redis server that `manage.py serve`
# starts on a unix socket in DATA_DIR (no separately installed server needed).
EMBEDDED_REDIS_SOCKET = DATA_DIR / "run" / "redis.sock"
CHANNEL_LAYER_URL = env_str("CHANNEL_LAYER_URL", REDIS_URL or f"unix://{EMBEDDED_REDIS_SOCKET}")
INSTANCE_PREFIX = env_str("VIDEOGEN_INSTANCE", "videogen")

# Redis pub/sub: a group_send is one PUBLISH that each web process receives once and hands to
# its own subscribers, so an event reaches hundreds of sockets on a job at the cost of one
# message. Nothing is lost by not queueing: the events are rows, and clients replay them.
# Every Redis client gives up on a server that does not answer (hung, or cut off by the
# network) instead of waiting forever; one that refuses connections fails at once anyway.
# The socket timeout must exceed the 1 s a django-q2 pusher blocks waiting for a task.
REDIS_CLIENT_TIMEOUTS = {"socket_connect_timeout": 5, "socket_timeout": 10}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": CHANNEL_LAYER_URL, **REDIS_CLIENT_TIMEOUTS}],
            "prefix": f"{INSTANCE_PREFIX}:asgi",
        },
    }
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": INSTANCE_PREFIX,
            "OPTIONS": REDIS_CLIENT_TIMEOUTS,
        }
    }
else:
    # Shared by the web server and the workers (throttles, worker status) without a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

MAX_CONCURRENT_JOBS = env_int("MAX_CONCURRENT_JOBS", 2, minimum=1)
MAX_ACTIVE_JOBS_PER_USER = env_int("MAX_ACTIVE_JOBS_PER_USER", 3, minimum=1)
JOB_TIMEOUT = env_int("JOB_TIMEOUT", 3600, minimum=10)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
JOB_RETRY_BACKOFF = env_float("JOB_RETRY_BACKOFF", 5.0)
JOB_HEARTBEAT_SECONDS = env_float("JOB_HEARTBEAT_SECONDS", 2.0)
JOB_STALE_SECONDS = env_float("JOB_STALE_SECONDS", 20.0)
EVENT_PROGRESS_INTERVAL = env_float("EVENT_PROGRESS_INTERVAL", 0.25)
# Health writes a file to the storage at most this often per web process.
HEALTH_STORAGE_CHECK_SECONDS = env_float("HEALTH_STORAGE_CHECK_SECONDS", 10.0)
GPU_LOCK_DIR = Path(env_str("GPU_LOCK_DIR", str(DATA_DIR / "locks")))
# kind -> generator; the "demo" kind (a titled clip with a tone) is added when enabled.
VIDEOGEN_GENERATORS: dict[str, str] = {
    "explainer": "pipeline.generators.explainer.generator",
    "story": "pipeline.generators.story.generator",
    "youtube": "pipeline.generators.youtube.generator",
}
VIDEOGEN_GENERATORS["ai_video"] = "pipeline.generators.ai_video.generator"
# More generators from other packages: "kind=dotted.path.to.generator,..."
for _item in env_list("VIDEOGEN_EXTRA_GENERATORS"):
    _kind, _sep, _path = _item.partition("=")
    if not (_sep and _kind.strip() and _path.strip()):
        raise ImproperlyConfigured(
            f"VIDEOGEN_EXTRA_GENERATORS items look like kind=dotted.path, got {_item!r}"
        )
    VIDEOGEN_GENERATORS[_kind.strip()] = _path.strip()
VIDEOGEN_DEMO_KIND = env_bool("VIDEOGEN_DEMO_KIND", False)

# Separate worker clusters: with GPU_CLUSTER set, jobs of the GPU_KINDS go to a queue of that
# name, which only workers started with Q_CLUSTER_NAME=<GPU_CLUSTER> take (GPU hosts); every
# other worker takes the rest. Without it, every worker takes every job.
GPU_CLUSTER = env_str("GPU_CLUSTER")
GPU_KINDS = env_list("GPU_KINDS", ["ai_video"])
GPU_WORKERS = env_int("GPU_WORKERS", 1, minimum=1)

Q_CLUSTER = {
    # The site's name: the same in every cluster (it signs the queued tasks). Which queue a
    # worker takes is django-q2's own Q_CLUSTER_NAME variable (unset: the default queue).
    "name": INSTANCE_PREFIX,
    "workers": MAX_CONCURRENT_JOBS,
    # The runner enforces JOB_TIMEOUT itself; django-q2's hard timeout is the backstop.
    "timeout": JOB_TIMEOUT + 60,
    # Must exceed the timeout, or django-q2 hands a slow task to a second worker.
    "retry": JOB_TIMEOUT + 120,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 200,
    "label": "Task queue",
    "poll": 0.2,
    # Few tasks wait inside a cluster: the rest stay in the broker, where any worker sees them.
    "queue_limit": MAX_CONCURRENT_JOBS,
    "guard_cycle": 0.5,
    # What a GPU worker changes (django-q2 reads Q_CLUSTER_NAME and applies its entry).
    "ALT_CLUSTERS": (
        {GPU_CLUSTER: {"workers": GPU_WORKERS, "queue_limit": GPU_WORKERS}} if GPU_CLUSTER else {}
    ),
}
if REDIS_URL:
    # django-q2 takes the URL alone: the timeouts ride in it, unless it sets its own.
    _redis = urlsplit(REDIS_URL)
    _query = dict(parse_qsl(_redis.query))
    for _name, _seconds in REDIS_CLIENT_TIMEOUTS.items():
        _query.setdefault(_name, str(_seconds))
    Q_CLUSTER["redis"] = urlunsplit(_redis._replace(query=urlencode(_query)))
    # Sends again what could not be queued while Redis was down, once it is back.
    Q_CLUSTER["broker_class"] = "pipeline.engine.broker.RedisBroker"
else:
    Q_CLUSTER["orm"] = "default"

# --- videos ---------------------------------------------------------------------------------
VIDEO_MAX_HEIGHT = env_int("VIDEO_MAX_HEIGHT", 1080, minimum=240)
VIDEO_MAX_FPS = env_int("VIDEO_MAX_FPS", 60, minimum=1)
VIDEO_MAX_SECONDS = env_int("VIDEO_MAX_SECONDS", 600, minimum=5)
# Every frame encoded (what editors and older players expect), or only the frames that
# change (3x faster for slideshows; browsers play it).
VIDEO_CONSTANT_FRAME_RATE = env_bool("VIDEO_CONSTANT_FRAME_RATE", True)
# Integrated loudness (LUFS, EBU R128) the sound of every video is normalised to, with its
# true peak kept under -1 dBTP; "off" keeps the level the voice and music give.
if env_str("AUDIO_TARGET_LUFS").lower() == "off":
    AUDIO_TARGET_LUFS = None
else:
    AUDIO_TARGET_LUFS = env_float("AUDIO_TARGET_LUFS", -14.0)
    if not -40 <= AUDIO_TARGET_LUFS <= -5:
        raise ImproperlyConfigured(
            f"AUDIO_TARGET_LUFS must be between -40 and -5 (or off), got {AUDIO_TARGET_LUFS}"
        )
EXPLAINER_PARALLEL = env_int("EXPLAINER_PARALLEL", 2, minimum=1)
LLM_CODE_REPAIRS = env_int("LLM_CODE_REPAIRS", 2, minimum=0)
SANDBOX_TIMEOUT = env_int("SANDBOX_TIMEOUT", 120, minimum=5)
# The Python (with Manim) that runs model-written scenes; empty: the one running the worker.
SANDBOX_PYTHON = os.environ.get("SANDBOX_PYTHON", "")

# --- limits ---------------------------------------------------------------------------------
# Storage counts each person's videos and reference uploads; 0 means no limit.
_MIB = 1024 * 1024
USER_STORAGE_QUOTA_BYTES = env_int("USER_STORAGE_QUOTA_MB", 2048, minimum=0) * _MIB
STORAGE_CAP_BYTES = env_int("STORAGE_CAP_MB", 0, minimum=0) * _MIB
# Days a video is kept (0: forever), and days the work folder and stored artifacts of a
# finished job are kept.
VIDEO_RETENTION_DAYS = env_int("VIDEO_RETENTION_DAYS", 0, minimum=0)
JOB_WORK_RETENTION_DAYS = env_int("JOB_WORK_RETENTION_DAYS", 7, minimum=0)
# Each worker sweeps its own work folder when it starts, then at most this often.
WORK_SWEEP_SECONDS = env_int("WORK_SWEEP_SECONDS", 3600, minimum=1)
# Files no row refers to are removed once they are this old (a file being stored is young).
ORPHAN_GRACE_HOURS = env_int("ORPHAN_GRACE_HOURS", 24, minimum=1)
# Larger request bodies get 413 before they are read (the largest upload, plus room for the
# form around it).
REQUEST_MAX_BYTES = env_int(
    "REQUEST_MAX_BYTES",
    max(UPLOAD_MAX_BYTES, AVATAR_MAX_BYTES, MEDIA_CLIP_MAX_BYTES) + _MIB,
    minimum=1024,
)
# A site-wide key that API clients must send (X-API-Key) besides their own credentials.
API_KEY_REQUIRED = env_bool("API_KEY_REQUIRED", False)
API_KEYS = env_list("API_KEYS")
if API_KEY_REQUIRED and not API_KEYS:
    raise ImproperlyConfigured("API_KEY_REQUIRED is on but API_KEYS lists no key.")
# What the profile and `auth/me` show of a person's usage (accounts knows nothing of jobs).
ACCOUNT_USAGE_FUNCTION = "pipeline.quotas.user_usage"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies are JSON, whose types the schema can state; the two uploads take multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "videogen.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "videogen.exceptions.api_exception_handler",
    "PAGE_SIZE": 20,
    # How many proxies in front add X-Forwarded-For; throttles trust no more than that.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN", "10/min"),
        "register": env_str("THROTTLE_REGISTER", "20/hour"),
        "job_create": env_str("THROTTLE_JOB_CREATE", "30/hour"),
        # A scene's narration spoken for the storyboard editor's Listen button.
        "listen": env_str("THROTTLE_LISTEN", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "videogen API",
    "DESCRIPTION": "Turn text into finished videos: jobs, live events, videos and accounts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "videogen.openapi.document_error_responses",
    ],
}

# --- logging and metrics --------------------------------------------------------------------
# plain: lines for people; json: one object per line (with the job's id) for log collectors.
LOG_FORMAT = env_str("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "videogen.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-q2 logs as "django-q"; it adds a handler of its own only when none is configured.
    "loggers": {"django-q": {"level": env_str("Q_LOG_LEVEL", "WARNING")}},
}
# With a token, /metrics wants `Authorization: Bearer <token>`; without, only staff sessions
# and requests from this machine (loopback, not through a proxy) may read it.
METRICS_TOKEN = env_str("METRICS_TOKEN")


# --- providers ---
# Pluggable backends, configured like STORAGES: per role a BACKEND class and its OPTIONS.
# VIDEOGEN_LLM / VIDEOGEN_TTS / VIDEOGEN_IMAGES / VIDEOGEN_T2V pick a built-in backend by its
# short name; each backend class declares its options, their defaults and the environment
# variables that set them (pipeline/providers), and this reads those variables with the typed
# helpers. The system checks in pipeline/checks.py validate the result at start-up (missing
# API keys included). VIDEOGEN_T2V_MODEL is a local diffusers folder or a Hugging Face repo id
# already in this machine's HF cache (never downloaded); without it the t2v role is present
# but unavailable, and the ai_video generator says which setting to set.
def _env_option(variable: str, default):
    if isinstance(default, bool):
        return env_bool(variable, default)
    if isinstance(default, int):
        return env_int(variable, default)
    if isinstance(default, float):
        return env_float(variable, default)
    return env_str(variable, default)


def _providers_from_environment() -> dict:
    from django.utils.module_loading import import_string

    from pipeline.providers.loader import ROLES, backend_named

    providers = {}
    for role, base in ROLES.items():
        path, backend = backend_named(role, env_str(import_string(base).choice_setting))
        providers[role] = {"BACKEND": path, "OPTIONS": backend.options_from(_env_option)}
    return providers


VIDEOGEN_PROVIDERS = _providers_from_environment()

# Limits of the ai_video options (LTX-Video: sides in multiples of 32, 8n+1 frames).
T2V_MAX_WIDTH = env_int("T2V_MAX_WIDTH", 1280, minimum=32)
T2V_MAX_HEIGHT = env_int("T2V_MAX_HEIGHT", 1280, minimum=32)
T2V_MAX_FRAMES = env_int("T2V_MAX_FRAMES", 257, minimum=9)
T2V_MAX_SHOTS = env_int("T2V_MAX_SHOTS", 8, minimum=1)
