"""Access tokens: verified once per process, yet expiry, tampering and the token type always hold."""

from __future__ import annotations

import time

import pytest

from siteninja.core import auth
from siteninja.core.auth import decode_jwt
from siteninja.core.errors import Unauthorized
from siteninja.resources.auth.tokens import issue_tokens
from tests import factories


@pytest.fixture
def tokens(app, tenant):
    with app.test_request_context():
        return issue_tokens(factories.user(tenant=tenant, role="viewer"))


def test_a_verified_token_is_refused_once_it_expires(app, tokens, monkeypatch):
    with app.test_request_context():
        claims = decode_jwt(tokens["access_token"], expected_type="access")
        monkeypatch.setattr(auth.time, "time", lambda: claims["exp"] + 1)
        with pytest.raises(Unauthorized):
            decode_jwt(tokens["access_token"], expected_type="access")


def test_a_tampered_token_is_refused_even_after_the_genuine_one_was_verified(app, tokens):
    genuine = tokens["access_token"]
    header, payload, signature = genuine.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with app.test_request_context():
        decode_jwt(genuine, expected_type="access")
        with pytest.raises(Unauthorized):
            decode_jwt(forged, expected_type="access")


def test_the_token_type_is_checked_on_every_use(app, tokens):
    with app.test_request_context():
        decode_jwt(tokens["refresh_token"], expected_type="refresh")
        with pytest.raises(Unauthorized):
            decode_jwt(tokens["refresh_token"], expected_type="access")


def test_a_token_signed_with_another_secret_is_refused(app, tokens):
    with app.test_request_context():
        decode_jwt(tokens["access_token"], expected_type="access")
        app.config["JWT_SECRET_KEY"], original = (
            "another-secret-0123456789abcdef-0123456789",
            app.config["JWT_SECRET_KEY"],
        )
        try:
            with pytest.raises(Unauthorized):
                decode_jwt(tokens["access_token"], expected_type="access")
        finally:
            app.config["JWT_SECRET_KEY"] = original


def test_verification_remembers_a_bounded_number_of_tokens(app, tokens, monkeypatch):
    monkeypatch.setattr(auth, "VERIFIED_TOKENS_KEPT", 1)
    with app.test_request_context():
        decode_jwt(tokens["access_token"], expected_type="access")
        decode_jwt(tokens["refresh_token"], expected_type="refresh")
    assert len(auth._verified_tokens) == 1
    assert time.time() < min(c["exp"] for c in auth._verified_tokens.values())
