"""GET /metrics: Prometheus text with requests, latency, cache, refusals and queue depth; restricted."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from siteninja import create_app
from tests import factories
from tests.conftest import database_url

ROOT_DIR = Path(__file__).resolve().parents[2]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_a_request_moves_its_counter_under_the_route_template(client, tenant, owner_client):
    labels = {"method": "GET", "route": "/api/tenants/{tenantId}", "status": "200"}
    before = sample(scrape(client), "siteninja_http_requests_total", **labels)
    assert owner_client.get(f"/api/tenants/{tenant.id}").status_code == 200
    text = scrape(client)
    assert sample(text, "siteninja_http_requests_total", **labels) == before + 1
    assert str(tenant.id) not in text  # labels are templates, never concrete paths


def test_latency_is_a_histogram_with_buckets(client):
    client.get("/api/plans")
    text = scrape(client)
    route = {"method": "GET", "route": "/api/plans"}
    assert sample(text, "siteninja_http_request_duration_seconds_bucket", **route, le="+Inf") >= 1
    assert sample(text, "siteninja_http_request_duration_seconds_bucket", **route, le="0.005") >= 0
    assert sample(text, "siteninja_http_request_duration_seconds_count", **route) >= 1


def test_cache_hits_and_misses_are_counted_by_namespace(client, tenant, owner_client):
    before = scrape(client)
    url = f"/api/tenants/{tenant.id}/branding"
    assert owner_client.get(url).status_code == 200
    assert owner_client.get(url).status_code == 200
    after = scrape(client)
    for result in ("miss", "hit"):
        labels = {"namespace": "branding", "result": result}
        assert sample(after, "siteninja_cache_requests_total", **labels) == (
            sample(before, "siteninja_cache_requests_total", **labels) + 1
        )


def test_rate_limit_refusals_are_counted():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), RATE_LIMIT_ANON="1/minute")
    client = app.test_client()
    before = sample(scrape(client), "siteninja_rate_limit_refusals_total", route="/api/tenants")
    assert [client.get("/api/tenants").status_code for _ in range(2)] == [401, 429]
    assert sample(scrape(client), "siteninja_rate_limit_refusals_total", route="/api/tenants") == before + 1


def test_queue_depth_is_reported(client):
    text = scrape(client)
    assert "# TYPE siteninja_queue_depth gauge" in text


def test_metrics_are_not_rate_limited_nor_under_the_api_auth():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), RATE_LIMIT_ANON="1/minute")
    client = app.test_client()
    assert [client.get("/metrics").status_code for _ in range(3)] == [200, 200, 200]


def test_only_allowed_addresses_may_scrape(tenant):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), METRICS_ALLOW=["10.0.0.0/8"])
    client = app.test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    forwarded = {"X-Forwarded-For": "10.9.9.9"}
    assert client.get("/metrics", headers=forwarded).status_code == 403  # no trusted proxy


def test_metrics_can_be_switched_off():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), METRICS_ENABLED=False)
    response = app.test_client().get("/metrics")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_no_secret_reaches_the_metrics(app, tenant):
    user = factories.user(tenant=tenant, role="owner")
    headers = factories.auth_headers(user)
    client = app.test_client()
    client.get("/api/auth/me", headers=headers)
    assert headers["Authorization"].split()[1] not in scrape(client)


def get(url: str) -> None:
    urllib.request.urlopen(url, timeout=60).close()  # a replaced worker boots slowly on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_the_samples_of_every_gunicorn_worker_are_aggregated(tmp_path):
    port, metrics_dir = free_port(), tmp_path / "prometheus"
    env = {
        **os.environ,
        "SITENINJA_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.db'}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RATE_LIMIT_ANON": "100000/minute",
    }
    env.pop("REDIS_URL", None)
    # Sync workers (threads 1: more would make gunicorn use gthread), each replaced after 15
    # requests: the samples of several processes must add up.
    command = [sys.executable, "-m", "gunicorn", "-k", "sync", "--threads", "1", "-w", "2"]
    command += ["--max-requests", "15", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT_DIR, env=env, start_new_session=True, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=5).close()
                break
            except OSError:
                time.sleep(0.2)
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _: get(f"{base}/api/plans"), range(60)))
        assert len(list(metrics_dir.glob("counter_*.db"))) >= 3  # one file of samples per process
        text = urllib.request.urlopen(f"{base}/metrics", timeout=60).read().decode()
        labels = {"method": "GET", "route": "/api/plans", "status": "200"}
        assert sample(text, "siteninja_http_requests_total", **labels) == 60
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
