"""Who is calling: the Principal of a request (a user or an API key) and ``require``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

import jwt as pyjwt
from flask import current_app, request

from siteninja.core.context import request_state
from siteninja.core.errors import Forbidden, Unauthorized
from siteninja.core.limits import client_address

ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3, "owner": 4, "super_admin": 5}
API_KEY_PREFIXES = ("sn_live_", "sn_test_")
REQUIRED_CLAIMS = ["exp", "iat", "iss", "jti", "sub", "type"]
VERIFIED_TOKENS_KEPT = 10_000
_verified_tokens: dict[tuple[str, str, str], dict[str, Any]] = {}

PrincipalLoader = Callable[[Any], "Principal"]

# OpenAPI security requirements: who may call an operation (the schemes are defined in app.py).
USER_SECURITY = [{"bearerAuth": []}]
USER_OR_KEY_SECURITY = [{"bearerAuth": []}, {"apiKeyBearer": []}, {"apiKeyHeader": []}]
PUBLIC_SECURITY: list[dict[str, list[str]]] = []


@dataclass(frozen=True)
class Principal:
    """An authenticated caller; services decide with it, never with raw tokens."""

    kind: str
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    role: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    rate_limit: int | None = None
    token: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    expires_at: datetime | None = field(default=None, compare=False)

    @property
    def actor_type(self) -> str:
        return self.kind

    @property
    def actor_id(self) -> uuid.UUID:
        return self.id

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    @property
    def is_super_admin(self) -> bool:
        return self.is_user and self.role == "super_admin"

    @property
    def log_name(self) -> str:
        return f"{self.kind}:{self.id}"

    def can_access_tenant(self, tenant_id: uuid.UUID | None) -> bool:
        """Own tenant, or any tenant for a super_admin."""
        return self.is_super_admin or (tenant_id is not None and self.tenant_id == tenant_id)

    def has_role(self, role: str) -> bool:
        """True when this caller is a user whose role is at least ``role``."""
        return self.is_user and ROLE_RANK.get(self.role or "", 0) >= ROLE_RANK[role]

    def has_scope(self, scope: str) -> bool:
        """True when this caller is an API key granted ``scope`` (or ``*``)."""
        return self.kind == "api_key" and ("*" in self.scopes or scope in self.scopes)


class PrincipalLoaders:
    """How credentials become principals; the resources that own users and keys plug in here."""

    user: PrincipalLoader | None = None
    api_key: PrincipalLoader | None = None


loaders = PrincipalLoaders()


def decode_jwt(token: str, *, expected_type: str) -> dict[str, Any]:
    """Verified claims of one of our JWTs (HS256, our issuer, unexpired, of the expected type).

    A token's signature is verified once per process: a verified token's claims are remembered
    (bounded), and only its expiry is checked again. Revocation is the principal's business.
    """
    config = current_app.config
    cache_key = (token, config["JWT_SECRET_KEY"], config["JWT_ISSUER"])
    claims = _verified_tokens.get(cache_key)
    if claims is None:
        claims = _verify(token, config["JWT_SECRET_KEY"], config["JWT_ISSUER"])
        if len(_verified_tokens) >= VERIFIED_TOKENS_KEPT:
            _verified_tokens.clear()
        _verified_tokens[cache_key] = claims
    if claims["exp"] <= time.time() or claims.get("type") != expected_type:
        raise Unauthorized("Invalid or expired token")
    return claims


def _verify(token: str, secret: str, issuer: str) -> dict[str, Any]:
    try:
        return pyjwt.decode(
            token, secret, algorithms=["HS256"], issuer=issuer, options={"require": REQUIRED_CLAIMS}
        )
    except (pyjwt.PyJWTError, ValueError) as exc:
        raise Unauthorized("Invalid or expired token") from exc


def bearer_token() -> str | None:
    """The credential in ``Authorization: Bearer …``, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _authenticate() -> Principal | None:
    api_key = request.headers.get("X-API-Key")
    token = bearer_token()
    if api_key is None and token is not None and token.startswith(API_KEY_PREFIXES):
        api_key = token
    if api_key is not None:
        if loaders.api_key is None:
            raise Unauthorized("Invalid API key")
        return loaders.api_key(api_key.strip())
    if token is None:
        if request.headers.get("Authorization"):
            raise Unauthorized("Use Authorization: Bearer <token>")
        return None
    claims = decode_jwt(token, expected_type="access")
    assert loaders.user is not None, "no user principal loader registered"
    return loaders.user(claims)


def current_principal() -> Principal | None:
    """The principal of this request (resolved once); raises 401 on bad credentials."""
    state = request_state()
    if "principal" not in state:
        try:
            state["principal"] = _authenticate()
        except (Unauthorized, Forbidden) as error:
            state["principal"], state["auth_error"] = None, error
        if state["principal"] is not None:
            state["tenant_id"] = state["principal"].tenant_id
    if "auth_error" in state:
        raise state["auth_error"]
    return state["principal"]


def optional_principal() -> Principal | None:
    """The principal, or None when credentials are missing or invalid (for rate-limit keys)."""
    try:
        return current_principal()
    except (Unauthorized, Forbidden):
        return None


def authenticated() -> Principal:
    """The principal of this request, or 401."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    return principal


def check(principal: Principal, *, role: str | None = None, scope: str | None = None) -> None:
    """403 unless a user has ``role`` or an API key has ``scope``; keys need a scope to pass."""
    if principal.is_user:
        if role is not None and not principal.has_role(role):
            raise Forbidden(f"Requires the {role} role or higher")
        return
    if scope is None or not principal.has_scope(scope):
        raise Forbidden(f"This API key lacks the {scope} scope" if scope else "Not available to API keys")


def require(*, role: str | None = None, scope: str | None = None) -> Callable:
    """Decorate a view: 401 without credentials, 403 without the role (users) or scope (keys)."""

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(authenticated(), role=role, scope=scope)
            return func(*args, **kwargs)

        wrapper._apidoc = getattr(func, "_apidoc", {})
        manual_doc = wrapper._apidoc.setdefault("manual_doc", {})
        manual_doc.setdefault("security", USER_OR_KEY_SECURITY if scope else USER_SECURITY)
        wrapper._requires = {"role": role, "scope": scope}
        return wrapper

    return decorator


def jwt_settings(app_config: dict[str, Any]) -> dict[str, Any]:
    """flask-jwt-extended settings derived from ours (HS256 only, issuer, lifetimes)."""
    return {
        "JWT_ALGORITHM": "HS256",
        "JWT_DECODE_ALGORITHMS": ["HS256"],
        "JWT_ENCODE_ISSUER": app_config["JWT_ISSUER"],
        "JWT_DECODE_ISSUER": app_config["JWT_ISSUER"],
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=app_config["JWT_ACCESS_MINUTES"]),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=app_config["JWT_REFRESH_DAYS"]),
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_IDENTITY_CLAIM": "sub",
    }


def limit_key() -> str:
    """Rate-limit identity: the user or key when authenticated, else the client address."""
    principal = optional_principal()
    return principal.log_name if principal else f"ip:{client_address()}"


def default_limit() -> str:
    """The request limit for this caller: anonymous, user, or the key's own rate."""
    principal = optional_principal()
    if principal is None:
        return current_app.config["RATE_LIMIT_ANON"]
    if principal.kind == "api_key" and principal.rate_limit:
        return f"{principal.rate_limit}/minute"
    return current_app.config["RATE_LIMIT_USER"]
