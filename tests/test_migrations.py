"""`flask db upgrade` on an empty database builds exactly the models; downgrade removes it all."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

import flask_migrate
import psycopg2
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import siteninja.models  # noqa: F401  (every table, so the comparison sees the whole schema)
from siteninja import create_app
from siteninja.config import normalize_database_url
from siteninja.extensions import db
from siteninja.resources.search.index import FTS_SHADOW_TABLES


def not_fts(name: str | None, type_: str, parent_names: dict) -> bool:
    """SQLite's FTS5 index of page search is a virtual table (with its shadow tables) that the
    models cannot declare; the migration and ``create_all`` both make it, outside the comparison."""
    return not (type_ == "table" and name in FTS_SHADOW_TABLES)


def upgrade_and_compare(url: str) -> tuple[list, set[str], set[str]]:
    """(differences from the models after upgrade, tables after upgrade, tables after downgrade)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_name": not_fts}
                )
                differences = compare_metadata(context, db.metadata)
            upgraded = set(sa.inspect(db.engine).get_table_names()) - FTS_SHADOW_TABLES
            fts = set(sa.inspect(db.engine).get_table_names()) & FTS_SHADOW_TABLES
            assert fts == (FTS_SHADOW_TABLES if db.engine.dialect.name == "sqlite" else set())
            flask_migrate.downgrade(revision="base")
            downgraded = set(sa.inspect(db.engine).get_table_names())
        finally:
            db.engine.dispose()
    return differences, upgraded, downgraded


def assert_round_trip(url: str) -> None:
    differences, upgraded, downgraded = upgrade_and_compare(url)
    assert differences == [], "the migrations differ from the models:\n" + "\n".join(map(str, differences))
    assert upgraded == set(db.metadata.tables) | {"alembic_version"}
    assert downgraded <= {"alembic_version"}
    silenced = [
        name for name, obj in logging.root.manager.loggerDict.items() if getattr(obj, "disabled", False)
    ]
    assert silenced == [], "running migrations must not disable the application's loggers"


def test_sqlite_upgrade_matches_the_models_and_downgrade_empties_it(tmp_path):
    assert_round_trip(f"sqlite:///{tmp_path / 'migrations.db'}")


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database on the server of DATABASE_URL, dropped afterwards."""
    server = sa.engine.make_url(normalize_database_url(os.environ["DATABASE_URL"]))
    name = f"siteninja_migrations_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(
        host=server.host,
        port=server.port or 5432,
        user=server.username,
        password=server.password,
        dbname="postgres",
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.mark.needs_services
def test_postgresql_upgrade_matches_the_models_and_downgrade_empties_it(empty_postgres_url):
    assert_round_trip(empty_postgres_url)
