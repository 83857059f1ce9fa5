# syntax=docker/dockerfile:1
# SiteNinja's image: gunicorn (the web process) by default; the same image runs `python worker.py`
# and the release step (`flask db upgrade && flask seed`). See docker-compose.yml and the README.

ARG PYTHON_IMAGE=python:3.11-slim

# Builder: compilers and headers, used only to turn requirements.txt into wheels.
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels --requirement requirements.txt

# Runtime: the wheels installed from the builder (mounted, never copied into a layer), no compilers.
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    SITENINJA_ENV=production \
    FLASK_APP=wsgi \
    HOST=0.0.0.0 \
    PORT=8000 \
    UPLOAD_DIR=/data/uploads
RUN groupadd --system --gid 10001 siteninja \
    && useradd --system --uid 10001 --gid siteninja --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin siteninja
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    pip install --no-index --find-links=/wheels --requirement /tmp/requirements.txt
WORKDIR /app
# The code belongs to root (the process cannot change it); only instance/ and the uploads are writable.
COPY . .
RUN mkdir -p /app/instance /data/uploads && chown -R siteninja:siteninja /app/instance /data
USER siteninja
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/api/health', timeout=4)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
