"""The application factory: the composition root of SiteNinja."""

from __future__ import annotations

import logging
import sys
from typing import Any

from flask import Flask, Response, request

from siteninja import cli
from siteninja.config import INSTANCE_DIR, ProductionConfig, config_for
from siteninja.core import openapi
from siteninja.core.auth import USER_OR_KEY_SECURITY, jwt_settings
from siteninja.core.auth import loaders as auth_loaders
from siteninja.core.errors import register_error_handlers
from siteninja.core.http import register_request_hooks
from siteninja.core.public_fast_path import PublicFastPath
from siteninja.core.redis import init_redis
from siteninja.core.throttle import add_rate_limit_headers, init_default_limit
from siteninja.extensions import api, cache, cors, db, jwt, limiter, migrate
from siteninja.jobs import scheduler
from siteninja.resources import BLUEPRINTS
from siteninja.resources.api_keys import usage as api_key_usage
from siteninja.resources.api_keys.service import principal_for_key
from siteninja.resources.auth.tokens import principal_for_claims
from siteninja.resources.examples import schema_examples
from siteninja.resources.ops.routes import blp as ops_blp
from siteninja.resources.ops.routes import metrics_blp
from siteninja.resources.sites.routes import blp as sites_blp
from siteninja.resources.webhooks.schemas import event_payload_docs

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
    # Cache hits of the public site routes are answered before Flask (see core.public_fast_path).
    app.wsgi_app = PublicFastPath(app)
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
    # The limiter would join the values of every limit that applied; core.throttle writes them once.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
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
    auth_loaders.api_key = principal_for_key
    # Registered before the limiter's own hooks: preflights skip its check.
    app.before_request(_answer_preflight)
    app.after_request(add_rate_limit_headers)
    app.after_request(api_key_usage.count_request)
    limiter.init_app(app)
    # Health probes must never be throttled, nor fail when Redis (the limiter's store) is down.
    # Public sites count the anonymous limit in their cache lookup's round trip when they can.
    app.config.setdefault("RATELIMIT_EXEMPT_BLUEPRINTS", (ops_blp.name, metrics_blp.name, sites_blp.name))
    # Public sites have a limit of their own (core.public_limit); health and metrics have none.
    app.config.setdefault("OPENAPI_UNTHROTTLED_TAGS", (ops_blp.name, metrics_blp.name))
    init_default_limit(app)
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
    key_format = (
        "`sn_live_` or `sn_test_`, 32 random base62 characters, then a 6-character base62 CRC32 "
        "checksum of what precedes it (alphabet 0-9A-Za-z, left-padded with 0): a mistyped key is "
        "detectable offline. Keys act for their tenant with scopes; they never manage users, keys "
        "or the subscription."
    )
    return {
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An access token from POST /api/auth/login (15 minutes).",
                },
                "apiKeyBearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "sn_live_…",
                    "description": f"An API key as `Authorization: Bearer <key>`. {key_format}",
                },
                "apiKeyHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": f"An API key as `X-API-Key: <key>`. {key_format}",
                },
            }
        },
        "security": USER_OR_KEY_SECURITY,
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


def _discard_uncommitted(error: BaseException | None) -> None:
    """Whatever a request left uncommitted (it failed) is rolled back, never committed later."""
    db.session.rollback()


def register_blueprints(app: Flask) -> None:
    """Register every resource blueprint, in the order ``resources.BLUEPRINTS`` gives."""
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    api.spec.options["x-webhooks"] = openapi.webhooks_document(event_payload_docs())
    api.spec.options.setdefault("components", {}).setdefault("schemas", {}).update(schema_examples())


def register_commands(app: Flask) -> None:
    """Add the ``flask`` sub-commands."""
    cli.register(app)


def register_scheduler(app: Flask) -> None:
    """Periodic tasks: in this process on the embedded default (worker.py runs them otherwise)."""
    scheduler.init_app(app)
