"""Contract fuzzing: every operation of /api/openapi.json, as a tenant owner and anonymously,
against the real app on PostgreSQL + Redis, with schemathesis' response checks.

Bounded and repeatable: derandomized Hypothesis, EXAMPLES examples per operation, no shrinking.
Rate limits are off for the run (``limiter.enabled``, what ``RATELIMIT_ENABLED=False`` sets):
thousands of requests in a minute are the point here, not a client to throttle. Nothing leaves
127.0.0.1: DNS lookups are answered "unresolvable" and a delivery to anything but loopback (which
the SSRF guard refuses anyway, ``WEBHOOK_ALLOW_PRIVATE`` being off) is refused before connecting.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from siteninja.extensions import limiter
from siteninja.services import ssrf
from siteninja.services import webhooks as webhook_delivery
from tests.fuzz.figures import RUNS, FuzzRun
from tests.fuzz.world import World, build_principals, build_world, seed

EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
# Operations that end the owner's session or lose its tenant or user: each of their examples gets
# a tenant and principals of its own.
SELF_DESTRUCTIVE = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/refresh"),
    ("PUT", "/api/tenants/{tenantId}"),
    ("PATCH", "/api/tenants/{tenantId}"),
    ("DELETE", "/api/tenants/{tenantId}"),
    ("PUT", "/api/users/{userId}"),
    ("PATCH", "/api/users/{userId}"),
    ("DELETE", "/api/users/{userId}"),
    ("PUT", "/api/users/{userId}/password"),
}
CREDENTIAL_HEADERS = ("Authorization", "X-API-Key")
# Header values a client may send as its request id: sane ones are echoed, others replaced.
REQUEST_IDS = st.one_of(
    st.none(),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=80),
)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    verbosity=Verbosity.quiet,
    report_multiple_bugs=False,
)


def _unresolvable(host: str, port: int, *, timeout: float) -> list[Any]:
    raise ssrf.Unresolvable(f"{host} is not looked up during the fuzz run")


def _guarded_exchange(original: Callable[..., Any]) -> Callable[..., Any]:
    def exchange(target: ssrf.Target, *args: Any, **kwargs: Any) -> Any:
        if not ipaddress.ip_address(target.address).is_loopback:
            raise ssrf.UnsafeUrl(f"{target.address} is off 127.0.0.1 (the fuzz run sends nothing there)")
        return original(target, *args, **kwargs)

    return exchange


@pytest.fixture
def fuzz_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The session app with rate limits off and webhook traffic kept on this machine."""
    monkeypatch.setattr(limiter, "enabled", False)
    monkeypatch.setattr(ssrf, "resolve", _unresolvable)
    monkeypatch.setattr(webhook_delivery, "_exchange", _guarded_exchange(webhook_delivery._exchange))
    return app


def _path_names(operation: Any) -> list[str]:
    return [parameter.name for parameter in operation.path_parameters]


def _spoils(operation: Any) -> bool:
    """Whether the owner's examples may have deleted or downgraded what later operations aim at."""
    method = operation.method.upper()
    return method == "DELETE" or (method != "GET" and operation.path.endswith("/subscription"))


def _fuzz_operation(app: Flask, operation: Any, principal: str, world: World, run: FuzzRun) -> None:
    """EXAMPLES generated requests (positive and negative) to ``operation``; records failures in ``run``."""
    label = f"{operation.method.upper()} {operation.path}"
    fresh = principal == "owner" and (operation.method.upper(), operation.path) in SELF_DESTRUCTIVE
    names = _path_names(operation)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )
    run.examples[label] = 0

    @FUZZ_SETTINGS
    @given(case=cases, id_choice=st.integers(0, 9), request_id=REQUEST_IDS)
    def fuzz(case: Any, id_choice: int, request_id: str | None) -> None:
        target = build_principals(world) if fresh else world
        if id_choice != 9:  # nine examples in ten name the world's objects, the tenth what was generated
            case.path_parameters.update(target.path_parameters(operation.path, names))
        if principal == "owner":
            # The owner's credentials, not the ones generated from the security schemes.
            for name in CREDENTIAL_HEADERS:
                case.headers.pop(name, None)
            case.headers.update(target.owner_headers)
            if operation.path == "/api/auth/refresh":
                case.headers["Authorization"] = f"Bearer {target.refresh_token}"
        if request_id is not None:
            case.headers["X-Request-ID"] = request_id
        run.examples[label] += 1
        response = case.call_and_validate(checks=CHECKS)
        run.record(label, response.status_code, response.content)

    try:
        fuzz()
    except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup is the latter
        run.failures[label] = str(failure)[:3000]


@pytest.mark.slow
@pytest.mark.needs_services
@pytest.mark.parametrize("principal", ["owner", "anonymous"])
def test_contract_fuzz(fuzz_app: Flask, principal: str) -> None:
    """Every documented operation answers within the document: no 5xx, documented statuses,
    content types and bodies, for EXAMPLES generated requests each."""
    started = time.monotonic()
    run = FuzzRun(principal)
    RUNS.append(run)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    seed()
    world = build_world(fuzz_app)
    for operation in operations:
        _fuzz_operation(fuzz_app, operation, principal, world, run)
        if principal == "owner" and _spoils(operation):
            world = build_world(fuzz_app)
    run.seconds = time.monotonic() - started
    too_few = {label: count for label, count in run.examples.items() if count < EXAMPLES}
    report = "\n\n".join(f"{label}:\n{failure}" for label, failure in sorted(run.failures.items()))
    assert not run.failures, f"{run.summary()}\n\n{report}"
    assert not too_few, f"operations fuzzed fewer than {EXAMPLES} times: {too_few}"
