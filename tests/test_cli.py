"""Command line: seed (idempotent, --demo), create-superadmin, openapi write; production config."""

from __future__ import annotations

import json
import subprocess
import sys

import sqlalchemy as sa

from siteninja.config import ROOT_DIR
from siteninja.extensions import db
from siteninja.models import Industry, Page, Template, Tenant, User
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
