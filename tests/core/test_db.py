"""`conditional_update`: the one shape of every status transition (orders, memberships,
webhook events), run against the real database."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam

from portal.core.db import conditional_update, new_params, utcnow
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments.models import EventStatus, WebhookEvent

PENDING, PROCESSING, FAILED = EventStatus.PENDING, EventStatus.PROCESSING, EventStatus.FAILED


def _event(status=PENDING) -> int:
    event = WebhookEvent(event_id=f"evt_{status}", type="t", payload="{}", status=status)
    db.session.add(event)
    db.session.commit()
    return event.id


def _row(event_id: int) -> WebhookEvent:
    db.session.expire_all()
    return db.session.get(WebhookEvent, event_id)


def test_states_given_per_call_let_the_update_apply_once():
    """Does a move from the states named on each call apply once, and change nothing
    (no row returned) when the row has already left those states?"""
    event_id = _event()
    statement = conditional_update(
        WebhookEvent,
        "event_key",
        states="from_states",
        names=("status", "outcome"),
        returning=(WebhookEvent.status,),
    )
    params = {
        "event_key": event_id,
        "from_states": [PENDING, FAILED],
        **new_params({"status": PROCESSING, "outcome": "first"}),
    }
    assert db.session.execute(statement, params).scalars().all() == [PROCESSING]
    again = {**params, **new_params({"status": PROCESSING, "outcome": "second"})}
    assert db.session.execute(statement, again).scalars().all() == []
    assert (_row(event_id).status, _row(event_id).outcome) == (PROCESSING, "first")


def test_fixed_states_and_expressions_are_part_of_the_statement():
    """Do states, values and expressions fixed in the statement apply with only the id
    (and the bound `now`) given, and does RETURNING answer the columns asked for?"""
    pending, done = _event(), _event(EventStatus.PROCESSED)
    statement = conditional_update(
        WebhookEvent,
        "claimed_id",
        states=(PENDING, FAILED),
        values={
            "status": PROCESSING,
            "locked_at": bindparam("now"),
            "attempts": WebhookEvent.attempts + 1,
        },
        returning=(WebhookEvent.type, WebhookEvent.payload),
    )
    now = utcnow()
    claimed = db.session.execute(statement, {"claimed_id": pending, "now": now}).one()
    assert (claimed.type, claimed.payload) == ("t", "{}")
    assert db.session.execute(statement, {"claimed_id": done, "now": now}).first() is None
    row = _row(pending)
    assert (row.status, row.attempts, row.locked_at) == (PROCESSING, 1, now)
    assert (_row(done).status, _row(done).attempts) == (EventStatus.PROCESSED, 0)


def test_without_states_the_row_is_updated_whatever_its_status():
    """With no states, is the row updated by its id alone (and no other row)?"""
    failed, other = _event(FAILED), _event()
    statement = conditional_update(WebhookEvent, "done_id", names=("outcome",))
    result = db.session.execute(statement, {"done_id": failed, **new_params({"outcome": "ok"})})
    assert result.rowcount == 1
    assert (_row(failed).status, _row(failed).outcome) == (FAILED, "ok")
    assert _row(other).outcome == ""


def test_a_tenant_owned_row_moves_only_in_its_own_league(make):
    """Is the statement still filtered by league (it is ORM-enabled), so another
    league's scope cannot move the row?"""
    league, other = make.league(), make.league()
    profile = make.ready_profile(league, make.user())
    plan = make.plan(league, "Season")
    with league_scope(league.id):
        membership = Membership(profile_id=profile.id, plan_id=plan.id)
        db.session.add(membership)
        db.session.commit()
        membership_id = membership.id
    statement = conditional_update(
        Membership, "membership_id", states="from_states", names=("status",)
    )
    params = {
        "membership_id": membership_id,
        "from_states": [MembershipStatus.PENDING_PAYMENT],
        **new_params({"status": MembershipStatus.CANCELLED}),
    }
    with league_scope(other.id):
        assert db.session.execute(statement, params).rowcount == 0
    with league_scope(league.id):
        assert db.session.execute(statement, params).rowcount == 1
        db.session.expire_all()
        assert db.session.get(Membership, membership_id).status == MembershipStatus.CANCELLED


def test_a_lone_state_is_refused():
    """A single StrEnum is a str: is it refused rather than read as a parameter's name?"""
    with pytest.raises(TypeError):
        conditional_update(WebhookEvent, "event_id", states=PENDING)
