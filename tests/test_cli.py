"""Command line: seed (idempotent, --demo), create-superadmin, openapi write; production config."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa

from siteninja.config import ROOT_DIR
from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.models import AuditLog, IdempotencyRecord, Industry, Page, RevokedToken, Template, Tenant, User
from siteninja.services.passwords import verify_password


def test_seed_is_idempotent_and_demo_is_complete(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed", "--demo"])
    assert "Seeded 0 industries and 0 templates" in second.output
    assert "already exists" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Industry)) >= 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Template)) >= 8
    demo = db.session.scalar(sa.select(Tenant).where(Tenant.subdomain == "demo"))
    assert db.session.scalar(sa.select(User.role).where(User.email == "owner@demo.siteninja.test")) == "owner"
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Page).where(Page.tenant_id == demo.id)) >= 3
    )


def test_create_superadmin_non_interactive(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-superadmin", "--email", "Root@Example.test", "--password", "R00t-Passw0rd!"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.test"))
    assert user.role == "super_admin" and user.tenant_id is None
    assert verify_password(user.password_hash, "R00t-Passw0rd!")
    assert "R00t-Passw0rd!" not in result.output
    weak = runner.invoke(args=["create-superadmin", "--email", "x@example.test", "--password", "weak"])
    assert weak.exit_code != 0 and "Password" in weak.output
    duplicate = runner.invoke(
        args=["create-superadmin", "--email", "root@example.test", "--password", "R00t-Passw0rd!"]
    )
    assert duplicate.exit_code != 0


def test_openapi_write(app, tmp_path):
    target = tmp_path / "openapi.json"
    result = app.test_cli_runner().invoke(args=["openapi", "write", str(target)])
    assert result.exit_code == 0, result.output
    spec = json.loads(target.read_text())
    assert spec["openapi"].startswith("3.") and "/api/tenants" in spec["paths"]


def test_production_refuses_to_start_without_secrets():
    env = {"PATH": "/usr/bin:/bin", "SITENINJA_ENV": "production", "PYTHONPATH": str(ROOT_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "from siteninja import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT_DIR,
    )
    assert result.returncode != 0
    assert (
        "SECRET_KEY" in result.stderr
        and "JWT_SECRET_KEY" in result.stderr
        and "DATABASE_URL" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_audit_purge_removes_only_old_entries(app, tenant):
    old = AuditLog(
        tenant_id=tenant.id,
        action="update",
        resource_type="tenant",
        created_at=utcnow() - timedelta(days=100),
    )
    db.session.add(old)
    db.session.commit()
    kept = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--older-than", "90"])
    assert result.exit_code == 0 and "Deleted 1 audit entries" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == kept - 1
    assert app.test_cli_runner().invoke(args=["audit", "purge", "--older-than", "0"]).exit_code != 0


def test_purge_expired_tokens_and_idempotency_records(app):
    past = utcnow() - timedelta(hours=1)
    db.session.add(RevokedToken(jti="expired-jti", expires_at=past))
    db.session.add(RevokedToken(jti="live-jti", expires_at=utcnow() + timedelta(hours=1)))
    db.session.add(
        IdempotencyRecord(
            principal="ip:x",
            key="k",
            request_hash="h",
            status_code=201,
            response_body="{}",
            response_headers={},
            expires_at=past,
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert db.session.get(RevokedToken, "expired-jti") is None
    assert db.session.get(RevokedToken, "live-jti") is not None
    assert db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "k")) is None
