"""Finished public responses (bytes + ETag) per host and path: a hit is one Redis round trip, no SQL.

Three kinds of entries, all under the cache's key prefix:
- ``site:host:<host>`` → ``"<tenant id or -> <domains generation>"``: the host's resolution, valid only
  while the domains generation it was made under is current (any committed domain change retires it);
- ``site:<tenant>:<generation>:<host><path>`` → an encoded :class:`Entry`: retired by any committed
  change to the tenant (``caching.invalidate`` bumps the generation that is part of the key);
- ``site:lock:<host><path>``: the single-flight lock of a miss.

On Redis one Lua script counts the anonymous rate limit (the limiter's own fixed-window counter) and
reads the host entry, the tenant's generation and the body together. The embedded default keeps the
same entries in flask-caching's in-process cache and counts through the limiter's memory storage.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, request
from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from redis import Redis
from redis.exceptions import RedisError

from siteninja.core import caching
from siteninja.core.context import request_state
from siteninja.core.errors import NotFound, RateLimited
from siteninja.core.http import body_etag
from siteninja.core.limits import client_address
from siteninja.core.redis import redis_client
from siteninja.extensions import cache, limiter

log = logging.getLogger("siteninja.public_cache")

CLIENT_MAX_AGE = 60
CLIENT_STALE = 300
CACHE_CONTROL = f"public, max-age={CLIENT_MAX_AGE}, stale-while-revalidate={CLIENT_STALE}"
HOST_TTL = 3600
UNKNOWN_HOST_TTL = 60
LOCK_MS = 5000
WAIT_SECONDS = 3.0
POLL_SECONDS = 0.01
EXTENSION_KEY = "siteninja_public_cache"
NO_SITE = "-"

LOOKUP_SCRIPT = """
local hits, ttl = false, false
if KEYS[3] then
  hits = redis.call('INCR', KEYS[3])
  if hits == 1 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
  ttl = redis.call('TTL', KEYS[3])
end
local domains = redis.call('GET', KEYS[1]) or '0'
local host = redis.call('GET', KEYS[2])
if not host then return {hits, ttl, domains} end
local space = string.find(host, ' ', 1, true)
if not space or string.sub(host, space + 1) ~= domains then return {hits, ttl, domains} end
local tenant = string.sub(host, 1, space - 1)
if tenant == '-' then return {hits, ttl, domains, tenant} end
local generation = redis.call('GET', ARGV[1] .. 'gen:' .. tenant) or '0'
local body = redis.call('GET', ARGV[1] .. 'site:' .. tenant .. ':' .. generation .. ':' .. ARGV[2])
return {hits, ttl, domains, tenant, generation, body}
"""
RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Entry:
    """A finished response: status, body, content type and ETag (404 entries carry only a message)."""

    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""

    @classmethod
    def ok(cls, body: bytes, content_type: str) -> Entry:
        """A 200 entry whose ETag is the hash of its body."""
        return cls(200, body, content_type, body_etag(body))

    @classmethod
    def missing(cls, message: str) -> Entry:
        """A 404 entry: cached like any other, answered with a fresh error envelope."""
        return cls(404, message.encode())

    def encode(self) -> bytes:
        head = f"{self.status} {self.etag or '-'} {self.content_type or '-'}\n"
        return head.encode() + self.body

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        head, _, body = raw.partition(b"\n")
        status, etag, content_type = head.decode().split(" ", 2)
        return cls(int(status), body, content_type, etag)


Resolver = Callable[[str], uuid.UUID | None]
Builder = Callable[[uuid.UUID], Entry]


@dataclass
class Lookup:
    """What one lookup found: the rate-limit count, the host's resolution, the generation and the body."""

    domains: str
    tenant_id: uuid.UUID | None = None
    no_site: bool = False
    generation: int = 0
    raw: bytes | None = None
    hits: int | None = None
    ttl: int | None = None


@dataclass(frozen=True)
class AnonLimit:
    """The anonymous per-IP limit of this route, counted exactly where the limiter would count it."""

    item: RateLimitItem
    identity: tuple[str, ...]

    @classmethod
    def for_request(cls) -> AnonLimit | None:
        """The limit for this request, or None when rate limiting is off."""
        if not limiter.enabled:
            return None
        config = current_app.config
        identity = (config["RATELIMIT_KEY_PREFIX"], f"ip:{client_address()}", request.endpoint or "")
        return cls(parse(config["RATE_LIMIT_ANON"]), identity)

    def redis_key(self) -> str | None:
        """The limiter's Redis key, when the lookup script can count it in the same round trip."""
        config = current_app.config
        storage = limiter.storage
        same_redis = config.get("RATELIMIT_STORAGE_URI") == config.get("REDIS_URL")
        if (
            same_redis
            and isinstance(storage, RedisStorage)
            and type(limiter.limiter) is FixedWindowRateLimiter
        ):
            return storage.prefixed_key(self.item.key_for(*self.identity))
        return None

    def counted(self, hits: int, ttl: int) -> dict[str, str]:
        """Headers for a request the lookup script counted; 429 once the window is spent."""
        now = int(time.time())
        return self._verdict(hits <= self.item.amount, self.item.amount - hits, now + max(ttl, 0), now)

    def hit(self) -> dict[str, str]:
        """Count through the limiter's storage (the embedded default, or another strategy)."""
        allowed = limiter.limiter.hit(self.item, *self.identity)
        reset_at, remaining = limiter.limiter.get_window_stats(self.item, *self.identity)
        return self._verdict(allowed, remaining, int(reset_at), int(time.time()))

    def _verdict(self, allowed: bool, remaining: int, reset_at: int, now: int) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.item.amount),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": str(reset_at),
        }
        if not allowed:
            retry_after = str(max(1, reset_at - now))
            raise RateLimited(
                f"Rate limit exceeded: {self.item}", headers={**headers, "Retry-After": retry_after}
            )
        return headers


class RedisStore:
    """Entries in Redis, shared by every process; a lookup is one script call."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._lookup = client.register_script(LOOKUP_SCRIPT)
        self._release = client.register_script(RELEASE_SCRIPT)

    def lookup(self, host: str, path: str, counter: str | None = None, window: int = 0) -> Lookup:
        """Count ``counter`` (if given) and read the host entry, the generation and the body at once."""
        keys = [caching.domains_key(), self._host_key(host), *([counter] if counter else [])]
        reply = list(self._lookup(keys=keys, args=[self.prefix, host + path, window]))
        hits, ttl, domains, tenant, generation, raw = reply + [None] * (6 - len(reply))
        found = Lookup(domains=domains.decode(), hits=hits, ttl=ttl)
        if tenant == NO_SITE.encode():
            found.no_site = True
        elif tenant is not None:
            found.tenant_id, found.generation, found.raw = uuid.UUID(tenant.decode()), int(generation), raw
        return found

    def remember_host(self, host: str, tenant_id: uuid.UUID | None, domains: str) -> None:
        """Store the host's resolution, tagged with the domains generation read before resolving it."""
        ttl = HOST_TTL if tenant_id else UNKNOWN_HOST_TTL
        self.client.set(self._host_key(host), f"{tenant_id or NO_SITE} {domains}", ex=ttl)

    def store(self, key: str, entry: Entry, ttl: int) -> None:
        self.client.set(self.prefix + key, entry.encode(), ex=ttl)

    def try_lock(self, name: str) -> str | None:
        """A token when this caller now builds ``name``; None when another caller already is."""
        token = uuid.uuid4().hex
        return token if self.client.set(self._lock_key(name), token, nx=True, px=LOCK_MS) else None

    def unlock(self, name: str, token: str) -> None:
        self._release(keys=[self._lock_key(name)], args=[token])

    def _host_key(self, host: str) -> str:
        return f"{self.prefix}site:host:{host}"

    def _lock_key(self, name: str) -> str:
        return f"{self.prefix}site:lock:{name}"


class LocalStore:
    """The embedded default: the same entries in flask-caching's in-process cache, in-process locks."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, str] = {}

    def lookup(self, host: str, path: str, counter: str | None = None, window: int = 0) -> Lookup:
        """Read the host entry, then the generation and body it leads to (no network involved)."""
        found = Lookup(domains=caching.domains_generation())
        resolved = cache.get(f"site:host:{host}")
        if resolved is None or resolved[1] != found.domains:
            return found
        if resolved[0] is None:
            found.no_site = True
            return found
        found.tenant_id, found.generation = resolved[0], caching.generation(resolved[0])
        found.raw = cache.get(body_key(found.tenant_id, found.generation, host, path))
        return found

    def remember_host(self, host: str, tenant_id: uuid.UUID | None, domains: str) -> None:
        ttl = HOST_TTL if tenant_id else UNKNOWN_HOST_TTL
        cache.set(f"site:host:{host}", (tenant_id, domains), timeout=ttl)

    def store(self, key: str, entry: Entry, ttl: int) -> None:
        cache.set(key, entry.encode(), timeout=ttl)

    def try_lock(self, name: str) -> str | None:
        with self._guard:
            if name in self._locks:
                return None
            token = self._locks[name] = uuid.uuid4().hex
            return token

    def unlock(self, name: str, token: str) -> None:
        with self._guard:
            if self._locks.get(name) == token:
                del self._locks[name]


Store = RedisStore | LocalStore


def body_key(tenant_id: uuid.UUID, generation: int, host: str, path: str) -> str:
    """The key of a finished response (without the cache's key prefix)."""
    return f"site:{tenant_id}:{generation}:{host}{path}"


def entry_ttl(config: dict) -> int:
    """How long a finished response stays cached.

    ``SITE_CACHE_TTL``, capped so that a response plus the time clients may keep it
    (max-age + stale-while-revalidate) never outlives a signed asset URL minted when it was built.
    """
    asset_budget = config["ASSET_URL_TTL"] - CLIENT_MAX_AGE - CLIENT_STALE
    return max(1, min(config["SITE_CACHE_TTL"], asset_budget))


def _store() -> Store:
    store = current_app.extensions.get(EXTENSION_KEY)
    if store is None:
        client = redis_client()
        store = RedisStore(client, current_app.config["CACHE_KEY_PREFIX"]) if client else LocalStore()
        current_app.extensions[EXTENSION_KEY] = store
    return store


def serve(*, host: str, path: str, resolve: Resolver, build: Builder) -> Response:
    """The response for ``host`` + ``path``: from the cache, or resolved and built once and stored.

    ``resolve`` maps the host to its tenant (one query); ``build`` renders the finished entry of a
    tenant and runs only after the tenant's generation was read, so what it reads is never older
    than the key it is stored under.
    """
    limit = AnonLimit.for_request()
    store = _store()
    counter = limit.redis_key() if limit is not None and isinstance(store, RedisStore) else None
    try:
        found = store.lookup(host, path, counter, int(limit.item.get_expiry()) if counter else 0)
        headers = _limit_headers(limit, found, counted=counter is not None)
        entry = _cached(found) or _miss(store, found, host, path, resolve, build)
    except RedisError:
        log.warning("public cache unavailable; serving %s%s from the database", host, path)
        entry, headers = _uncached(host, resolve, build), {}
    return _respond(entry, headers)


def _limit_headers(limit: AnonLimit | None, found: Lookup, *, counted: bool) -> dict[str, str]:
    if limit is None:
        return {}
    return limit.counted(found.hits or 0, found.ttl or 0) if counted else limit.hit()


def _cached(found: Lookup) -> Entry | None:
    if found.raw is None and not found.no_site:
        return None
    request_state()["cache"] = "hit"
    return Entry.decode(found.raw) if found.raw is not None else Entry.missing("Site not found")


def _miss(store: Store, found: Lookup, host: str, path: str, resolve: Resolver, build: Builder) -> Entry:
    """Build the entry once: concurrent misses of the same key wait for the first one's result."""
    request_state()["cache"] = "miss"
    name = host + path
    token = store.try_lock(name)
    if token is None:
        waited = _await(store, host, path)
        if waited is not None:
            return waited
    try:
        if token is not None:
            # The previous holder may have stored the entry between our lookup and our lock.
            found = store.lookup(host, path)
            if found.raw is not None or found.no_site:
                return _cached(found)
        return _fill(store, found, host, path, resolve, build)
    finally:
        if token is not None:
            store.unlock(name, token)


def _await(store: Store, host: str, path: str) -> Entry | None:
    """Poll for the entry another caller is building; None if it is not there in time."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = _cached(store.lookup(host, path))
        if entry is not None:
            return entry
    log.warning("gave up waiting for %s%s; building it here", host, path)
    return None


def _fill(store: Store, found: Lookup, host: str, path: str, resolve: Resolver, build: Builder) -> Entry:
    tenant_id, generation = found.tenant_id, found.generation
    if tenant_id is None:
        tenant_id = resolve(host)
        store.remember_host(host, tenant_id, found.domains)
        if tenant_id is None:
            return Entry.missing("Site not found")
        generation = caching.generation(tenant_id)
    entry = build(tenant_id)
    store.store(body_key(tenant_id, generation, host, path), entry, entry_ttl(current_app.config))
    return entry


def _uncached(host: str, resolve: Resolver, build: Builder) -> Entry:
    tenant_id = resolve(host)
    return build(tenant_id) if tenant_id is not None else Entry.missing("Site not found")


def _respond(entry: Entry, headers: dict[str, str]) -> Response:
    """The response of an entry: 304 when the client holds it, 404 as a fresh error envelope."""
    if entry.status == 404:
        raise NotFound(entry.body.decode(), headers=headers)
    headers = {**headers, "ETag": f'"{entry.etag}"', "Cache-Control": CACHE_CONTROL}
    if request.if_none_match.contains_weak(entry.etag):
        return Response(status=304, headers=headers)
    return Response(entry.body, status=entry.status, headers=headers, content_type=entry.content_type)
