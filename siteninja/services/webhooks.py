"""Webhook mechanics: secrets, Standard Webhooks signatures, the retry schedule, and one SSRF-safe
POST (to the checked address, TLS against the host name, no redirects, bounded in time and size)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import random
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter

from siteninja.services import ssrf

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "SiteNinja-Webhooks/1"
MAX_RESPONSE_BYTES = 64 * 1024
STORED_RESPONSE_BYTES = 1024
MAX_RETRY_AFTER = 30 * 86400
JITTER = 0.1
RETRY_AFTER_STATUSES = (429, 503)
CHECK_RESOLVE_TIMEOUT = 3


def check_url(url: str, *, allow_http: bool, allow_private: bool) -> None:
    """Raise ``ssrf.UnsafeUrl`` unless a webhook may point at ``url`` (the create/update check).

    A name that does not resolve yet is accepted: each delivery resolves and checks it again.
    """
    target = ssrf.parse(url, allow_http=allow_http)
    with contextlib.suppress(ssrf.Unresolvable):
        ssrf.check(target, allow_private=allow_private, timeout=CHECK_RESOLVE_TIMEOUT)


def new_secret() -> str:
    """A signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` keyed with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def delivery_headers(
    *, msg_id: str, timestamp: int, body: bytes, signing_secrets: Sequence[str]
) -> dict[str, str]:
    """The Standard Webhooks headers; one signature per secret (two while a rotation's grace runs)."""
    return {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        "Connection": "close",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(secret, msg_id, timestamp, body) for secret in signing_secrets),
    }


def retry_delay(*, attempt: int, schedule: Sequence[int], retry_after: float | None = None) -> float | None:
    """Seconds from attempt ``attempt`` (1 = the first) to the next, with ±10 % jitter, never sooner
    than the receiver's Retry-After; None once the schedule is used up."""
    if attempt > len(schedule):
        return None
    delay = schedule[attempt - 1] * random.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from ``now``; None if absent or bad."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class Outcome:
    """What one attempt got: the status (None without a response), the start of the body, an error."""

    status: int | None = None
    body: bytes = b""
    error: str | None = None
    retry_after: str | None = None
    bytes_read: int = 0
    duration_ms: int = 0

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def excerpt(self) -> str | None:
        """The first KiB of the response as text (PostgreSQL text cannot hold NUL)."""
        if self.status is None:
            return None
        text = self.body[:STORED_RESPONSE_BYTES].decode("utf-8", errors="replace")
        return text.replace("\x00", "\ufffd")


class _PinnedHost:
    """Adapter mixin for a URL whose host is an already-checked address: the request still names
    the original host in its Host header and, over TLS, in SNI and the certificate check."""

    def __init__(self, target: ssrf.Target, **kwargs: Any) -> None:
        self._target = target
        super().__init__(**kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        request.headers["Host"] = self._target.host_header
        if self._target.scheme == "https":
            pool_kwargs["assert_hostname"] = self._target.host
            pool_kwargs["server_hostname"] = self._target.host
        return host_params, pool_kwargs


class PinnedAdapter(_PinnedHost, HTTPAdapter):
    """Connects to the pinned address with no filter of its own (``WEBHOOK_ALLOW_PRIVATE``)."""


class HardenedPinnedAdapter(_PinnedHost, IPFilterAdapter):
    """requests-hardened's adapter: it re-checks the address it actually connects to (a literal,
    so no second DNS lookup) and refuses private and loopback ones."""


def _session(target: ssrf.Target, *, allow_private: bool) -> requests.Session:
    config = Config(
        ip_filter_enable=False,  # our pinned adapter below carries the filter
        ip_filter_allow_loopback_ips=False,
        never_redirect=True,
        default_timeout=(5, 10),
        user_agent_override=USER_AGENT,
    )
    session = HTTPSession(config)
    session.trust_env = False  # no proxies, netrc credentials or CA bundles from the environment
    if allow_private:
        adapter: HTTPAdapter = PinnedAdapter(target)
    else:
        adapter = HardenedPinnedAdapter(target, is_https_proto=target.scheme == "https", allow_loopback=False)
    session.mount(f"{target.scheme}://", adapter)
    return session


class _Deadline(Exception):
    """The attempt ran out of time."""


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    allow_http: bool,
    allow_private: bool,
    verify: bool | str = True,
) -> Outcome:
    """POST ``body`` to ``url`` once: check it, connect to the checked address, never follow a
    redirect, read at most 64 KiB, all within ``timeout`` seconds. Never raises."""
    started = time.monotonic()
    outcome = Outcome()
    try:
        target = ssrf.parse(url, allow_http=allow_http)
        target = ssrf.check(target, allow_private=allow_private, timeout=timeout)
        _exchange(target, body, headers, started + timeout, verify, allow_private, outcome)
    except ssrf.UnsafeUrl as exc:
        outcome.error = f"Refused: {exc}"
    except InvalidIPAddress:
        outcome.error = "Refused: address not allowed"
    except ssrf.Unresolvable as exc:
        outcome.error = str(exc)
    except (_Deadline, requests.Timeout):
        outcome.error = f"Timed out after {timeout:g} s"
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        outcome.error = _describe(exc)
    outcome.duration_ms = round((time.monotonic() - started) * 1000)
    return outcome


def _describe(exc: BaseException) -> str:
    """A short reason for a failed connection, never the URL (its path or query may hold secrets)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake or certificate verification failed"
    if "refused" in str(exc).lower():
        return "Connection refused"
    if isinstance(exc, requests.ConnectionError):
        return "Could not connect"
    return "Connection broken while reading the response"


def _exchange(
    target: ssrf.Target,
    body: bytes,
    headers: Mapping[str, str],
    deadline: float,
    verify: bool | str,
    allow_private: bool,
    outcome: Outcome,
) -> None:
    remaining = max(deadline - time.monotonic(), 0.001)
    timeout = urllib3.Timeout(connect=remaining, read=remaining, total=remaining)
    with _session(target, allow_private=allow_private) as session:
        response = session.post(
            target.pinned_url, data=body, headers=dict(headers), stream=True, verify=verify, timeout=timeout
        )
        with response:
            outcome.status = response.status_code
            outcome.retry_after = response.headers.get("Retry-After")
            _read_body(response, deadline, outcome)
    outcome.error = _status_error(outcome.status) or outcome.error


def _status_error(status: int) -> str | None:
    if 300 <= status < 400:
        return f"Redirect ({status}) not followed"
    if not 200 <= status < 300:
        return f"HTTP {status}"
    return None


def _read_body(response: requests.Response, deadline: float, outcome: Outcome) -> None:
    """Read up to 64 KiB of the body before the deadline (a timer shuts the socket at the deadline,
    so a receiver trickling bytes cannot stretch the attempt); more than that is a failure."""
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _shut, args=(response,))
    watchdog.daemon = True
    watchdog.start()
    chunks: list[bytes] = []
    try:
        while outcome.bytes_read < MAX_RESPONSE_BYTES:
            chunk = response.raw.read1(MAX_RESPONSE_BYTES - outcome.bytes_read, decode_content=False)
            if not chunk:
                break
            chunks.append(chunk)
            outcome.bytes_read += len(chunk)
    except (urllib3.exceptions.HTTPError, OSError):
        if time.monotonic() < deadline:
            raise
    finally:
        watchdog.cancel()
    outcome.body = b"".join(chunks)
    if time.monotonic() >= deadline:
        raise _Deadline()
    if outcome.bytes_read >= MAX_RESPONSE_BYTES and response.raw.length_remaining != 0:
        outcome.error = "Response body over 64 KiB (not read further)"


def _shut(response: requests.Response) -> None:
    with contextlib.suppress(OSError, ValueError, RuntimeError):  # already closed: nothing to interrupt
        response.raw.shutdown()
