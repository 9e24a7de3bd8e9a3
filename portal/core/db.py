"""Declarative base, column types and mixins shared by every model.

A naming convention gives every constraint a stable name, so Alembic can
create and drop them the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum as PyEnum
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, Update, bindparam, func, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import registry as sa_registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC.

    SQLite stores datetimes without an offset; without this, the same column
    would be aware on PostgreSQL and naive on SQLite, and comparisons between
    them would fail only in one of the two test runs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[StrEnum], length: int = 20) -> Enum:
    """A StrEnum stored as its value in a VARCHAR: the same on SQLite and PostgreSQL,
    and a new member needs no database migration of an enum type."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Base of every model: typed columns and named constraints."""

    registry = sa_registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    """created_at / updated_at set by the database clock."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now(), onupdate=utcnow
    )


def conditional_update(
    model: type[Base],
    key: str,
    *,
    states: str | Sequence[StrEnum] | None = None,
    names: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
    returning: Sequence[Any] = (),
    **options: Any,
) -> Update:
    """`UPDATE <model> SET ... WHERE id = :<key> [AND status IN <states>] [RETURNING ...]`:
    a status transition that applies once, however many workers race to it.

    Only the shape is built here; callers build each shape once (under `functools.cache`,
    keyed by what varies) and run it with parameters, since making and keying the ORM
    statement cost the payment worker more CPU than running it. Being ORM-enabled, it
    still gets the league filter of tenant-owned tables and `updated_at`.

    - `states`: the statuses the row must be in: a tuple fixed in the statement, or the
      name of a bind parameter that takes a list of them on each call (expanded when
      run). None: no condition on the status.
    - `names`: columns set from the bind parameters `new_<name>` (see `new_params`): a
      bind parameter may not take a column's own name in an UPDATE.
    - `values`: columns set to a fixed value or expression (`bindparam("now")`,
      `Model.attempts + 1`).
    - `returning`: the model or columns the UPDATE returns (none if empty).
    - `options`: execution options besides `synchronize_session=False` (the caller reads
      the row back itself, by RETURNING or a reload, so the session is not searched).
    """
    condition = [model.id == bindparam(key)]
    if isinstance(states, PyEnum):  # a lone StrEnum is a str, and iterates by character
        raise TypeError("states: a tuple of states, or the name of a bind parameter")
    if isinstance(states, str):
        condition.append(model.status.in_(bindparam(states, expanding=True)))
    elif states is not None:
        condition.append(model.status.in_(tuple(states)))
    statement = (
        update(model)
        .where(*condition)
        .values({**{name: bindparam(f"new_{name}") for name in names}, **(values or {})})
    )
    if returning:
        statement = statement.returning(*returning)
    return statement.execution_options(synchronize_session=False, **options)


def new_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters for the `names` of a `conditional_update`: each value as `new_<name>`."""
    return {f"new_{name}": value for name, value in values.items()}


def tune_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite as a server database: foreign keys enforced (as on PostgreSQL), and WAL so
    readers never wait for the writer (web workers and the huey worker share the file)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
