"""Test fixtures: one schema per session, each test inside a rolled-back SAVEPOINT."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from siteninja import create_app
from siteninja.config import normalize_database_url
from siteninja.core.redis import redis_client
from siteninja.core.throttle import reset_local_counters
from siteninja.extensions import SESSION_OPTIONS, db, limiter
from tests import factories
from tests.conformance import Conformance, conforming_client_class

TMP_DIR = tempfile.mkdtemp(prefix="siteninja-tests-")
CONFORMANCE: dict[str, Conformance] = {}  # the session app's response checker, for the summary


def database_url() -> str:
    """PostgreSQL when DATABASE_URL is set (CI), else a throwaway SQLite file."""
    return normalize_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{TMP_DIR}/test.db")


class BoundSession(FlaskSession):
    """A session that always uses the test's connection (Flask-SQLAlchemy would pick the engine)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


def services_missing() -> str | None:
    """Why the real services are unavailable, or None when PostgreSQL and Redis are configured."""
    if not database_url().startswith("postgresql"):
        return "needs PostgreSQL: DATABASE_URL is not a postgresql:// URL"
    if not os.environ.get("REDIS_URL"):
        return "needs Redis: REDIS_URL is not set"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip tests marked ``needs_services`` on the embedded (SQLite, no Redis) run."""
    reason = services_missing() if item.get_closest_marker("needs_services") else None
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url(),
        REDIS_URL=os.environ.get("REDIS_URL"),
        UPLOAD_DIR=f"{TMP_DIR}/uploads",
        MAIL_FILE_DIR=f"{TMP_DIR}/mail",
        MAIL_BACKEND="file",
    )
    app.test_client_class = conforming_client_class(CONFORMANCE.setdefault("app", Conformance(app)))
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture(autouse=True)
def db_session(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """Bind the session to one connection whose outer transaction is rolled back after the test."""
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {
            **SESSION_OPTIONS,
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "class_": BoundSession,
        }
    )
    client = redis_client()
    if client is not None:
        client.flushdb()
    limiter.reset()
    reset_local_counters(app)
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def own_session(monkeypatch) -> None:
    """A plain, unbound session, for fresh apps and threads that need real, separate transactions
    (the autouse fixture binds db.session to the test's single connection)."""
    monkeypatch.setattr(db, "session", db._make_scoped_session(dict(SESSION_OPTIONS)))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def tenant(db_session):
    return factories.tenant()


@pytest.fixture
def super_client(app, db_session) -> FlaskClient:
    """A client signed in as a platform super_admin."""
    return factories.client_for(app, factories.user(tenant=None, role="super_admin"))


@pytest.fixture
def owner_client(app, tenant) -> FlaskClient:
    """A client signed in as the owner of ``tenant``."""
    return factories.client_for(app, factories.user(tenant=tenant, role="owner"))


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements executed inside the block."""
    statements: list[str] = []

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_execute)


def pytest_terminal_summary(terminalreporter) -> None:
    """How many responses the OpenAPI conformance check validated in this run."""
    conformance = CONFORMANCE.get("app")
    if conformance is not None:
        terminalreporter.write_line(
            f"OpenAPI conformance: {conformance.validated} responses checked against the document "
            f"({conformance.bodies_validated} JSON bodies validated against their schemas)"
        )
