"""Two concurrent refreshes of one refresh token: at most one succeeds (real transactions)."""

from __future__ import annotations

import threading

import pytest

from siteninja import create_app
from siteninja.extensions import db
from siteninja.models import Tenant, User
from siteninja.services.passwords import hash_password
from tests.conftest import database_url

PASSWORD = "Conc-Passw0rd!"


@pytest.mark.needs_services
def test_concurrent_refresh_lets_at_most_one_through(app, own_session):
    live = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), RATELIMIT_ENABLED=False)
    with live.app_context():
        tenant = Tenant(name="Concurrency", subdomain="concurrency-test", settings={})
        db.session.add(tenant)
        db.session.flush()
        db.session.add(
            User(
                tenant_id=tenant.id,
                email="conc@example.test",
                name="C",
                role="owner",
                password_hash=hash_password(PASSWORD),
            )
        )
        db.session.commit()
        tenant_id = tenant.id
    try:
        login = live.test_client().post(
            "/api/auth/login", json={"email": "conc@example.test", "password": PASSWORD}
        )
        refresh_token = login.get_json()["data"]["refreshToken"]
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def refresh() -> None:
            client = live.test_client()
            barrier.wait(timeout=10)
            response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh_token}"})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=refresh) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(statuses) == 2, "a refresh thread did not answer"
        assert sorted(statuses) in ([200, 401], [401, 401])
    finally:
        with live.app_context():
            db.session.delete(db.session.get(Tenant, tenant_id))
            db.session.commit()
            db.engine.dispose()
