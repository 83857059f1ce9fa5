"""The ceiling for file delivery: bare Flask sending the same file with send_file (no auth, no DB)."""

from __future__ import annotations

import os

from flask import Flask, send_file

app = Flask(__name__)


@app.get("/file")
def file():
    """The benchmark file, with conditional requests like the API's."""
    return send_file(os.environ["BENCH_FILE"], mimetype="image/jpeg", conditional=True)


@app.get("/api/health")
def health():
    """Readiness probe for the benchmark runner."""
    return {"status": "ok"}
