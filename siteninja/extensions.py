"""Bare extension instances, configured by the application factory."""

from flask_caching import Cache
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from siteninja.core.db import Base
from siteninja.core.envelope import Api
from siteninja.core.limits import client_address

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
jwt = JWTManager()
limiter = Limiter(key_func=client_address)
cache = Cache()
cors = CORS()
