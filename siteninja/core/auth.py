"""Who is calling: the Principal of a request (a user or an API key)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from flask import g

ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3, "owner": 4, "super_admin": 5}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller; services decide with it, never with raw tokens."""

    kind: str
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    role: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor_type(self) -> str:
        return self.kind

    @property
    def actor_id(self) -> uuid.UUID:
        return self.id

    @property
    def is_super_admin(self) -> bool:
        return self.kind == "user" and self.role == "super_admin"

    @property
    def log_name(self) -> str:
        return f"{self.kind}:{self.id}"

    def can_access_tenant(self, tenant_id: uuid.UUID) -> bool:
        """Own tenant, or any tenant for a super_admin."""
        return self.is_super_admin or self.tenant_id == tenant_id

    def has_role(self, role: str) -> bool:
        """True when this user's role is at least ``role``."""
        return self.kind == "user" and ROLE_RANK.get(self.role or "", 0) >= ROLE_RANK[role]


def current_principal() -> Principal | None:
    """The principal of this request, if it authenticated."""
    return g.get("principal")
