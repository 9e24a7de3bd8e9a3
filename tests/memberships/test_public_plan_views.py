"""What families see of the admin's programs and plans: the public plans page and the
league page."""

from __future__ import annotations

from datetime import timedelta

from portal.memberships.models import DurationUnit, TermKind
from tests.memberships.admin_helpers import TODAY, member, program_of, season

# -- what families see -----------------------------------------------------------------------------


def test_the_plans_page_shows_what_is_open_and_who_it_is_for(client, make, league, parent):
    """Does the public page show open plans with price, dates, who, places and agreement?"""
    u10 = make.age_group(league, "U10", 8, 9)
    spring = season(make, league, "Spring U10", capacity=2, age_group_ids=[u10.id])
    program = program_of(spring)
    season(
        make,
        league,
        "Camp",
        program=program,
        agreement_title="Waiver and release",
        agreement_text="I accept the risks.",
        agreement_version=1,
    )
    season(make, league, "Closed one", program=program, is_open=False)
    season(
        make,
        league,
        "Last year",
        program=program,
        season_start=TODAY - timedelta(days=400),
        season_end=TODAY - timedelta(days=35),
    )
    member(league, spring, make.ready_profile(league, parent, "Mia"))
    page = client.get("/l/riverside/plans").text
    assert "Spring U10" in page and "$120.00" in page and "U10 (ages 8-9)" in page
    assert "1 of 2 left" in page and "Waiver and release" in page and "I accept the risks." in page
    assert "Closed one" not in page and "Last year" not in page
    assert page.count('href="/l/riverside/register"') >= 2
    assert "css/programs.css" in page


def test_a_full_plan_shows_full_instead_of_the_button(client, make, league, parent):
    """Does a full plan say Full, without its own Register button?"""
    tiny = season(make, league, "Tiny", capacity=1)
    member(league, tiny, make.ready_profile(league, parent, "Mia"))
    page = client.get("/l/riverside/plans").text
    assert "full-tag" in page and "This plan is full." in page


def test_the_league_page_lists_what_is_offered(client, login, make, league, admin):
    """Does the league page list the programs and plans, with the Register and pay button?"""
    page = client.get("/l/riverside/").text
    assert "Nothing is open for payment yet." in page
    season(make, league, "Spring U10", capacity=3)
    make.plan(
        league, "Monthly", term=TermKind.ROLLING, duration=1, duration_unit=DurationUnit.MONTHS
    )
    page = client.get("/l/riverside/").text
    assert "Spring U10" in page and "3 places left" in page
    assert "1 month from the day you pay" in page
    assert 'href="/l/riverside/register"' in page and "Manage seasons and plans" not in page
    login(admin)
    assert "Manage seasons and plans" in client.get("/l/riverside/").text
