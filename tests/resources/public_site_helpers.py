"""Helpers shared by the public site delivery tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from redis.client import Pipeline

from siteninja import create_app
from siteninja.extensions import db
from siteninja.models import Page, SeoMetadata, Subscription, Tenant
from tests import factories
from tests.conftest import database_url


def host_of(tenant: Tenant) -> str:
    """The subdomain host of ``tenant``'s site."""
    return f"{tenant.subdomain}.siteninja.localhost"


def site_url(tenant: Tenant | str, suffix: str = "") -> str:
    """The public API URL of ``tenant``'s site (or of a host given as a string)."""
    host = tenant if isinstance(tenant, str) else host_of(tenant)
    return f"/api/sites/{host}{suffix}"


def published(tenant: Tenant, **fields: Any) -> Page:
    """A published page of ``tenant``."""
    return factories.page(tenant=tenant, status="published", **fields)


def seo(page: Page, **fields: Any) -> SeoMetadata:
    """SEO metadata for ``page``."""
    fields.setdefault("keywords", [])
    row = SeoMetadata(tenant_id=page.tenant_id, page_id=page.id, **fields)
    db.session.add(row)
    db.session.commit()
    return row


def on_plan(tenant: Tenant, plan: str) -> None:
    """Move ``tenant`` to ``plan`` (custom domains need starter or above)."""
    db.session.execute(sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan=plan))
    db.session.commit()


def fresh_app(**overrides: Any) -> Flask:
    """Another app instance on the same database connection and Redis (like a second process).

    Creating it also re-initializes the one flask-limiter instance with these settings.
    """
    settings = {"SQLALCHEMY_DATABASE_URI": database_url(), "REDIS_URL": os.environ.get("REDIS_URL")}
    return create_app("testing", **{**settings, **overrides})


@contextmanager
def count_redis_round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every Redis round trip made inside the block, by any client: one command, or one pipeline."""
    trips: list[str] = []
    command, execute = redis.Redis.execute_command, Pipeline.execute

    def counted_command(self, *args, **options):
        trips.append(str(args[0]))
        return command(self, *args, **options)

    def counted_pipeline(self, *args, **options):
        trips.append(f"PIPELINE({len(self.command_stack)})")
        return execute(self, *args, **options)

    with monkeypatch.context() as patch:
        patch.setattr(redis.Redis, "execute_command", counted_command)
        patch.setattr(Pipeline, "execute", counted_pipeline)
        yield trips
