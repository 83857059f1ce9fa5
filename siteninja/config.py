"""Application configuration: the only module that reads the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

ROOT_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT_DIR / "instance"

load_dotenv(ROOT_DIR / ".env")

DEFAULT_PLAN_LIMITS = {
    "free": {
        "pages": 5,
        "storage_bytes": 100 * 1024**2,
        "webhooks": 1,
        "api_rate_per_minute": 60,
        "premium_templates": False,
        "custom_domain": False,
    },
    "starter": {
        "pages": 25,
        "storage_bytes": 1024**3,
        "webhooks": 5,
        "api_rate_per_minute": 300,
        "premium_templates": False,
        "custom_domain": True,
    },
    "pro": {
        "pages": 200,
        "storage_bytes": 10 * 1024**3,
        "webhooks": 20,
        "api_rate_per_minute": 1000,
        "premium_templates": True,
        "custom_domain": True,
    },
    "enterprise": {
        "pages": None,
        "storage_bytes": 100 * 1024**3,
        "webhooks": 100,
        "api_rate_per_minute": 5000,
        "premium_templates": True,
        "custom_domain": True,
    },
}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = _env(name)
    return default if value is None else int(value)


def normalize_database_url(url: str) -> str:
    """Accept ``postgres://``/``postgresql://`` (driver psycopg2) and relative SQLite paths."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            url = "postgresql+psycopg2://" + url[len(scheme) :]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///") :]
        if relative and relative != ":memory:":
            url = f"sqlite:///{ROOT_DIR / relative}"
    return url


def _database_url() -> str:
    return normalize_database_url(_env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'siteninja.db'}"))


class BaseConfig:
    """Settings shared by every environment, read from the environment once."""

    ENV_NAME = "base"
    TESTING = False

    SECRET_KEY = _env("SECRET_KEY") or secrets.token_urlsafe(32)
    JWT_SECRET_KEY = _env("JWT_SECRET_KEY") or secrets.token_urlsafe(32)
    API_KEY_PEPPER = _env("API_KEY_PEPPER")
    API_KEY_USAGE_FLUSH_SECONDS = _int("API_KEY_USAGE_FLUSH_SECONDS", 30)
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]
    JWT_ISSUER = _env("JWT_ISSUER", "siteninja")
    JWT_ACCESS_MINUTES = _int("JWT_ACCESS_MINUTES", 15)
    JWT_REFRESH_DAYS = _int("JWT_REFRESH_DAYS", 30)

    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")

    SITE_BASE_DOMAIN = _env("SITE_BASE_DOMAIN", "siteninja.localhost")
    SITE_CACHE_TTL = _int("SITE_CACHE_TTL", 300)
    CORS_ORIGINS = [o.strip() for o in (_env("CORS_ORIGINS", "") or "").split(",") if o.strip()]
    TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_UPLOAD_LENGTH = 20 * 1024 * 1024
    MAX_IMAGE_UPLOAD_LENGTH = 5 * 1024 * 1024
    MAX_UPLOAD_REQUEST_LENGTH = _int("MAX_UPLOAD_REQUEST_LENGTH", 50 * 1024 * 1024)
    MAX_UPLOAD_FILES = _int("MAX_UPLOAD_FILES", 10)

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATE_LIMIT_ANON = _env("RATE_LIMIT_ANON", "60/minute")
    RATE_LIMIT_USER = _env("RATE_LIMIT_USER", "600/minute")
    RATE_LIMIT_LOGIN = _env("RATE_LIMIT_LOGIN", "5/minute")
    RATE_LIMIT_AI = _env("RATE_LIMIT_AI", "20/minute")

    WEBHOOK_ALLOW_HTTP = _bool("WEBHOOK_ALLOW_HTTP", False)
    WEBHOOK_ALLOW_PRIVATE = _bool("WEBHOOK_ALLOW_PRIVATE", False)
    WEBHOOK_TIMEOUT = _int("WEBHOOK_TIMEOUT", 10)
    WEBHOOK_RETRY_SCHEDULE = [
        int(s) for s in (_env("WEBHOOK_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000,36000") or "").split(",")
    ]
    WEBHOOK_MAX_FAILURES = _int("WEBHOOK_MAX_FAILURES", 20)
    WEBHOOK_SWEEP_SECONDS = _int("WEBHOOK_SWEEP_SECONDS", 5)

    STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")
    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    S3_BUCKET = _env("S3_BUCKET")
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
    S3_REGION = _env("S3_REGION")
    ASSET_URL_TTL = _int("ASSET_URL_TTL", 3600)
    S3_PRESIGN_TTL = _int("S3_PRESIGN_TTL", 300)

    MAIL_BACKEND = _env("MAIL_BACKEND", "console")
    MAIL_FILE_DIR = _env("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_FROM = _env("MAIL_FROM", "SiteNinja <no-reply@siteninja.localhost>")

    AI_API_URL = _env("AI_API_URL")
    AI_API_KEY = _env("AI_API_KEY")
    AI_MODEL = _env("AI_MODEL")
    AI_TIMEOUT = _int("AI_TIMEOUT", 10)  # seconds to connect, and to receive the whole answer

    PLAN_LIMITS = DEFAULT_PLAN_LIMITS
    PAGE_REVISIONS_KEPT = _int("PAGE_REVISIONS_KEPT", 50)
    PUBLISH_SCHEDULE_SECONDS = _int("PUBLISH_SCHEDULE_SECONDS", 30)

    CACHE_DEFAULT_TIMEOUT = 300
    RESPONSE_CACHE_ENABLED = _bool("RESPONSE_CACHE_ENABLED", True)
    METRICS_ENABLED = _bool("METRICS_ENABLED", True)
    METRICS_ALLOW = [c.strip() for c in (_env("METRICS_ALLOW", "127.0.0.1/32,::1/128") or "").split(",")]
    JOBS_MODE = "rq" if REDIS_URL else "thread"
    # Periodic tasks (jobs/scheduler.py): worker.py runs them with RQ; without Redis, a thread does.
    SCHEDULER_IN_PROCESS = JOBS_MODE == "thread"

    API_TITLE = "SiteNinja API"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/api/docs/assets/"


class DevelopmentConfig(BaseConfig):
    """Local development: embedded defaults, readable logs."""

    ENV_NAME = "development"


class TestingConfig(BaseConfig):
    """The test suite: deterministic jobs, cheap hashing, fixed secrets."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    JWT_SECRET_KEY = "test-jwt-secret-key-not-for-production-0123456789"
    JOBS_MODE = "sync"
    SCHEDULER_IN_PROCESS = False
    PASSWORD_HASH_CHEAP = True
    RATE_LIMIT_ANON = "1000/minute"
    RATE_LIMIT_USER = "5000/minute"


class ProductionConfig(BaseConfig):
    """Production: refuses to start without its secrets and a real database."""

    ENV_NAME = "production"
    REQUIRED = ("SECRET_KEY", "JWT_SECRET_KEY", "API_KEY_PEPPER", "DATABASE_URL")

    @classmethod
    def missing(cls) -> list[str]:
        """Names of required environment variables that are not set."""
        return [name for name in cls.REQUIRED if not _env(name)]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[BaseConfig]:
    """The config class for ``name`` or for ``SITENINJA_ENV`` (default development)."""
    key = name or _env("SITENINJA_ENV") or _env("FLASK_ENV") or "development"
    return CONFIGS[key]
