"""Declarative base, column helpers, mixins and the after-commit hook."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, SessionTransaction, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC; the one clock of the application."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime, dict: JSONType, list: JSONType},
    )


def uuid_pk() -> Mapped[uuid.UUID]:
    """A UUID primary key generated in Python."""
    return mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


class CreatedMixin:
    """A server-owned creation timestamp."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class TimestampMixin(CreatedMixin):
    """Creation and last-update timestamps."""

    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


def tenant_fk(*, nullable: bool = False) -> Mapped[uuid.UUID]:
    """An indexed foreign key to the owning tenant; rows go with their tenant."""
    return mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True, nullable=nullable)


AfterCommit = Callable[[], None]
_PENDING = "after_commit_pending"
_READY = "after_commit_ready"
log = logging.getLogger("siteninja.db")


def after_commit(session: Session, callback: AfterCommit) -> None:
    """Run ``callback`` once the session's outermost transaction commits; drop it on rollback.

    A callback added inside a SAVEPOINT (``begin_nested``) is dropped if that SAVEPOINT rolls
    back, and waits for the outermost commit if it is released.
    """
    if session.get_transaction() is None:
        session.connection()  # begin the transaction now, so a rollback before any query drops it
    session.info.setdefault(_PENDING, []).append((session.get_nested_transaction(), callback))


@event.listens_for(Session, "after_commit")
def _commit_succeeded(session: Session) -> None:
    # Releasing a SAVEPOINT fires this event too: the work is not durable until the outermost
    # commit. The session cannot emit SQL yet here, so the callbacks wait for the transaction's end.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, [])
    session.info.setdefault(_READY, []).extend(callback for _, callback in pending)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            (owner, callback) for owner, callback in pending if not _inside(owner, previous_transaction)
        ]


@event.listens_for(Session, "after_transaction_end")
def _run_after_commit(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    session.info.pop(_PENDING, None)  # never committed (a rollback or a close)
    for callback in session.info.pop(_READY, []):
        _run(callback)


def _inside(owner: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """True when a callback added in ``owner`` (None: outside any SAVEPOINT) goes with ``ended``."""
    if ended.parent is None:
        return True
    while owner is not None:
        if owner is ended:
            return True
        owner = owner.parent
    return False


def _run(callback: AfterCommit) -> None:
    # The change is already committed: a failing callback (Redis down, say) must neither turn
    # the response into an error nor stop the others; the sweeper catches up on lost jobs.
    try:
        callback()
    except Exception:
        log.exception("after-commit callback %r failed", callback)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Make SQLite enforce foreign keys and honour SAVEPOINTs like a real database."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
