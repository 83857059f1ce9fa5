"""Finished public responses (bytes + ETag) per host and path: a hit is one Redis round trip, no SQL.

Three kinds of entries, all under the cache's key prefix:
- ``site:host:<host>`` → ``"<tenant id or -> <domains generation>"``: the host's resolution, valid only
  while the domains generation it was made under is current (any committed domain change retires it);
- ``site:<tenant>:<generation>:<host><path>`` → an encoded :class:`Entry`: retired by any committed
  change to the tenant (``caching.invalidate`` bumps the generation that is part of the key);
- ``site:lock:<host><path>``: the single-flight lock of a miss.

On Redis one Lua script counts the anonymous rate limit (the limiter's own fixed-window counter), reads
the host entry, the tenant's generation and the body, and on a miss takes the build lock, all at once.
The embedded default keeps the same entries in flask-caching's in-process cache and counts through the
limiter's memory storage.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from redis import Redis
from redis.exceptions import RedisError

from siteninja.core import caching
from siteninja.core.context import request_state
from siteninja.core.errors import NotFound, RateLimited
from siteninja.core.http import body_etag
from siteninja.core.limits import client_address
from siteninja.core.public_limit import AnonLimit
from siteninja.core.redis import EXTENSION_KEY as REDIS_EXTENSION
from siteninja.extensions import cache

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
PREFETCHED = "siteninja.public_lookup"
NO_SITE = "-"
SITE_NOT_FOUND = "Site not found"
REDIRECT_STATUSES = (301, 302)

# KEYS: domains generation, host entry, [rate-limit counter]
# ARGV: key prefix, host..path, rate-limit window (s), lock token ('' = no lock), lock ms, generation prefix
LOOKUP_SCRIPT = """
local hits, ttl = false, false
if KEYS[3] then
  hits = redis.call('INCR', KEYS[3])
  if hits == 1 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
  ttl = redis.call('TTL', KEYS[3])
end
local domains = redis.call('GET', KEYS[1]) or '0'
local function miss(tenant, generation)
  if ARGV[4] == '' then return {hits, ttl, domains, tenant, generation, false, false} end
  local lock = redis.call('SET', ARGV[1] .. 'site:lock:' .. ARGV[2], ARGV[4], 'NX', 'PX', ARGV[5])
  return {hits, ttl, domains, tenant, generation, false, lock and 1 or 0}
end
local host = redis.call('GET', KEYS[2])
if not host then return miss(false, false) end
local space = string.find(host, ' ', 1, true)
if not space or string.sub(host, space + 1) ~= domains then return miss(false, false) end
local tenant = string.sub(host, 1, space - 1)
if tenant == '-' then return {hits, ttl, domains, tenant} end
local generation = redis.call('GET', ARGV[1] .. ARGV[6] .. tenant) or '0'
local body = redis.call('GET', ARGV[1] .. 'site:' .. tenant .. ':' .. generation .. ':' .. ARGV[2])
if not body then return miss(tenant, generation) end
return {hits, ttl, domains, tenant, generation, body}
"""
RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: entry, lock. ARGV: encoded entry, ttl (s), lock token.
STORE_SCRIPT = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""


@dataclass(frozen=True)
class Entry:
    """A finished response: status, body, content type and ETag (404 entries carry only a message;
    redirects, 301 or 302, carry their ``Location`` as well)."""

    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    location: str = ""

    @classmethod
    def ok(cls, body: bytes, content_type: str) -> Entry:
        """A 200 entry whose ETag is the hash of its body."""
        return cls(200, body, content_type, body_etag(body))

    @classmethod
    def redirect(cls, status: int, location: str, body: bytes, content_type: str) -> Entry:
        """A 301/302 entry: its ``Location`` (no whitespace: a site path or URL) and a body."""
        return cls(status, body, content_type, body_etag(body), location)

    @classmethod
    def missing(cls, message: str) -> Entry:
        """A 404 entry: cached like any other, answered with a fresh error envelope."""
        return cls(404, message.encode())

    @property
    def is_redirect(self) -> bool:
        """Whether the entry answers with a ``Location``."""
        return bool(self.location)

    @property
    def headers(self) -> dict[str, str]:
        """The headers an answer of this entry carries besides the cache's own."""
        return {"Location": self.location} if self.location else {}

    def encode(self) -> bytes:
        """``<status> <etag> [<location>] <content type>\\n<body>`` (the location for redirects only)."""
        location = f"{self.location} " if self.location else ""
        head = f"{self.status} {self.etag or '-'} {location}{self.content_type or '-'}\n"
        return head.encode() + self.body

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        head, _, body = raw.partition(b"\n")
        status, etag, rest = head.decode().split(" ", 2)
        location = ""
        if int(status) in REDIRECT_STATUSES:
            location, rest = rest.split(" ", 1)
        return cls(int(status), body, rest, etag, location)


Resolver = Callable[[str], uuid.UUID | None]
Builder = Callable[[uuid.UUID], Entry]


@dataclass
class Lookup:
    """What one lookup found: the rate-limit count, the host's resolution, the generation, the body,
    and whether this caller now holds the build lock (``token``) of the missing entry."""

    domains: str
    tenant_id: uuid.UUID | None = None
    no_site: bool = False
    generation: int = 0
    raw: bytes | None = None
    hits: int | None = None
    ttl: int | None = None
    token: str | None = None


@dataclass
class Prefetched:
    """A lookup the fast path already made for this request (counted once, lock held if any)."""

    found: Lookup
    limit: AnonLimit | None = None
    limit_headers: dict[str, str] | None = None
    allowed: bool = True


class RedisStore:
    """Entries in Redis, shared by every process; a lookup is one script call."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._lookup = client.register_script(LOOKUP_SCRIPT)
        self._store = client.register_script(STORE_SCRIPT)
        self._release = client.register_script(RELEASE_SCRIPT)

    def lookup(
        self, host: str, path: str, *, counter: str | None = None, window: int = 0, token: str | None = None
    ) -> Lookup:
        """Count ``counter``, read the host entry, generation and body, and lock a miss for ``token``."""
        keys = [self.prefix + caching.DOMAINS_KEY, self._host_key(host), *([counter] if counter else [])]
        args = [self.prefix, host + path, window, token or "", LOCK_MS, caching.GENERATION_PREFIX]
        reply = list(self._lookup(keys=keys, args=args))
        hits, ttl, domains, tenant, generation, raw, locked = reply + [None] * (7 - len(reply))
        found = Lookup(domains=domains.decode(), hits=hits, ttl=ttl, token=token if locked else None)
        if tenant == NO_SITE.encode():
            found.no_site = True
        elif tenant is not None:
            found.tenant_id, found.generation, found.raw = uuid.UUID(tenant.decode()), int(generation), raw
        return found

    def remember_host(self, host: str, tenant_id: uuid.UUID | None, domains: str) -> int:
        """Store the host's resolution (tagged with the domains generation read before resolving it)
        and read the tenant's generation, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        pipe.set(
            self._host_key(host),
            f"{tenant_id or NO_SITE} {domains}",
            ex=HOST_TTL if tenant_id else UNKNOWN_HOST_TTL,
        )
        pipe.get(f"{self.prefix}{caching.GENERATION_PREFIX}{tenant_id}")
        return int(pipe.execute()[1] or 0)

    def store(self, key: str, entry: Entry, ttl: int, *, lock: str, token: str | None) -> None:
        """Store the entry and release the build lock if this caller holds it, in one round trip."""
        self._store(keys=[self.prefix + key, self._lock_key(lock)], args=[entry.encode(), ttl, token or ""])

    def unlock(self, name: str, token: str) -> None:
        """Release the build lock of ``name`` if ``token`` still holds it."""
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

    def lookup(
        self, host: str, path: str, *, counter: str | None = None, window: int = 0, token: str | None = None
    ) -> Lookup:
        """Read the host entry, then the generation and body it leads to; lock a miss for ``token``."""
        with self._guard:
            found = self._read(host, path)
            if (
                token is not None
                and found.raw is None
                and not found.no_site
                and host + path not in self._locks
            ):
                self._locks[host + path] = found.token = token
        return found

    def _read(self, host: str, path: str) -> Lookup:
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

    def remember_host(self, host: str, tenant_id: uuid.UUID | None, domains: str) -> int:
        cache.set(
            f"site:host:{host}", (tenant_id, domains), timeout=HOST_TTL if tenant_id else UNKNOWN_HOST_TTL
        )
        return caching.generation(tenant_id) if tenant_id else 0

    def store(self, key: str, entry: Entry, ttl: int, *, lock: str, token: str | None) -> None:
        cache.set(key, entry.encode(), timeout=ttl)
        if token is not None:
            self.unlock(lock, token)

    def unlock(self, name: str, token: str) -> None:
        with self._guard:
            if self._locks.get(name) == token:
                del self._locks[name]


Store = RedisStore | LocalStore


def body_key(tenant_id: uuid.UUID, generation: int, host: str, path: str) -> str:
    """The key of a finished response (without the cache's key prefix)."""
    return f"site:{tenant_id}:{generation}:{host}{path}"


def entry_ttl(config: Mapping[str, Any]) -> int:
    """How long a finished response stays cached.

    ``SITE_CACHE_TTL``, capped so that a response plus the time clients may keep it
    (max-age + stale-while-revalidate) never outlives a signed asset URL minted when it was built.
    """
    asset_budget = config["ASSET_URL_TTL"] - CLIENT_MAX_AGE - CLIENT_STALE
    return max(1, min(config["SITE_CACHE_TTL"], asset_budget))


def store_for(app: Any) -> Store:
    """The store of ``app``: Redis when it has a Redis client, else in-process (made once per app)."""
    store = app.extensions.get(EXTENSION_KEY)
    if store is None:
        client = app.extensions.get(REDIS_EXTENSION)
        store = RedisStore(client, app.config["CACHE_KEY_PREFIX"]) if client is not None else LocalStore()
        app.extensions[EXTENSION_KEY] = store
    return store


def _store() -> Store:
    return store_for(current_app)


def serve(*, host: str, path: str, resolve: Resolver, build: Builder) -> Response:
    """The response for ``host`` + ``path``: from the cache, or resolved and built once and stored.

    ``resolve`` maps the host to its tenant (one query); ``build`` renders the finished entry of a
    tenant and runs only after the tenant's generation was read, so what it reads is never older
    than the key it is stored under.
    """
    store = _store()
    try:
        prefetched = request.environ.get(PREFETCHED) or _lookup(store, host, path)
        if not prefetched.allowed:
            raise RateLimited(
                f"Rate limit exceeded: {prefetched.limit.item}", headers=prefetched.limit_headers
            )
        entry = _cached(prefetched.found) or _miss(store, prefetched.found, host, path, resolve, build)
    except RedisError:
        log.warning("public cache unavailable; serving %s%s from the database", host, path)
        entry, prefetched = _uncached(host, resolve, build), None
    return _respond(entry, (prefetched.limit_headers if prefetched else None) or {})


def _lookup(store: Store, host: str, path: str) -> Prefetched:
    config = current_app.config
    limit = AnonLimit.of(config, client_address(), request.endpoint or "")
    counter = limit.redis_key(config) if limit is not None and isinstance(store, RedisStore) else None
    window = limit.window if counter else 0
    found = store.lookup(host, path, counter=counter, window=window, token=uuid.uuid4().hex)
    if limit is None:
        return Prefetched(found)
    allowed, headers = limit.verdict(found.hits or 0, found.ttl or 0) if counter else limit.hit()
    return Prefetched(found, limit, headers, allowed)


def _cached(found: Lookup) -> Entry | None:
    if found.raw is None and not found.no_site:
        return None
    request_state()["cache"] = "hit"
    return Entry.decode(found.raw) if found.raw is not None else Entry.missing(SITE_NOT_FOUND)


def _miss(store: Store, found: Lookup, host: str, path: str, resolve: Resolver, build: Builder) -> Entry:
    """Build the entry once: concurrent misses of the same key wait for the lock holder's result."""
    request_state()["cache"] = "miss"
    if found.token is None:
        waited = _await(store, host, path)
        if waited is not None:
            return waited
    key = None
    try:
        tenant_id, generation = found.tenant_id, found.generation
        if tenant_id is None:
            tenant_id = resolve(host)
            generation = store.remember_host(host, tenant_id, found.domains)
        if tenant_id is None:
            return Entry.missing(SITE_NOT_FOUND)
        entry = build(tenant_id)
        key = body_key(tenant_id, generation, host, path)
        store.store(key, entry, entry_ttl(current_app.config), lock=host + path, token=found.token)
        return entry
    finally:
        if key is None and found.token is not None:
            store.unlock(host + path, found.token)


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


def _uncached(host: str, resolve: Resolver, build: Builder) -> Entry:
    tenant_id = resolve(host)
    return build(tenant_id) if tenant_id is not None else Entry.missing(SITE_NOT_FOUND)


def _respond(entry: Entry, headers: dict[str, str]) -> Response:
    """The response of an entry: 304 when the client holds it, 404 as a fresh error envelope."""
    if entry.status == 404:
        raise NotFound(entry.body.decode(), headers=headers)
    headers = {**headers, **entry.headers, "ETag": f'"{entry.etag}"', "Cache-Control": CACHE_CONTROL}
    if request.if_none_match.contains_weak(entry.etag):
        return Response(status=304, headers=headers)
    return Response(entry.body, status=entry.status, headers=headers, content_type=entry.content_type)
