"""Tenant isolation, in one place.

Every table a league owns carries `league_id NOT NULL` through `TenantMixin`.
A session hook adds `league_id = <current league>` to every ORM read, update
and delete that touches such a table, and raises `TenancyError` when no league
is set, unless the code has opened an explicit `unscoped()` block (platform
admin, webhooks, background jobs). A flush hook stamps new rows with the
current league and refuses to write a row into another league.

The current league lives on `flask.g` for the length of one app context: the
league blueprint sets it from the URL, the app resets it at the start and end
of every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from flask import abort, g, has_app_context
from sqlalchemy import ForeignKey, event, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import TableClause

MAX_ID = 2**31 - 1  # primary keys are 32-bit integers on PostgreSQL


class TenancyError(RuntimeError):
    """A tenant-owned table was touched with no league in scope."""


class TenantMixin:
    """Marks a model as owned by one league; reads are filtered automatically."""

    league_id: Mapped[int] = mapped_column(ForeignKey("leagues.id", ondelete="CASCADE"), index=True)


def current_league_id() -> int | None:
    """The id of the league this request or job is scoped to, if any."""
    if not has_app_context():
        return None
    return g.get("_tenancy_league_id")


def is_unscoped() -> bool:
    """True inside an explicit `unscoped()` block."""
    return has_app_context() and g.get("_tenancy_unscoped", 0) > 0


def set_current_league(league_id: int | None) -> None:
    """Scope the rest of this app context to one league (or to none)."""
    g._tenancy_league_id = league_id


def reset() -> None:
    """Forget the league and any unscoped block (start and end of a request)."""
    g._tenancy_league_id = None
    g._tenancy_unscoped = 0
    g.pop("league", None)
    g.pop("league_roles", None)


@contextmanager
def unscoped() -> Iterator[None]:
    """Read across leagues on purpose: platform admin, webhooks, jobs, CLI."""
    g._tenancy_unscoped = g.get("_tenancy_unscoped", 0) + 1
    try:
        yield
    finally:
        g._tenancy_unscoped -= 1


@contextmanager
def league_scope(league_id: int) -> Iterator[None]:
    """Run a block (a job, a test) as if inside one league's request.

    What the block added is flushed before the scope ends, so a job that
    works through several leagues writes each league's rows under its own
    scope (the flush check refuses rows of another league). Inside an
    `unscoped()` block (a job that found the league through its own records),
    the league's filter applies again until the scope ends.
    """
    from portal.extensions import db

    previous = current_league_id()
    outer_unscoped = g.get("_tenancy_unscoped", 0)
    set_current_league(league_id)
    g._tenancy_unscoped = 0
    try:
        yield
        if db.session.new or db.session.dirty or db.session.deleted:
            db.session.flush()
    finally:
        set_current_league(previous)
        g._tenancy_unscoped = outer_unscoped


@cache
def _tenant_tables() -> frozenset[str]:
    from portal.extensions import db

    return frozenset(
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, TenantMixin)
    )


def _tenant_use(statement) -> tuple[bool, bool]:
    """Does the statement touch a tenant table anywhere (FROM, joins, subqueries,
    `select_from`), and does it do so through a plain Core table?

    The tenant filter is added through the ORM, which does not see a plain
    `Table`; such a statement is refused rather than run unfiltered.
    """
    tables = _tenant_tables()
    through_orm: set[str] = set()
    plain: set[str] = set()
    for element in visitors.iterate(statement):
        table = _table_of(element)
        if table is not None and table.name in tables:
            annotations = getattr(element, "_annotations", {})
            # "parentmapper" alone marks the ON clause of a relationship join.
            orm = "parententity" in annotations or "parentmapper" in annotations
            (through_orm if orm else plain).add(table.name)
    # A FROM derived from ORM columns (EXISTS, IN subqueries) shows up as the plain
    # table too; the ORM filters it. Only a table never reached through the ORM is Core.
    return bool(through_orm or plain), bool(plain - through_orm)


def _table_of(element) -> TableClause | None:
    """The table an element stands for: itself, an alias's table, or a column's table."""
    if isinstance(element, TableClause):
        return element
    for attribute in ("element", "table"):  # an alias, then a column
        table = getattr(element, attribute, None)
        if isinstance(table, TableClause):
            return table
    return None


def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete) or is_unscoped():
        return
    touched, core = _tenant_use(state.statement)
    if not touched:
        return
    league_id = current_league_id()
    if league_id is None:
        # Refreshing an attribute of a row we already hold is not a new read.
        if state.is_column_load:
            return
        raise TenancyError(
            "tenant-owned table read with no league in scope; "
            "resolve the league from the URL or open an explicit unscoped() block"
        )
    if core:
        raise TenancyError("tenant-owned table used as a plain Core table; use the ORM model")
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin, lambda cls: cls.league_id == league_id, include_aliases=True
        )
    )


def _stamp_new_rows(session: Session, flush_context, instances) -> None:
    league_id = current_league_id()
    unscoped_block = is_unscoped()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantMixin):
            continue
        if obj.league_id is None and getattr(obj, "league", None) is not None:
            obj.league_id = obj.league.id
        if obj.league_id is None:
            if league_id is None:
                raise TenancyError(f"new {type(obj).__name__} has no league")
            obj.league_id = league_id
        elif not unscoped_block and league_id is not None and obj.league_id != league_id:
            raise TenancyError(f"{type(obj).__name__} written into another league")


def init_app(app, session_class: type[Session]) -> None:
    """Attach the hooks to the app's session class; start every request unscoped."""
    if not event.contains(session_class, "do_orm_execute", _scope_statement):
        event.listen(session_class, "do_orm_execute", _scope_statement)
        event.listen(session_class, "before_flush", _stamp_new_rows)
    # App-wide preprocessors run before the league blueprint's, which then
    # sets the league for league URLs.
    app.url_value_preprocessor(lambda endpoint, values: reset())
    app.teardown_request(lambda exc: reset())


def get_or_404(model, ident):
    """Load one row of the current league by primary key, or answer 404.

    Goes through a SELECT (not the identity map) so the tenant filter always
    applies, and checks the league once more as a second line of defence.
    """
    from portal.extensions import db

    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < ident <= MAX_ID:  # beyond the column's range: cannot exist
        abort(404)
    obj = db.session.execute(select(model).where(model.id == ident)).scalar_one_or_none()
    if obj is None:
        abort(404)
    if isinstance(obj, TenantMixin) and not is_unscoped() and obj.league_id != current_league_id():
        abort(404)
    return obj
