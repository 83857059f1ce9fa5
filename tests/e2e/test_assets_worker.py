"""Thumbnails through the real RQ worker, and the storage quota under two truly parallel uploads."""

from __future__ import annotations

import io
import json
import os
import threading
import uuid

import pytest
from PIL import Image
from rq import Queue

from siteninja import create_app
from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.models import Tenant, User
from siteninja.resources.auth.tokens import issue_tokens
from siteninja.resources.tenants.service import create_tenant
from siteninja.services.passwords import hash_password
from tests import asset_files as files
from tests.conftest import TMP_DIR, database_url
from tests.e2e.test_worker import run_worker
from tests.resources.asset_helpers import path_of

MiB = 1024 * 1024


def live_app(**overrides):
    """An app on the test database with real, committed transactions (not the rolled-back fixture)."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url(),
        REDIS_URL=os.environ.get("REDIS_URL"),
        UPLOAD_DIR=f"{TMP_DIR}/e2e-uploads",
        RATELIMIT_ENABLED=False,
        **overrides,
    )


def seed_editor(app) -> tuple[uuid.UUID, str]:
    """A committed tenant with an editor; returns the tenant id and the editor's access token."""
    with app.app_context():
        tenant = create_tenant(data={"name": "Assets E2E", "subdomain": f"assets-{uuid.uuid4().hex[:10]}"})
        user = User(
            tenant_id=tenant.id,
            email=f"{uuid.uuid4().hex[:8]}@example.test",
            name="E2E",
            role="editor",
            password_hash=hash_password("E2e-Passw0rd!"),
            email_verified=True,
        )
        db.session.add(user)
        db.session.commit()
        token = issue_tokens(user)["access_token"]
        db.session.commit()
        return tenant.id, token


def drop_tenant(app, tenant_id: uuid.UUID) -> None:
    with app.app_context():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()
        db.engine.dispose()


def post_upload(client, tenant_id, token: str, content: bytes, name: str):
    return client.post(
        f"/api/tenants/{tenant_id}/assets/upload",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.needs_services
def test_the_worker_makes_the_thumbnail(own_session):
    app = live_app(JOBS_MODE="rq")
    tenant_id, token = seed_editor(app)
    client = app.test_client()
    try:
        content = files.jpeg_with_gps(size=(1280, 720), orientation=1)
        response = post_upload(client, tenant_id, token, content, "hero.jpg")
        assert response.status_code == 201
        asset = response.get_json()["data"]
        assert asset["thumbnailStatus"] == "pending" and asset["thumbnailUrl"] is None
        with app.app_context():
            assert Queue("media", connection=redis_client()).count == 1

        result = run_worker(UPLOAD_DIR=app.config["UPLOAD_DIR"])

        assert result.returncode == 0, result.stderr
        assert "Successfully completed siteninja.jobs.media.make_thumbnail" in result.stderr, result.stderr
        headers = {"Authorization": f"Bearer {token}"}
        current = client.get(f"/api/tenants/{tenant_id}/assets/{asset['id']}", headers=headers)
        data = current.get_json()["data"]
        assert data["thumbnailStatus"] == "ready", result.stderr
        thumbnail = client.get(path_of(data["thumbnailUrl"]))
        assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/webp"
        assert Image.open(io.BytesIO(thumbnail.data)).size == (320, 180)
    finally:
        drop_tenant(app, tenant_id)


@pytest.mark.needs_services
def test_two_parallel_uploads_at_the_edge_of_the_quota_let_exactly_one_through(own_session):
    content = files.pdf(pages=40)
    limits = json.loads(json.dumps(create_app("testing").config["PLAN_LIMITS"]))
    limits["free"]["storage_bytes"] = len(content) + len(content) // 2
    app = live_app(PLAN_LIMITS=limits)
    tenant_id, token = seed_editor(app)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def attempt(name: str) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        statuses.append(post_upload(client, tenant_id, token, content, name).status_code)

    try:
        threads = [threading.Thread(target=attempt, args=(f"{n}.pdf",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [201, 403]
        usage = app.test_client().get(
            f"/api/tenants/{tenant_id}/assets/usage", headers={"Authorization": f"Bearer {token}"}
        )
        assert usage.get_json()["data"]["count"] == 1
    finally:
        drop_tenant(app, tenant_id)
