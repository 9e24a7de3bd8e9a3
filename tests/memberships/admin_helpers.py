"""Helpers for the admin tests: plans with dates around today, and memberships made
through the real lifecycle (and, where a payment must exist, the real checkout)."""

from __future__ import annotations

from datetime import timedelta

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import lifecycle
from portal.memberships.models import Membership, Plan, Program, TermKind
from portal.memberships.plan_rules import PlanData
from portal.payments import fulfilment
from portal.payments.gateway import get_gateway
from tests.payments.conftest import place, reload

TODAY = utcnow().date()  # the leagues here play in UTC


def season(make, league, name: str = "Spring", **fields) -> Plan:
    """An open fixed-season plan that started a month ago and ends in half a year."""
    fields.setdefault("season_start", TODAY - timedelta(days=30))
    fields.setdefault("season_end", TODAY + timedelta(days=180))
    return make.plan(league, name, **fields)


def program_of(plan: Plan) -> Program:
    with unscoped():
        return db.session.get(Program, plan.program_id)


def member(league, plan: Plan, profile, status=None) -> Membership:
    """An active membership, activated by the lifecycle as a payment would."""
    with league_scope(league.id):
        membership = Membership(league_id=league.id, profile_id=profile.id, plan_id=plan.id)
        db.session.add(membership)
        db.session.flush()
        lifecycle.activate(membership)
        db.session.commit()
    return membership


def paid(league, parent, kids, plan, nonce: str = "n-1"):
    """A real order for the kids, paid at the test checkout and fulfilled."""
    order = place(league, parent, kids, plan, nonce=nonce)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
        fulfilment.sync_order(reload(order))
        db.session.commit()
    return reload(order)


def fresh(model, ident):
    """The row as the database has it now."""
    db.session.expire_all()
    with unscoped():
        return db.session.get(model, ident)


def fixed_data(**changes) -> PlanData:
    """A valid fixed-season plan, with `changes`."""
    values = {
        "name": "U10",
        "price_minor": 12000,
        "currency": "usd",
        "term": TermKind.FIXED,
        "season_start": TODAY + timedelta(days=10),
        "season_end": TODAY + timedelta(days=100),
    }
    values.update(changes)
    return PlanData(**values)
