"""The bare-Flask reference the benchmark compares SiteNinja with, under the same gunicorn settings.

``/json``: jsonify of a ~4 KB document (the ceiling for a JSON endpoint on this machine);
``/redis``: one Redis GET of that document (the ceiling for a cached read).
"""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify
from redis import Redis

DOCUMENT = {
    "success": True,
    "data": {
        "id": "5f0c8a54-1a2b-4c3d-9e8f-001122334455",
        "title": "Reference page",
        "sections": [
            {
                "type": "text",
                "sortOrder": n,
                "content": {"title": f"Section {n}", "bodyHtml": "<p>Hello</p>" * 9},
            }
            for n in range(20)
        ],
    },
}

app = Flask(__name__)
redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"))
redis.set("bench:reference", app.json.dumps(DOCUMENT))


@app.get("/json")
def json_document():
    return jsonify(DOCUMENT)


@app.get("/redis")
def redis_document():
    return Response(redis.get("bench:reference"), mimetype="application/json")
