"""The league admin's services for memberships: suspending, lifting and cancelling, and
the reads behind the pages (places, plan facts, the list, the roster)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.core.paging import MAX_PAGE
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import admin_queries, lifecycle
from portal.memberships import admin_services as services
from portal.memberships.admin_services import ActionError
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, Plan, TermKind
from tests.memberships.admin_helpers import TODAY, fresh, member, season

# -- memberships: suspend, lift, cancel ---------------------------------------------------


@pytest.fixture
def membership(make, league, kid):
    return member(league, season(make, league), kid)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_suspension_needs_a_reason(league, admin, membership, reason):
    """Is a suspension without a reason (or with an essay) refused, on the reason field?"""
    with league_scope(league.id), pytest.raises(ActionError) as refused:
        services.suspend_membership(fresh(Membership, membership.id), admin, reason, None, TODAY)
    assert refused.value.field == "reason"
    assert fresh(Membership, membership.id).status == MembershipStatus.ACTIVE


@pytest.mark.parametrize(
    ("until", "message"),
    [(TODAY - timedelta(days=1), "today or later"), (TODAY + timedelta(days=181), "ends on")],
)
def test_a_suspension_ends_today_or_later_and_within_the_term(
    league, admin, membership, until, message
):
    """Is an end date in the past, or after the membership ends, refused?"""
    with league_scope(league.id), pytest.raises(ActionError, match=message) as refused:
        services.suspend_membership(fresh(Membership, membership.id), admin, "Ban", until, TODAY)
    assert refused.value.field == "until"


def test_a_suspension_records_who_why_and_until_when(league, admin, membership):
    """Does a suspension keep the reason with the admin's name and date, and the end date?"""
    until = TODAY + timedelta(days=7)
    with league_scope(league.id):
        services.suspend_membership(
            fresh(Membership, membership.id), admin, "  Red card:\n two matches ", until, TODAY
        )
        db.session.commit()
    suspended = fresh(Membership, membership.id)
    assert suspended.status == MembershipStatus.SUSPENDED
    assert suspended.suspended_until == until
    assert suspended.suspension_reason == (
        f"Red card: two matches (suspended by Maria Lopez on {TODAY.day} {TODAY:%b %Y})"
    )


def test_a_dated_suspension_is_lifted_the_day_after(league, admin, membership):
    """Does the daily job lift a suspension on the day after its end date, not before?"""
    until = TODAY + timedelta(days=3)
    with league_scope(league.id):
        services.suspend_membership(fresh(Membership, membership.id), admin, "Ban", until, TODAY)
        db.session.commit()
        assert lifecycle.lift_ended_suspensions(until) == 0
        assert lifecycle.lift_ended_suspensions(until + timedelta(days=1)) == 1
        db.session.commit()
    assert fresh(Membership, membership.id).status == MembershipStatus.ACTIVE


def test_lifting_a_suspension(league, admin, membership):
    """Does lifting make the membership active again, and refuse one that is not suspended?"""
    with league_scope(league.id):
        row = fresh(Membership, membership.id)
        with pytest.raises(ActionError, match="not suspended"):
            services.lift_suspension(row, admin)
        services.suspend_membership(row, admin, "Ban", None, TODAY)
        services.lift_suspension(row, admin)
        db.session.commit()
    lifted = fresh(Membership, membership.id)
    assert (lifted.status, lifted.suspension_reason, lifted.suspended_until) == (
        MembershipStatus.ACTIVE,
        "",
        None,
    )


def test_cancelling_needs_a_reason_and_records_it(league, admin, membership):
    """Is a cancellation refused without a reason, and signed with who and when otherwise?"""
    with league_scope(league.id):
        row = fresh(Membership, membership.id)
        with pytest.raises(ActionError) as refused:
            services.cancel_membership(row, admin, " ", TODAY)
        assert refused.value.field == "reason"
        services.cancel_membership(row, admin, "Moved away", TODAY)
        db.session.commit()
    cancelled = fresh(Membership, membership.id)
    assert cancelled.status == MembershipStatus.CANCELLED and cancelled.ended_at is not None
    assert cancelled.end_reason.startswith("Moved away (cancelled by Maria Lopez on ")


def test_only_a_current_membership_can_be_suspended_or_cancelled(league, admin, membership):
    """Once cancelled, are suspending and cancelling again refused with the status named?"""
    with league_scope(league.id):
        row = fresh(Membership, membership.id)
        services.cancel_membership(row, admin, "Moved away", TODAY)
        with pytest.raises(ActionError, match="this one is cancelled"):
            services.suspend_membership(row, admin, "Ban", None, TODAY)
        with pytest.raises(ActionError, match="this one is cancelled"):
            services.cancel_membership(row, admin, "Again", TODAY)


# -- the reads behind the pages ---------------------------------------------------------------


def test_places_taken_count_current_members_and_fresh_checkouts(make, league, parent):
    """Do the places shown count active members and unpaid checkouts still held, and say full?"""
    plan = season(make, league, capacity=2)
    kids = [make.ready_profile(league, parent, name) for name in ("Mia", "Leo", "Ava")]
    member(league, plan, kids[0])
    ended = member(league, plan, kids[1])
    with league_scope(league.id):
        lifecycle.cancel(fresh(Membership, ended.id), "Moved away")
        db.session.add(Membership(league_id=league.id, profile_id=kids[2].id, plan_id=plan.id))
        db.session.commit()
        facts = admin_queries.describe(fresh(Plan, plan.id), TODAY, [])
    assert (facts.taken, facts.capacity, facts.places_left, facts.full) == (2, 2, 0, True)


def test_plan_facts_in_words(make, league):
    """Does a plan read as its price, dates or length, and who it is for?"""
    u8, u10 = make.age_group(league, "U8", 6, 7), make.age_group(league, "U10", 8, 9)
    fixed = season(
        make,
        league,
        "Spring",
        season_start=date(2027, 3, 6),
        season_end=date(2027, 6, 12),
        age_group_ids=[u10.id],
        born_from=date(2016, 1, 1),
    )
    rolling = make.plan(
        league, "Monthly", term=TermKind.ROLLING, duration=1, duration_unit=DurationUnit.MONTHS
    )
    with league_scope(league.id):
        groups = [u8, u10]
        spring = admin_queries.describe(fresh(Plan, fixed.id), date(2026, 1, 1), groups)
        monthly = admin_queries.describe(fresh(Plan, rolling.id), date(2026, 1, 1), groups)
    assert (spring.price, spring.term) == ("$120.00", "6 Mar to 12 Jun 2027")
    assert spring.who == "U10 (ages 8-9); born on or after 1 Jan 2016"
    assert (monthly.term, monthly.who, monthly.capacity) == (
        "1 month from the day you pay",
        "Everyone",
        None,
    )


def test_the_memberships_list_filters_and_pages(make, league, parent, admin):
    """Do the plan, status and name filters combine, and pages split the rest?"""
    spring, camp = season(make, league, "Spring"), season(make, league, "Camp")
    mia, leo = make.ready_profile(league, parent, "Mia"), make.ready_profile(league, parent, "Leo")
    m1, m2, m3 = member(league, spring, mia), member(league, spring, leo), member(league, camp, mia)
    with league_scope(league.id):
        services.suspend_membership(fresh(Membership, m2.id), admin, "Ban", None, TODAY)
        db.session.commit()

        def ids(**values):
            return [m.id for m in admin_queries.memberships(admin_queries.Filters(**values)).rows]

        assert ids() == [m3.id, m2.id, m1.id]  # newest first
        assert ids(plan_id=spring.id) == [m2.id, m1.id]
        assert ids(status="suspended") == [m2.id]
        assert ids(q="MIA KIM") == [m3.id, m1.id]
        assert ids(q="%") == []  # a wildcard is searched for, not obeyed
        page = admin_queries.memberships(admin_queries.Filters(page=9), per_page=2)
        assert (page.page, page.pages, page.first, page.last, len(page.rows)) == (2, 2, 3, 3, 1)
        assert admin_queries.status_counts()["current"] == 3


def test_filters_read_from_a_query_string_ignore_nonsense():
    """Are unknown statuses, bad pages and odd plan ids read as the defaults?"""
    filters = admin_queries.Filters.read(
        {"plan": "abc", "status": "nope", "page": "-3", "q": "  Mia   Kim  "}
    )
    assert filters == admin_queries.Filters(None, "current", "Mia Kim", 1)
    assert filters.args() == {"q": "Mia Kim"}
    far = admin_queries.Filters.read({"plan": str(2**31), "page": "9" * 30})
    assert (far.plan_id, far.page) == (None, MAX_PAGE)  # no such plan; the last page


def test_the_roster_lists_current_players_by_name_with_their_age_group(make, league, parent, admin):
    """Does the roster show active and suspended players, by last name, and no one else?"""
    group = make.age_group(league, "U12", 10, 11)
    plan = season(make, league)
    zoe = make.ready_profile(
        league, parent, "Zoe", last_name="Adams", date_of_birth=date(2015, 6, 1)
    )
    ben = make.ready_profile(league, parent, "Ben", last_name="Young")
    gone = make.ready_profile(league, parent, "Gone", last_name="Baker")
    member(league, plan, ben)
    suspended = member(league, plan, zoe)
    cancelled = member(league, plan, gone)
    with league_scope(league.id):
        services.suspend_membership(fresh(Membership, suspended.id), admin, "Ban", None, TODAY)
        services.cancel_membership(fresh(Membership, cancelled.id), admin, "Left", TODAY)
        db.session.add(Membership(league_id=league.id, profile_id=gone.id, plan_id=plan.id))
        db.session.commit()
        rows = admin_queries.roster(fresh(Plan, plan.id), TODAY)
    assert [row.profile.first_name for row in rows] == ["Zoe", "Ben"]
    assert rows[0].membership.status == MembershipStatus.SUSPENDED
    league_age = TODAY.year - 2015  # the factory league counts ages on 31 December
    assert (rows[0].group.id if rows[0].group else None) == (
        group.id if 10 <= league_age <= 11 else None
    )
