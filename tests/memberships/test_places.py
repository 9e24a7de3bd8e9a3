"""A place in a plan is a player's, not a term's: a member who renews (a current term
and the paid next one) holds one place, is listed once on the roster, and is never
told the plan is full when renewing it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import admin_queries, eligibility
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, Plan, TermKind
from portal.payments.models import Order
from tests.memberships.admin_helpers import TODAY, fresh, member
from tests.memberships.admin_view_helpers import BASE


@pytest.fixture
def monthly(make, league) -> Plan:
    """A rolling plan with two places; renewal opens a week before a term ends."""
    return make.plan(
        league,
        "Monthly",
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.MONTHS,
        renewal_window_days=7,
        capacity=2,
    )


@pytest.fixture
def family(make, league, parent):
    return [make.ready_profile(league, parent, name) for name in ("Mia", "Leo", "Ava")]


def _ending_soon(league, plan, profile, days: int = 3) -> Membership:
    """A current term ending in `days` days (inside the renewal window)."""
    with league_scope(league.id):
        membership = Membership(
            league_id=league.id,
            profile_id=profile.id,
            plan_id=plan.id,
            status=MembershipStatus.ACTIVE,
            starts_on=TODAY - timedelta(days=27),
            ends_on=TODAY + timedelta(days=days),
        )
        db.session.add(membership)
        db.session.commit()
    return membership


@pytest.fixture
def renewed(league, monthly, family):
    """Mia has renewed (her current term and the next, paid); Leo's term runs on."""
    mia, leo, _ = family
    current = _ending_soon(league, monthly, mia)
    nxt = member(league, monthly, mia)  # activated after the current term, as a renewal
    assert fresh(Membership, nxt.id).starts_on == current.ends_on + timedelta(days=1)
    _ending_soon(league, monthly, leo, days=20)
    return current, nxt


def test_a_renewed_member_takes_one_place(as_admin, league, monthly, renewed):
    """Two players, one of them renewed: two places taken, not three."""
    with league_scope(league.id):
        assert eligibility.taken_places(fresh(Plan, monthly.id), TODAY) == 2
        facts = admin_queries.describe(fresh(Plan, monthly.id), TODAY, [])
    assert (facts.taken, facts.places_left, facts.full) == (2, 0, True)
    assert "2 of 2 places taken" in as_admin.get(f"{BASE}/").text


def test_the_roster_lists_a_renewed_player_once(as_admin, league, monthly, renewed):
    """Is Mia on the roster once, with her current term and the day her renewal runs to?"""
    current, nxt = renewed
    with league_scope(league.id):
        rows = admin_queries.roster(fresh(Plan, monthly.id), TODAY)
    assert [row.profile.first_name for row in rows] == ["Leo", "Mia"]  # each once
    mia = rows[1]
    assert mia.membership.id == current.id
    assert mia.renewed_to == fresh(Membership, nxt.id).ends_on
    page = as_admin.get(f"{BASE}/plans/{monthly.id}/roster").text
    assert page.count("Kim, Mia") == 1 and "2 players" in page
    ends = fresh(Membership, nxt.id).ends_on
    assert f"renewed to {ends.day} {ends:%b %Y}" in page


def test_a_member_renews_a_full_plan(client, login, league, parent, monthly, family):
    """Both places are taken by Mia and Leo, and Mia's renewal is open: may she renew
    (the page offers it, the checkout takes it), while Ava, new, is told it is full?"""
    mia, leo, ava = family
    _ending_soon(league, monthly, mia)
    _ending_soon(league, monthly, leo, days=20)
    login(parent)
    page = client.get("/l/riverside/register").text
    assert page.count("This plan is full.") == 1  # Ava's
    assert "Renewal: " in page
    response = client.post(
        "/l/riverside/register", data={f"plan-{mia.id}": str(monthly.id), "nonce": "renew"}
    )
    assert response.status_code == 303
    refused = client.post(
        "/l/riverside/register", data={f"plan-{ava.id}": str(monthly.id), "nonce": "ava"}
    )
    assert refused.status_code == 422 and "Ava, Monthly: This plan is full." in refused.text


def test_two_members_renewing_together_need_no_new_places(
    client, login, league, parent, monthly, family
):
    """Mia and Leo hold both places and renew in one checkout: is it taken (they keep
    their places), where two newcomers would have been refused?"""
    mia, leo, _ = family
    _ending_soon(league, monthly, mia)
    _ending_soon(league, monthly, leo, days=5)
    login(parent)
    form = {f"plan-{mia.id}": str(monthly.id), f"plan-{leo.id}": str(monthly.id), "nonce": "x"}
    assert client.post("/l/riverside/register", data=form).status_code == 303
    with unscoped():
        assert db.session.query(Order).count() == 1
        assert eligibility.taken_places(fresh(Plan, monthly.id), TODAY) == 2
