"""A job for the worker end-to-end test: it proves it ran inside the app, with its database and Redis."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import current_app

from siteninja.core.redis import redis_client
from siteninja.extensions import db


def record_marker(key: str) -> None:
    """Write to Redis which database this job's session reached, and in which app configuration."""
    database = db.session.scalar(sa.select(sa.func.current_database()))
    marker = {"database": database, "jobsMode": current_app.config["JOBS_MODE"]}
    redis_client().set(key, json.dumps(marker), ex=300)
