"""services.webhooks: secrets, Standard Webhooks signatures, the retry schedule, and the one POST
(real receivers on 127.0.0.1, a real TLS server with a test CA for the host-name check)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import trustme
from standardwebhooks import Webhook as StandardWebhook

from siteninja.services import ssrf, webhooks
from tests.webhook_support import install_fake_dns, receiver, record_connections, reply

NOW = datetime(2026, 11, 23, 20, 31, tzinfo=UTC)


def test_a_secret_is_whsec_and_at_least_24_random_bytes():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert secret != webhooks.new_secret()


def test_the_signature_verifies_with_the_standardwebhooks_library():
    secret, body = webhooks.new_secret(), '{"id":"evt_1","data":{"title":"Ünïcode"}}'.encode()
    timestamp = int(time.time())
    headers = webhooks.delivery_headers(
        msg_id="evt_1", timestamp=timestamp, body=body, signing_secrets=[secret]
    )
    assert StandardWebhook(secret).verify(body, headers) == {"id": "evt_1", "data": {"title": "Ünïcode"}}
    assert headers["webhook-id"] == "evt_1" and headers["webhook-timestamp"] == str(timestamp)
    assert headers["Content-Type"] == "application/json"


def test_two_secrets_give_two_signatures_and_either_verifies():
    old, new, body = webhooks.new_secret(), webhooks.new_secret(), b'{"id":"evt_2"}'
    headers = webhooks.delivery_headers(
        msg_id="evt_2", timestamp=int(time.time()), body=body, signing_secrets=[new, old]
    )
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        StandardWebhook(secret).verify(body, headers)
    with pytest.raises(Exception, match="No matching signature"):
        StandardWebhook(webhooks.new_secret()).verify(body, headers)


def test_the_signature_is_the_documented_hmac():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    expected = (
        "v1,"
        + base64.b64encode(hmac.new(b"k" * 32, b"evt_3.1763930000.{}", hashlib.sha256).digest()).decode()
    )
    assert webhooks.sign(secret, "evt_3", 1763930000, b"{}") == expected


@pytest.mark.parametrize("attempt", range(1, 8))
def test_retry_delays_follow_the_schedule_with_ten_percent_jitter(attempt):
    schedule = [5, 300, 1800, 7200, 18000, 36000, 36000]
    delays = [webhooks.retry_delay(attempt=attempt, schedule=schedule) for _ in range(200)]
    base = schedule[attempt - 1]
    assert all(base * 0.9 <= delay <= base * 1.1 for delay in delays)
    assert len(set(delays)) > 1  # jittered, so retries of many events do not stampede


def test_retries_end_with_the_schedule():
    assert webhooks.retry_delay(attempt=8, schedule=[5, 300, 1800, 7200, 18000, 36000, 36000]) is None
    assert webhooks.retry_delay(attempt=1, schedule=[]) is None


def test_retry_after_is_never_undercut_but_does_not_shorten_the_schedule():
    assert webhooks.retry_delay(attempt=1, schedule=[5], retry_after=120) == 120
    assert 270 <= webhooks.retry_delay(attempt=1, schedule=[300], retry_after=1) <= 330
    assert webhooks.retry_delay(attempt=1, schedule=[5], retry_after=10**12) == webhooks.MAX_RETRY_AFTER


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Mon, 23 Nov 2026 20:33:00 GMT", 120.0),
        ("Mon, 23 Nov 2026 20:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, seconds):
    assert webhooks.parse_retry_after(header, NOW) == seconds


def post(url: str, **overrides):
    options = {"timeout": 2, "allow_http": True, "allow_private": True, **overrides}
    return webhooks.post(url, b'{"id":"evt_x"}', {"webhook-id": "evt_x"}, **options)


def test_a_2xx_within_the_timeout_is_a_success_and_the_start_of_the_body_is_kept():
    with receiver(lambda handler, received: reply(handler, 202, b"x" * 5000)) as hook:
        outcome = post(hook.url())
        [request] = hook.requests
    assert outcome.succeeded and outcome.status == 202
    assert outcome.excerpt == "x" * 1024
    assert request.headers["user-agent"] == "SiteNinja-Webhooks/1"
    assert request.headers["host"] == f"127.0.0.1:{hook.port}"


def test_a_redirect_is_a_failure_and_is_not_followed():
    with receiver() as target:

        def redirect(handler, received):
            reply(handler, 302, b"", {"Location": target.url("/stolen")})

        with receiver(redirect) as hook:
            outcome = post(hook.url())
        assert outcome.status == 302 and not outcome.succeeded
        assert outcome.error == "Redirect (302) not followed"
        assert target.requests == []


def test_a_slow_receiver_fails_within_the_timeout():
    with receiver(lambda handler, received: (time.sleep(4), reply(handler, 200))) as hook:
        started = time.monotonic()
        outcome = post(hook.url())
        elapsed = time.monotonic() - started
    assert outcome.status is None and outcome.error == "Timed out after 2 s"
    assert elapsed < 2 + 1


def test_a_receiver_trickling_its_body_cannot_stretch_the_attempt():
    def trickle(handler, received):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            handler.wfile.write(b".")
            handler.wfile.flush()
            time.sleep(0.05)

    with receiver(trickle) as hook:
        started = time.monotonic()
        outcome = post(hook.url())
        elapsed = time.monotonic() - started
    assert outcome.status == 200 and not outcome.succeeded
    assert outcome.error == "Timed out after 2 s"
    assert elapsed < 2 + 1


@pytest.mark.parametrize("chunked", [False, True])
def test_at_most_64_kib_of_a_huge_answer_is_read_and_it_is_a_failure(chunked):
    def stream(handler, received):
        handler.send_response(200)
        handler.send_header(
            *(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(10 * 2**20)))
        )
        handler.end_headers()
        for _ in range(160):  # 10 MiB
            data = b"z" * 65536
            handler.wfile.write(b"10000\r\n" + data + b"\r\n" if chunked else data)

    with receiver(stream) as hook:
        started = time.monotonic()
        outcome = post(hook.url())
    assert outcome.bytes_read <= webhooks.MAX_RESPONSE_BYTES
    assert outcome.error == "Response body over 64 KiB (not read further)" and not outcome.succeeded
    assert time.monotonic() - started < 2 + 1


def test_a_small_chunked_answer_is_read_whole():
    def chunked(handler, received):
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.write(b"5\r\nhello\r\n0\r\n\r\n")

    with receiver(chunked) as hook:
        outcome = post(hook.url())
    assert outcome.succeeded and outcome.excerpt == "hello"


def test_a_refused_connection_has_no_status_and_names_no_url():
    outcome = post("http://127.0.0.1:9/secret-path?token=abc")
    assert outcome.status is None and outcome.error == "Connection refused"


def test_the_body_excerpt_is_safe_text():
    with receiver(lambda handler, received: reply(handler, 500, b"bad\x00\xff")) as hook:
        outcome = post(hook.url())
    assert outcome.error == "HTTP 500" and outcome.excerpt == "bad\ufffd\ufffd"


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


class TlsReceiver:
    """A real HTTPS server on 127.0.0.1 whose certificate names ``cert_host``."""

    def __init__(self, ca: trustme.CA, cert_host: str) -> None:
        self.requests: list[dict] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.requests.append({"host": self.headers["Host"]})
                reply(self, 200, b"tls ok")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(cert_host).configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


def test_tls_goes_to_the_checked_address_and_verifies_the_certificate_against_the_host_name(
    tls_ca, monkeypatch, tmp_path
):
    dns = install_fake_dns(monkeypatch)
    dns.add("hooks.example.test", ["127.0.0.1"])
    attempted = record_connections(monkeypatch)
    bundle = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(bundle))
    with TlsReceiver(tls_ca, "hooks.example.test") as server:
        port = server.server.server_address[1]
        outcome = post(f"https://hooks.example.test:{port}/in", allow_http=False, verify=str(bundle))
        assert outcome.succeeded, outcome.error
        assert server.requests == [{"host": f"hooks.example.test:{port}"}]
    assert dns.lookups == ["hooks.example.test"]  # resolved once, then connected to that address
    assert attempted == [("127.0.0.1", port)]


def test_a_certificate_for_another_name_is_refused(tls_ca, monkeypatch, tmp_path):
    install_fake_dns(monkeypatch).add("hooks.example.test", ["127.0.0.1"])
    bundle = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(bundle))
    with TlsReceiver(tls_ca, "other.example.test") as server:
        port = server.server.server_address[1]
        outcome = post(f"https://hooks.example.test:{port}/in", allow_http=False, verify=str(bundle))
        assert server.requests == []
    assert outcome.status is None
    assert outcome.error == "TLS handshake or certificate verification failed"


def test_the_hardened_adapter_also_verifies_against_the_host_name(tls_ca, tmp_path):
    """requests-hardened's adapter with our pinning (loopback allowed here only to reach the test server)."""
    bundle = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(bundle))
    with TlsReceiver(tls_ca, "hooks.example.test") as server:
        port = server.server.server_address[1]
        target = ssrf.Target("https", "hooks.example.test", port, "/in", ssrf.literal_address("127.0.0.1"))
        for cert_ok, adapter_host in ((True, "hooks.example.test"), (False, "evil.example.test")):
            pinned = ssrf.Target("https", adapter_host, port, "/in", target.address)
            session = requests.Session()
            session.mount(
                "https://", webhooks.HardenedPinnedAdapter(pinned, is_https_proto=True, allow_loopback=True)
            )
            if cert_ok:
                assert (
                    session.post(pinned.pinned_url, data=b"{}", verify=str(bundle), timeout=2).status_code
                    == 200
                )
            else:
                with pytest.raises(requests.exceptions.SSLError):
                    session.post(pinned.pinned_url, data=b"{}", verify=str(bundle), timeout=2)


def test_the_hardened_adapter_refuses_a_private_address_it_is_handed(monkeypatch):
    attempted = record_connections(monkeypatch)
    outcome = webhooks.post(
        "https://10.1.2.3/in", b"{}", {}, timeout=2, allow_http=False, allow_private=False
    )
    assert outcome.error.startswith("Refused") and attempted == []
    target = ssrf.Target("https", "hooks.example.test", 443, "/", ssrf.literal_address("10.1.2.3"))
    session = requests.Session()
    session.mount(
        "https://", webhooks.HardenedPinnedAdapter(target, is_https_proto=True, allow_loopback=False)
    )
    with pytest.raises(requests.RequestException):
        session.post(target.pinned_url, data=b"{}", timeout=2)
    assert attempted == []


def test_retry_after_dates_in_the_past_are_now():
    past = (NOW - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert webhooks.parse_retry_after(past, NOW) == 0.0
