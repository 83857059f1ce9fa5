"""Bare extension instances, configured by the application factory."""

from flask_caching import Cache
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from siteninja.core.auth import default_limit, limit_key
from siteninja.core.context import is_internal_request
from siteninja.core.db import Base
from siteninja.core.envelope import Api

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
jwt = JWTManager()
limiter = Limiter(
    key_func=limit_key, default_limits=[default_limit], default_limits_exempt_when=is_internal_request
)
cache = Cache()
cors = CORS()
