"""The bare Flask 3 reference of bench/sites.py: the same page document, from jsonify or one Redis GET.

Started by bench/sites.py under the same gunicorn settings as SiteNinja; it reads the document the
benchmark captured from SiteNinja (BENCH_DOCUMENT) and the Redis key holding the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, jsonify
from redis import Redis

DOCUMENT = json.loads(Path(os.environ["BENCH_DOCUMENT"]).read_text())
KEY = os.environ["BENCH_REDIS_KEY"]

app = Flask(__name__)
redis = Redis.from_url(os.environ["BENCH_REDIS_URL"])


@app.get("/jsonify")
def from_jsonify() -> Response:
    """The page document serialized on every request."""
    return jsonify(DOCUMENT)


@app.get("/redis")
def from_redis() -> Response:
    """The page document's bytes from one Redis GET."""
    return Response(redis.get(KEY), mimetype="application/json")
