"""The ``flask`` sub-commands: seed, create-superadmin, audit purge, purge-expired, openapi write and
reference, postman export, webhooks sweep, search reindex."""

from __future__ import annotations

import json
import uuid

import click
from flask import Flask
from flask.cli import with_appcontext

from siteninja.core.errors import ApiError
from siteninja.core.idempotency import purge_expired as purge_idempotency_records
from siteninja.extensions import api
from siteninja.jobs import webhooks as webhook_jobs
from siteninja.resources.audit.service import purge_older_than as purge_audit_older_than
from siteninja.resources.auth.tokens import purge_expired as purge_expired_tokens
from siteninja.resources.search.service import reindex
from siteninja.resources.users.service import create_superadmin
from siteninja.services.apidocs.postman import DEFAULT_BASE_URL, render_collection
from siteninja.services.apidocs.reference import render_reference
from siteninja.services.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, seed_demo, seed_reference_data


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also create the demo tenant.")
@with_appcontext
def seed_command(demo: bool) -> None:
    """Load industries and templates (idempotent); with --demo, a demo tenant."""
    industries, templates = seed_reference_data()
    click.echo(f"Seeded {industries} industries and {templates} templates.")
    if demo:
        if seed_demo():
            click.echo(f"Demo tenant 'demo' created; owner {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}")
        else:
            click.echo("Demo tenant already exists.")


@click.command("create-superadmin")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="Platform Admin", show_default=True)
@with_appcontext
def create_superadmin_command(email: str, password: str, name: str) -> None:
    """Create a super_admin user."""
    try:
        user = create_superadmin(email=email, password=password, name=name)
    except ApiError as error:
        detail = "; ".join(d["message"] for d in error.details or []) or error.message
        raise click.ClickException(detail) from error
    click.echo(f"Created super_admin {user.email} ({user.id})")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=1), required=True, help="Age in days.")
@with_appcontext
def audit_purge(days: int) -> None:
    """Delete audit entries older than DAYS days."""
    click.echo(f"Deleted {purge_audit_older_than(days)} audit entries older than {days} days.")


@click.command("purge-expired")
@with_appcontext
def purge_expired_command() -> None:
    """Delete expired token revocations, refresh tokens and idempotency records."""
    tokens_removed = purge_expired_tokens()
    records_removed = purge_idempotency_records()
    click.echo(f"Deleted {tokens_removed} expired token rows and {records_removed} idempotency records.")


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook deliveries."""


@webhooks_group.command("sweep")
@with_appcontext
def webhooks_sweep() -> None:
    """Enqueue every delivery that is due (the worker's scheduler does this every few seconds)."""
    result = webhook_jobs.sweep()
    click.echo(f"Enqueued {result['enqueued']} due webhook deliveries.")


@click.group("search")
def search_group() -> None:
    """The page search index."""


@search_group.command("reindex")
@click.option("--tenant", "tenant_id", type=click.UUID, help="Only this tenant's pages.")
@with_appcontext
def search_reindex(tenant_id: uuid.UUID | None) -> None:
    """Rebuild the search index of every page (after upgrading to 0007, or to repair it)."""
    click.echo(f"Indexed {reindex(tenant_id=tenant_id)} pages.")


@click.group("openapi")
def openapi_group() -> None:
    """The OpenAPI document."""


@openapi_group.command("write")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def openapi_write(path: str) -> None:
    """Write the OpenAPI document to PATH."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(api.spec_dict(), handle, indent=2)
    click.echo(f"Wrote {path}")


@openapi_group.command("reference")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def openapi_reference(path: str) -> None:
    """Write the Markdown API reference (docs/api-reference.md) generated from the document to PATH."""
    _write_text(path, render_reference(api.spec_dict()))


@click.group("postman")
def postman_group() -> None:
    """The Postman collection."""


@postman_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="The baseUrl variable.")
@with_appcontext
def postman_export(path: str, base_url: str) -> None:
    """Write a Postman v2.1 collection generated from the OpenAPI document to PATH."""
    _write_text(path, render_collection(api.spec_dict(), base_url=base_url))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    click.echo(f"Wrote {path}")


def register(app: Flask) -> None:
    """Attach the commands to ``app``."""
    for command in (
        seed_command,
        create_superadmin_command,
        audit_group,
        purge_expired_command,
        webhooks_group,
        search_group,
        openapi_group,
        postman_group,
    ):
        app.cli.add_command(command)
