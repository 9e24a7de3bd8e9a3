"""The register page reads each fact once: a family with several players and a league
with several plans must not cost a query per player x plan for what is the same answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import eligibility, lifecycle
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, TermKind
from portal.players.services import today_in
from tests.dbutil import sql_statements


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", timezone="America/Chicago")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def family(make, league, parent):
    """Three ready players and three plans (a season, a rolling plan, one for U12s only),
    two with places; Mia's monthly term runs three weeks more, Leo's ends in three days."""
    kids = [make.ready_profile(league, parent, name) for name in ("Mia", "Leo", "Ava")]
    group = make.age_group(league, "U12", max_age=11)
    plans = [
        make.plan(league, "Spring season", capacity=20),
        make.plan(
            league,
            "Monthly",
            term=TermKind.ROLLING,
            duration=1,
            duration_unit=DurationUnit.MONTHS,
            renewal_window_days=7,
            capacity=10,
        ),
        make.plan(league, "Under 12", age_group_ids=[group.id]),
    ]
    today = today_in(league)
    with league_scope(league.id):
        for kid, days in ((kids[0], 21), (kids[1], 3)):
            db.session.add(
                Membership(
                    profile_id=kid.id,
                    plan_id=plans[1].id,
                    status=MembershipStatus.ACTIVE,
                    starts_on=today - timedelta(days=10),
                    ends_on=today + timedelta(days=days),
                )
            )
        db.session.commit()
    return kids, plans, today


def test_each_fact_is_read_once_per_page(client, login, parent, family):
    """For 3 players x 3 plans: the last day paid once per player and plan (not twice),
    the places taken once per plan with places (not once per player), the age groups once."""
    kids, plans, today = family
    login(parent)
    with sql_statements() as statements:
        page = client.get("/l/riverside/register").text

    def count(pattern: str) -> int:
        return sum(1 for s in statements if re.search(pattern, s, re.S))

    assert count(r"SELECT max\(memberships\.ends_on\)") == len(kids) * len(plans)
    # The players holding a place, once per plan with places (2 of them).
    assert count(r"SELECT DISTINCT memberships\.profile_id\s+FROM memberships") == 2
    assert count(r"FROM age_groups") == 1
    # ...and the page still says what each reading means.
    mia_ends = today + timedelta(days=21)
    assert f"Mia is a member until {mia_ends:%d %b %Y}" in page
    leo_renews = today + timedelta(days=4)
    assert f"Renewal: {leo_renews.day} {leo_renews:%b}" in page
    assert page.count("This plan is full.") == 0


def test_the_terms_dates_are_lifecycles(league, family):
    """Do the dates the page shows match the ones payment will give the term (a season's
    own, a renewal's after the current end, a first term from today)?"""
    kids, plans, today = family
    with league_scope(league.id):
        reads = eligibility.Reads(today)
        for kid in kids:
            for plan in plans:
                dates = lifecycle.term_dates(plan, kid.id, today)
                assert reads.term_dates(plan, kid.id) == dates
        assert reads.term_dates(plans[1], kids[1].id)[0] == today + timedelta(days=4)
        assert reads.term_dates(plans[1], kids[2].id)[0] == today


def test_a_full_plan_is_refused_to_newcomers_not_to_its_members(client, login, parent, family):
    """Is a plan whose places are all taken refused to a player who holds none (Ava),
    while a member renewing keeps theirs (Leo: no "full")?"""
    kids, plans, today = family
    with league_scope(plans[1].league_id):
        plans[1].capacity = 2  # Mia's and Leo's current terms take both places
        db.session.add(plans[1])
        db.session.commit()
    login(parent)
    page = client.get("/l/riverside/register").text
    assert page.count("This plan is full.") == 1  # Ava's (Mia cannot renew yet)
    leo_renews = today + timedelta(days=4)
    assert f"Renewal: {leo_renews.day} {leo_renews:%b}" in page
    assert re.search(rf'name="plan-{kids[1].id}" value="{plans[1].id}"(?![^>]*disabled)', page)
