"""Bare extension instances, configured by the application factory."""

from flask_caching import Cache
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from siteninja.core.auth import limit_key
from siteninja.core.db import Base
from siteninja.core.envelope import Api

# A request ends soon after its commit: what it just wrote is serialized as it is, not re-read.
SESSION_OPTIONS = {"expire_on_commit": False}
db = SQLAlchemy(model_class=Base, session_options=SESSION_OPTIONS)
migrate = Migrate()
api = Api()
jwt = JWTManager()
# Route-specific limits only; the default per-caller limit is core.throttle's (one round trip).
limiter = Limiter(key_func=limit_key)
cache = Cache()
cors = CORS()
