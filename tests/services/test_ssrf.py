"""SSRF: a corpus of hostile webhook URLs, refused at create time and at delivery, 0 connections.

The resolver is stubbed (tests.webhook_support.FakeDns): names resolve only to what a test says,
numeric hosts are parsed without a lookup, and every connection attempt is recorded.
"""

from __future__ import annotations

import ipaddress

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import WebhookDelivery
from siteninja.services import events, ssrf
from tests import factories
from tests.webhook_support import PUBLIC_ADDRESS, install_fake_dns, record_connections

HOSTILE = [
    "https://127.0.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://2130706433/hook",
    "https://0x7f000001/hook",
    "https://0177.0.0.1/hook",
    "https://127.1/hook",
    "https://0.0.0.0/hook",
    "https://0/hook",
    "https://[::]/hook",
    "https://10.0.0.1/hook",
    "https://172.16.0.1/hook",
    "https://172.31.255.254/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",
    "https://198.18.0.1/hook",
    "https://224.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.100.100.200/latest/meta-data/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://[fd00::1]/hook",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://[fe80::1]/hook",
    "https://[fec0::1]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://[::127.0.0.1]/hook",
    "https://localhost/hook",
    "https://user:pw@hooks.example.test/hook",
    "https://token@hooks.example.test/hook",
    "http://hooks.example.test/hook",
    "ftp://hooks.example.test/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/_hello",
    "https://hooks.example.test\\@127.0.0.1/hook",
    "https://loopback.example.test/hook",
    "https://mixed.example.test/hook",
    "https://10.0.0.1.nip.example.test/hook",
]


@pytest.fixture
def fake_dns(monkeypatch):
    return install_fake_dns(monkeypatch)


@pytest.fixture
def connections(monkeypatch):
    return record_connections(monkeypatch)


@pytest.fixture
def hostile_dns(fake_dns):
    fake_dns.add("hooks.example.test", [PUBLIC_ADDRESS])
    fake_dns.add("loopback.example.test", ["127.0.0.1"])
    fake_dns.add("mixed.example.test", [PUBLIC_ADDRESS, "10.0.0.5"])
    fake_dns.add("10.0.0.1.nip.example.test", ["10.0.0.1"])
    return fake_dns


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize("url", HOSTILE)
def test_a_hostile_url_is_refused_at_create_with_no_connection(
    app, owner_client, tenant, hostile_dns, connections, url
):
    response = owner_client.post(f"/api/tenants/{tenant.id}/webhooks", json={"url": url, "events": ["*"]})
    assert response.status_code == 422, response.get_json()
    [detail] = response.get_json()["error"]["details"]
    assert detail["field"] == "url"
    assert connections == []


@pytest.mark.parametrize("url", HOSTILE)
def test_a_hostile_url_is_refused_at_delivery_with_no_connection(app, tenant, hostile_dns, connections, url):
    webhook = factories.webhook(tenant=tenant, url=url)  # stored behind the API's back
    events.emit(tenant_id=tenant.id, type="page.updated", data={"id": "p1"})
    db.session.commit()  # the delivery runs now (jobs are synchronous in tests)

    [delivery] = db.session.scalars(
        sa.select(WebhookDelivery).where(
            WebhookDelivery.attempt == 1, WebhookDelivery.webhook_id == webhook.id
        )
    )
    assert delivery.status == "retrying"
    assert delivery.response_status is None
    assert delivery.error.startswith("Refused")
    assert connections == []


def test_a_name_that_turns_private_after_create_is_refused_at_delivery(
    app, owner_client, tenant, fake_dns, connections
):
    fake_dns.add("rebind.example.test", [PUBLIC_ADDRESS], ["127.0.0.1"])  # public first, then private
    created = owner_client.post(
        f"/api/tenants/{tenant.id}/webhooks", json={"url": "https://rebind.example.test/h", "events": ["*"]}
    )
    assert created.status_code == 201
    events.emit(tenant_id=tenant.id, type="page.updated", data={})
    db.session.commit()

    delivery = db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.tenant_id == tenant.id))
    assert delivery.error == "Refused: rebind.example.test resolves to a loopback address (127.0.0.1)"
    assert fake_dns.lookups == ["rebind.example.test", "rebind.example.test"]  # once at create, once here
    assert connections == []


def test_a_public_name_is_accepted_and_a_name_that_does_not_resolve_yet_too(owner_client, tenant, fake_dns):
    fake_dns.add("hooks.example.test", [PUBLIC_ADDRESS, "2606:2800:220:1:248:1893:25c8:1946"])
    url = f"/api/tenants/{tenant.id}/webhooks"
    assert (
        owner_client.post(url, json={"url": "https://hooks.example.test/h", "events": ["*"]}).status_code
        == 201
    )
    factories.plan(tenant, "pro")  # room for a second webhook
    assert (
        owner_client.post(url, json={"url": "https://not-yet.example.test/h", "events": ["*"]}).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:10.1.2.3", "private"),
        ("64:ff9b::7f00:1", "loopback"),
        ("169.254.169.254", "cloud metadata"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("100.64.0.1", "special-purpose"),
        ("0.0.0.0", "unspecified"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),
        (PUBLIC_ADDRESS, None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
    ],
)
def test_address_rules(address, problem):
    assert ssrf.address_problem(ipaddress.ip_address(address), allow_private=False) == problem


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", None),
        ("10.0.0.1", None),
        ("169.254.169.254", "cloud metadata"),
        ("0.0.0.0", "unspecified"),
    ],
)
def test_allow_private_still_refuses_metadata_and_unspecified(address, problem):
    assert ssrf.address_problem(ipaddress.ip_address(address), allow_private=True) == problem


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("::1", "::1"),
        ("hooks.example.test", None),
    ],
)
def test_numeric_hosts_are_read_as_a_c_resolver_would(host, address):
    expected = ipaddress.ip_address(address) if address else None
    assert ssrf.literal_address(host) == expected


def test_the_pinned_url_keeps_the_path_and_query_and_names_the_host_for_the_header():
    target = ssrf.Target(
        "https", "hooks.example.test", 8443, "/in?token=abc", ipaddress.ip_address(PUBLIC_ADDRESS)
    )
    assert target.pinned_url == f"https://{PUBLIC_ADDRESS}:8443/in?token=abc"
    assert target.host_header == "hooks.example.test:8443"
    v6 = ssrf.Target("https", "hooks.example.test", 443, "/", ipaddress.ip_address("2606:2800:220:1::1"))
    assert v6.pinned_url == "https://[2606:2800:220:1::1]:443/" and v6.host_header == "hooks.example.test"
