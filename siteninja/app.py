"""The application factory: the composition root of SiteNinja."""

from __future__ import annotations

import logging
import sys
from typing import Any

from flask import Flask, Response, request

from siteninja import cli
from siteninja.config import INSTANCE_DIR, ProductionConfig, config_for
from siteninja.core.auth import jwt_settings
from siteninja.core.auth import loaders as auth_loaders
from siteninja.core.errors import register_error_handlers
from siteninja.core.http import register_request_hooks
from siteninja.core.redis import init_redis
from siteninja.extensions import api, cache, cors, db, jwt, limiter, migrate
from siteninja.jobs import scheduler
from siteninja.resources import BLUEPRINTS
from siteninja.resources.auth.tokens import principal_for_claims
from siteninja.resources.ops.routes import blp as ops_blp

EXPOSED_HEADERS = [
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "ETag",
    "Location",
]


def create_app(config: str | type | None = None, **overrides: Any) -> Flask:
    """Build a configured application; nothing connects until a request needs it."""
    app = Flask(__name__, static_folder=None, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    config_class = config if isinstance(config, type) else config_for(config)
    if config_class is ProductionConfig and ProductionConfig.missing():
        sys.exit(f"SiteNinja refuses to start: set {', '.join(ProductionConfig.missing())}")
    app.config.from_object(config_class)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    register_logging(app)
    register_extensions(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_commands(app)
    register_scheduler(app)
    return app


def register_logging(app: Flask) -> None:
    """One plain line per record; request and job lines are JSON themselves."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def register_extensions(app: Flask) -> None:
    """Bind every extension to ``app`` with settings derived from its config."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "sn:cache:")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "sn:limit")
    # Redis is loseable (DESIGN §1): while it is down, limits count in memory and writes go on.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # Swagger UI would send the spec's URL to validator.swagger.io: the docs stay local.
    app.config.setdefault("OPENAPI_SWAGGER_UI_CONFIG", {"validatorUrl": None})
    db.init_app(app)
    migrate.init_app(app, db, directory=str(INSTANCE_DIR.parent / "migrations"), render_as_batch=True)
    api.init_app(app, spec_kwargs=_spec_kwargs())
    app.config.update(jwt_settings(app.config))
    jwt.init_app(app)
    auth_loaders.user = principal_for_claims
    # Registered before the limiter's own hooks: preflights skip its check, and Retry-After
    # is trimmed after it has added its headers.
    app.before_request(_answer_preflight)
    app.after_request(_retry_after_only_when_refused)
    limiter.init_app(app)
    # Health probes must never be throttled, nor fail when Redis (the limiter's store) is down.
    limiter.exempt(ops_blp)
    cache.init_app(app)
    init_redis(app)
    if app.config["CORS_ORIGINS"]:
        app.after_request(_vary_on_origin)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
        supports_credentials=True,
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
    app.teardown_request(_discard_uncommitted)


def _spec_kwargs() -> dict[str, Any]:
    return {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or sn_live_ key"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            }
        },
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
    }


def _answer_preflight() -> Response | None:
    """A CORS preflight gets 204 at once: no view, no auth, no rate limit (flask-cors adds its headers)."""
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return Response(status=204)
    return None


def _vary_on_origin(response: Response) -> Response:
    """CORS headers depend on Origin, so caches must key on it (flask-cors skips this for one origin)."""
    vary = {token.strip().lower() for line in response.headers.getlist("Vary") for token in line.split(",")}
    if "origin" not in vary:
        response.headers.add("Vary", "Origin")
    return response


def _retry_after_only_when_refused(response: Response) -> Response:
    """flask-limiter sends Retry-After on every limited response; it means "come back later"."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


def _discard_uncommitted(error: BaseException | None) -> None:
    """Whatever a request left uncommitted (it failed) is rolled back, never committed later."""
    db.session.rollback()


def register_blueprints(app: Flask) -> None:
    """Register every resource blueprint, in the order ``resources.BLUEPRINTS`` gives."""
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    """Add the ``flask`` sub-commands."""
    cli.register(app)


def register_scheduler(app: Flask) -> None:
    """Periodic tasks: in this process on the embedded default (worker.py runs them otherwise)."""
    scheduler.init_app(app)
