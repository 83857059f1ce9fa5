"""Authentication: register, login, refresh rotation, logout, email flows, JWT negatives, throttling."""

from __future__ import annotations

import email
import time
import uuid
from datetime import timedelta
from pathlib import Path

import bcrypt
import jwt as pyjwt
import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token
from limits import parse

from siteninja.extensions import db, limiter
from siteninja.models import AuditLog, RefreshToken, Tenant, User
from tests import factories

PASSWORD = "Corr3ct-Horse!"


def register(client, **body):
    body.setdefault("email", f"{factories.unique('new')}@example.test")
    body.setdefault("password", PASSWORD)
    body.setdefault("name", "New Person")
    return client.post("/api/auth/register", json=body)


def login(client, email_address, password=PASSWORD, **headers):
    return client.post(
        "/api/auth/login", json={"email": email_address, "password": password}, headers=headers
    )


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def mails(app):
    directory = Path(app.config["MAIL_FILE_DIR"])
    files = sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes()) for p in files]


def mail_token(app, to, subject_word):
    for message in reversed(mails(app)):
        if message["To"] == to and subject_word in message["Subject"]:
            body = message.get_payload(decode=True).decode()
            return next(
                line.strip() for line in body.splitlines() if len(line.strip()) >= 40 and " " not in line
            )
    raise AssertionError(f"no {subject_word} mail to {to}")


def test_register_with_tenant_makes_an_owner_and_sends_verification(app, client):
    response = register(client, email="Founder@Example.test", tenantName="Founder Co", subdomain="founder-co")
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["user"]["role"] == "owner" and data["user"]["email"] == "founder@example.test"
    assert data["accessToken"] and data["refreshToken"] and "password" not in str(data["user"])
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.subdomain == "founder-co"))
    assert data["user"]["tenantId"] == str(tenant.id)
    token = mail_token(app, "founder@example.test", "Confirm")
    verified = client.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200 and verified.get_json()["data"]["emailVerified"] is True
    again = client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 422 and again.get_json()["error"]["details"][0]["field"] == "token"


def test_register_validation(client):
    weak = register(client, password="short")
    assert weak.status_code == 422 and weak.get_json()["error"]["details"][0]["field"] == "password"
    assert register(client, tenantName="Only name").status_code == 422
    assert register(client, email="not-an-email").status_code == 422
    first = register(client, email="dup@example.test")
    assert first.status_code == 201
    assert register(client, email="DUP@example.test").status_code == 409


def test_login_success_and_identical_failures(app, client, tenant):
    user = factories.user(tenant=tenant, password=PASSWORD)
    ok = login(client, user.email.upper())
    assert ok.status_code == 200
    body = ok.get_json()["data"]
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 15 * 60
    assert body["user"]["lastLogin"] is not None
    wrong_password = login(client, user.email, "Wrong-passw0rd!")
    unknown_email = login(client, "nobody@example.test", "Wrong-passw0rd!")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json()["error"] == unknown_email.get_json()["error"]
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.resource_id == str(user.id))).all()
    assert "login" in actions and "login_failed" in actions


def test_bcrypt_hash_is_upgraded_on_login(client, tenant):
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    user = factories.user(tenant=tenant)
    user.password_hash = legacy
    db.session.commit()
    assert login(client, user.email).status_code == 200
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    assert login(client, user.email).status_code == 200


def test_me_shows_the_user(client, tenant):
    user = factories.user(tenant=tenant)
    response = client.get("/api/auth/me", headers=factories.auth_headers(user))
    assert response.get_json()["data"] == {"type": "user", "user": response.get_json()["data"]["user"]}
    assert response.get_json()["data"]["user"]["id"] == str(user.id)
    assert client.get("/api/auth/me").status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(client, tenant):
    user = factories.user(tenant=tenant, password=PASSWORD)
    first = login(client, user.email).get_json()["data"]
    rotated = client.post("/api/auth/refresh", headers=bearer(first["refreshToken"]))
    assert rotated.status_code == 200
    second = rotated.get_json()["data"]
    assert second["refreshToken"] != first["refreshToken"]
    replay = client.post("/api/auth/refresh", headers=bearer(first["refreshToken"]))
    assert replay.status_code == 401
    assert client.post("/api/auth/refresh", headers=bearer(second["refreshToken"])).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(second["accessToken"])).status_code == 401


def test_access_token_cannot_refresh_and_refresh_token_cannot_call_api(client, tenant):
    user = factories.user(tenant=tenant, password=PASSWORD)
    session = login(client, user.email).get_json()["data"]
    assert client.post("/api/auth/refresh", headers=bearer(session["accessToken"])).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(session["refreshToken"])).status_code == 401
    assert client.post("/api/auth/refresh").status_code == 401


def test_logout_revokes_both_tokens_even_after_redis_is_flushed(app, client, tenant):
    user = factories.user(tenant=tenant, password=PASSWORD)
    session = login(client, user.email).get_json()["data"]
    out = client.post(
        "/api/auth/logout",
        headers=bearer(session["accessToken"]),
        json={"refreshToken": session["refreshToken"]},
    )
    assert out.status_code == 204
    redis = app.extensions.get("siteninja_redis")
    if redis is not None:
        redis.flushall()
    assert client.get("/api/auth/me", headers=bearer(session["accessToken"])).status_code == 401
    assert client.post("/api/auth/refresh", headers=bearer(session["refreshToken"])).status_code == 401


def _forge(app, user, **overrides):
    claims = {
        "sub": str(user.id),
        "type": "access",
        "jti": uuid.uuid4().hex,
        "iss": "siteninja",
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
        "role": "owner",
        "tenantId": str(user.tenant_id),
    }
    claims.update(overrides.pop("claims", {}))
    key = overrides.pop("key", app.config["JWT_SECRET_KEY"])
    algorithm = overrides.pop("algorithm", "HS256")
    return pyjwt.encode(claims, key, algorithm=algorithm)


def test_jwt_negatives(app, client, tenant):
    user = factories.user(tenant=tenant)
    good = _forge(app, user)
    assert client.get("/api/auth/me", headers=bearer(good)).status_code == 200
    header, _payload, signature = good.split(".")
    unsigned = pyjwt.encode({"sub": str(user.id), "type": "access"}, None, algorithm="none")
    tampered_payload = _forge(app, user, claims={"role": "super_admin"}).split(".")[1]
    bad_tokens = {
        "alg none": unsigned,
        "wrong key": _forge(app, user, key="another-secret-key-of-sufficient-length-123"),
        "tampered": f"{header}.{tampered_payload}.{signature}",
        "expired": _forge(app, user, claims={"exp": int(time.time()) - 10}),
        "wrong issuer": _forge(app, user, claims={"iss": "evil"}),
        "HS512": _forge(app, user, algorithm="HS512"),
        "garbage": "not.a.jwt",
    }
    for name, token in bad_tokens.items():
        assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401, name
    with app.test_request_context():
        revoked_user_token = create_access_token(identity=str(user.id), expires_delta=timedelta(minutes=5))
    user.deleted_at = user.created_at
    db.session.commit()
    assert client.get("/api/auth/me", headers=bearer(revoked_user_token)).status_code == 401


def test_forgot_password_is_enumeration_safe_and_reset_works(app, client, tenant):
    user = factories.user(tenant=tenant, password=PASSWORD)
    known = client.post("/api/auth/forgot-password", json={"email": user.email})
    unknown = client.post("/api/auth/forgot-password", json={"email": "ghost@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    session = login(client, user.email).get_json()["data"]
    token = mail_token(app, user.email, "Reset")
    weak = client.post("/api/auth/reset-password", json={"token": token, "password": "weak"})
    assert weak.status_code == 422
    new_password = "N3w-Passw0rd!!"
    reset = client.post("/api/auth/reset-password", json={"token": token, "password": new_password})
    assert reset.status_code == 200
    assert (
        client.post("/api/auth/reset-password", json={"token": token, "password": new_password}).status_code
        == 422
    )
    assert client.post("/api/auth/refresh", headers=bearer(session["refreshToken"])).status_code == 401
    assert login(client, user.email, new_password).status_code == 200
    assert login(client, user.email, PASSWORD).status_code == 401


def test_login_is_throttled_per_ip_with_headers(client, tenant):
    user = factories.user(tenant=tenant, password=PASSWORD)
    for attempt in range(5):
        assert login(client, f"x{attempt}@example.test", "Wr0ng-pass!").status_code == 401
    limited = login(client, user.email)
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Limit"] == "5"
    assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_failed_logins_lock_the_account_across_ips(app, client, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN", "100/minute")  # isolate the per-account limit
    user = factories.user(tenant=tenant, password=PASSWORD)
    for attempt in range(10):
        ip = f"10.0.{attempt}.1"
        response = client.post(
            "/api/auth/login",
            json={"email": user.email, "password": "Wr0ng-pass!"},
            environ_base={"REMOTE_ADDR": ip},
        )
        assert response.status_code == 401
    locked = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert locked.status_code == 429 and "Retry-After" in locked.headers


@pytest.mark.parametrize("field", ["email", "password"])
def test_login_requires_fields(client, field):
    body = {"email": "a@example.test", "password": PASSWORD}
    body.pop(field)
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == field


def test_no_secret_reaches_audit_rows_or_logs(app, client, caplog, tenant):
    caplog.set_level("DEBUG")
    user = factories.user(tenant=tenant, password=PASSWORD)
    session = login(client, user.email).get_json()["data"]
    login(client, user.email, "Wr0ng-s3cret!")
    client.post("/api/auth/logout", headers=bearer(session["accessToken"]))
    secrets = [PASSWORD, "Wr0ng-s3cret!", session["accessToken"], session["refreshToken"]]
    rows = db.session.scalars(sa.select(AuditLog)).all()
    dumped = " ".join(str([r.old_value, r.new_value, r.changes, r.path, r.user_agent]) for r in rows)
    dumped += caplog.text
    for secret in secrets:
        assert secret not in dumped
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RefreshToken)) >= 1
    assert db.session.scalar(sa.select(User.password_hash).where(User.id == user.id)) not in caplog.text


def test_account_lockout_expires_by_itself(app, client, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN", "100/minute")
    user = factories.user(tenant=tenant, password=PASSWORD)
    for attempt in range(10):
        client.post(
            "/api/auth/login",
            json={"email": user.email, "password": "Wr0ng-pass!"},
            environ_base={"REMOTE_ADDR": f"10.1.{attempt}.1"},
        )
    reset_at, remaining = limiter.limiter.get_window_stats(
        parse("10/15minutes"), "login-failures", user.email
    )
    assert remaining == 0
    assert time.time() < reset_at <= time.time() + 15 * 60 + 1
