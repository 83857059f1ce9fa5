"""Cache hits of the public site routes, answered before Flask: one Redis round trip, no Flask request.

A route takes part by giving its view class a ``public_address`` attribute: a function of the view's
arguments returning the cache address ``(host, path)``, or None when it cannot be a site. A fresh 200
or 301/302 hit (or its 304) is answered here with the headers Flask would send: ``Location`` for a
redirect, security headers, request id, rate-limit headers, one request log line. Anything else (a
miss, a 404, an unknown host, a refused request, a CORS request, Redis trouble, the embedded default)
goes on to Flask, carrying the lookup already made, so the request is counted once and a build lock
taken here is used there.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, parse_etags
from werkzeug.wsgi import get_path_info

from siteninja.core.context import documented_route, sane_request_id
from siteninja.core.http import log_request_line, standard_headers
from siteninja.core.limits import address_from
from siteninja.core.public_cache import (
    CACHE_CONTROL,
    PREFETCHED,
    REDIRECT_STATUSES,
    Entry,
    Prefetched,
    RedisStore,
    store_for,
)
from siteninja.core.public_limit import AnonLimit

READ_METHODS = ("GET", "HEAD")
ANSWERED = (200, *REDIRECT_STATUSES)  # 404s go on to Flask: they answer with a fresh error envelope
Answer = tuple[str, list[tuple[str, str]], bytes]


class PublicFastPath:
    """WSGI middleware in front of ``app.wsgi_app``; install it once the blueprints are registered."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.config = app.config
        self.inner = app.wsgi_app
        self._prefixes: tuple[str, ...] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in READ_METHODS and environ.get("PATH_INFO", "").startswith(
            self.prefixes
        ):
            answer = self._answer(environ, time.perf_counter())
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.inner(environ, start_response)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The static beginnings of the routes taking part (a cheap first filter)."""
        if self._prefixes is None:
            rules = [rule for rule in self.app.url_map.iter_rules() if self._address_of(rule.endpoint)]
            self._prefixes = tuple({rule.rule.split("<", 1)[0] for rule in rules})
        return self._prefixes

    def _address_of(self, endpoint: str) -> Callable | None:
        view = self.app.view_functions.get(endpoint)
        return getattr(getattr(view, "view_class", None), "public_address", None)

    def _target(self, environ: dict[str, Any]) -> tuple[str, str, str] | None:
        """(route template, host, path) of a request to a route taking part, else None."""
        try:
            rule, args = self.app.url_map.bind_to_environ(environ).match(return_rule=True)
        except HTTPException:
            return None
        address = self._address_of(rule.endpoint)
        target = address(**args) if address else None
        return (documented_route(rule.rule), *target) if target else None

    def _answer(self, environ: dict[str, Any], started: float) -> Answer | None:
        store = store_for(self.app)
        if not isinstance(store, RedisStore) or (self.config["CORS_ORIGINS"] and "HTTP_ORIGIN" in environ):
            return None
        target = self._target(environ)
        if target is None:
            return None
        route, host, path = target
        address = address_from(
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_X_FORWARDED_FOR", ""),
            self.config["TRUSTED_PROXY_COUNT"],
        )
        limit = AnonLimit.of(self.config, address, route)
        counter = limit.redis_key(self.config) if limit is not None else None
        try:
            window = limit.window if limit is not None else 0
            found = store.lookup(host, path, counter=counter, window=window, token=uuid.uuid4().hex)
        except RedisError:
            return None
        allowed, headers = limit.verdict(found.hits or 0, found.ttl or 0) if limit is not None else (True, {})
        environ[PREFETCHED] = Prefetched(found, limit, headers or None, allowed)
        entry = Entry.decode(found.raw) if allowed and found.raw is not None else None
        if entry is None or entry.status not in ANSWERED:
            return None
        return self._respond(environ, entry, headers, started, route)

    def _respond(
        self, environ: dict[str, Any], entry: Entry, limit_headers: dict, started: float, route: str
    ) -> Answer:
        """The hit as Flask would answer it: 200 or a redirect (body dropped for HEAD) or 304, with
        every header."""
        request_id = sane_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        path = get_path_info(environ)
        not_modified = parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(entry.etag)
        headers = [("ETag", f'"{entry.etag}"'), ("Cache-Control", CACHE_CONTROL), *limit_headers.items()]
        headers += entry.headers.items()
        if not not_modified:
            headers += [("Content-Type", entry.content_type), ("Content-Length", str(len(entry.body)))]
        headers.append(("X-Request-ID", request_id))
        headers += standard_headers(path, secure=environ.get("wsgi.url_scheme") == "https").items()
        if self.config["CORS_ORIGINS"]:
            headers.append(("Vary", "Origin"))
        status = 304 if not_modified else entry.status
        log_request_line(
            method=environ["REQUEST_METHOD"],
            path=path,
            route=route,
            status=status,
            started=started,
            request_id=request_id,
            cache="hit",
        )
        body = b"" if not_modified or environ["REQUEST_METHOD"] == "HEAD" else entry.body
        return f"{status} {HTTP_STATUS_CODES[status].upper()}", headers, body
