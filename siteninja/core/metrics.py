"""Prometheus metrics: requests by route template and status, latency, cache, limits, deliveries.

Under gunicorn each worker writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (see
gunicorn.conf.py) and a scrape of any worker aggregates them all; without it (``flask run``,
tests) the process's own registry is served.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from siteninja.core.errors import Forbidden, NotFound
from siteninja.core.limits import client_address

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter("siteninja_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "siteninja_http_request_duration_seconds",
    "Time from the request's arrival in Flask to its response",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
CACHE = Counter("siteninja_cache_requests_total", "Response cache lookups", ["namespace", "result"])
RATE_LIMIT_REFUSALS = Counter("siteninja_rate_limit_refusals_total", "Requests answered 429", ["route"])
WEBHOOK_DELIVERIES = Counter(
    "siteninja_webhook_deliveries_total", "Webhook delivery attempts by outcome", ["outcome"]
)

QueueDepths = Callable[[], Iterable[tuple[str, int]]]


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its latency under its route template."""
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    if status == 429:
        RATE_LIMIT_REFUSALS.labels(route).inc()


def observe_cache(namespace: str, hit: bool) -> None:
    """Count one response-cache lookup."""
    CACHE.labels(namespace, "hit" if hit else "miss").inc()


def observe_delivery(outcome: str) -> None:
    """Count one webhook delivery attempt (success, retrying, failed, blocked…)."""
    WEBHOOK_DELIVERIES.labels(outcome).inc()


class QueueDepthCollector(Collector):
    """Job queue depths, read from the queue at scrape time (a gauge no process has to keep)."""

    def __init__(self, depths: QueueDepths) -> None:
        self.depths = depths

    def collect(self):
        gauge = GaugeMetricFamily("siteninja_queue_depth", "Jobs waiting per queue", labels=["queue"])
        for queue, depth in self.depths():
            gauge.add_metric([queue], depth)
        yield gauge


def exposition(queue_depths: QueueDepths) -> Response:
    """The Prometheus text of every process (multiprocess mode) or of this one, plus queue depths."""
    _ensure_allowed()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    output = generate_latest(registry) + generate_latest(_queue_registry(queue_depths))
    return Response(output, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _queue_registry(queue_depths: QueueDepths) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(QueueDepthCollector(queue_depths))
    return registry


def _ensure_allowed() -> None:
    """404 when metrics are off; 403 for a client outside ``METRICS_ALLOW``."""
    if not current_app.config["METRICS_ENABLED"]:
        raise NotFound()
    try:
        address = ipaddress.ip_address(client_address())
    except ValueError as exc:
        raise Forbidden("Metrics are not available to this address") from exc
    if not any(address in network for network in allowed_networks(current_app)):
        raise Forbidden("Metrics are not available to this address")


def allowed_networks(app: Flask) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``METRICS_ALLOW`` parsed once per app."""
    if "siteninja_metrics_allow" not in app.extensions:
        cidrs = [cidr.strip() for cidr in app.config["METRICS_ALLOW"] if cidr.strip()]
        app.extensions["siteninja_metrics_allow"] = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    return app.extensions["siteninja_metrics_allow"]
