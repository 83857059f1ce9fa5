"""Test helpers for webhooks: a real HTTP receiver on 127.0.0.1, a stub resolver, a connection log.

Nothing here lets traffic leave the machine: the receiver binds 127.0.0.1 on a free port, and the
stub resolver answers only the names a test gives it (numeric hosts are parsed, never looked up).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

REAL_GETADDRINFO = socket.getaddrinfo
REAL_CONNECT = socket.socket.connect
PUBLIC_ADDRESS = "93.184.216.34"  # a global unicast address: allowed, and never connected to here


@dataclass
class Received:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


Responder = Callable[[BaseHTTPRequestHandler, Received], None]


def reply(
    handler: BaseHTTPRequestHandler, status: int, body: bytes = b"ok", headers: dict | None = None
) -> None:
    """Answer with ``status``, ``headers`` and ``body`` (Content-Length set)."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def ok(handler: BaseHTTPRequestHandler, received: Received) -> None:
    reply(handler, 200, b'{"received": true}', {"Content-Type": "application/json"})


class Receiver:
    """A real HTTP server on 127.0.0.1 in a thread; records every request, answers with ``respond``."""

    def __init__(self, respond: Responder = ok) -> None:
        self.respond = respond
        self.requests: list[Received] = []
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received = Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._lock:
                    receiver.requests.append(received)
                    receiver._lock.notify_all()
                # The sender may hang up first (a timeout, a size limit, a killed worker).
                with contextlib.suppress(OSError):
                    receiver.respond(self, received)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least ``count`` requests arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def receiver(respond: Responder = ok) -> Iterator[Receiver]:
    with Receiver(respond) as running:
        yield running


class FakeDns:
    """``socket.getaddrinfo`` for tests: the names it is told, numeric hosts parsed, nothing else."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Sequence[str]]] = {}
        self.lookups: list[str] = []

    def add(self, name: str, *answers: Sequence[str]) -> None:
        """``name`` resolves to ``answers[0]`` first, then ``answers[1]``… (the last one repeats)."""
        self.answers[name] = list(answers)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        host = host.decode() if isinstance(host, bytes) else host
        numeric = (
            REAL_GETADDRINFO(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
            if _numeric(host)
            else None
        )
        if numeric is not None:
            return numeric
        self.lookups.append(host)
        answers = self.answers.get(host)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (stub resolver)")
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [_info(address, port) for address in addresses]


def _numeric(host: str) -> bool:
    try:
        REAL_GETADDRINFO(host, None, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        return False
    return True


def _info(address: str, port) -> tuple:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockaddr = (address, int(port or 0), 0, 0) if family == socket.AF_INET6 else (address, int(port or 0))
    return (family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)


def install_fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Replace the resolver for the test: unknown names fail, so no lookup leaves the machine."""
    dns = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


def record_connections(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every TCP connection attempted during the test; those to 127.0.0.1 go through, others fail."""
    attempted: list = []

    def connect(sock, address):
        attempted.append(address)
        if isinstance(address, tuple) and address[0] == "127.0.0.1":
            return REAL_CONNECT(sock, address)
        raise ConnectionRefusedError(111, "blocked by the test: no traffic leaves 127.0.0.1")

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempted


def allow_local_receivers(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let webhooks point at http://127.0.0.1 receivers (as WEBHOOK_ALLOW_HTTP/PRIVATE do)."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 2)
