"""The league admin's services: programs, every rule of a plan, agreement versions and
PDFs, suspending, lifting and cancelling memberships, and the reads behind the pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import admin_queries, eligibility, lifecycle, queries
from portal.memberships import admin_services as services
from portal.memberships.admin_services import ActionError, ProgramError
from portal.memberships.models import (
    AgreementAcceptance,
    DurationUnit,
    Membership,
    MembershipStatus,
    Plan,
    Program,
    TermKind,
)
from portal.memberships.plan_rules import PlanData, PlanError, pdf_problem, plan_problems
from portal.payments.models import Order
from tests.images import pdf, png
from tests.memberships.admin_helpers import (
    TODAY,
    fixed_data,
    fresh,
    member,
    paid,
    season,
)


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC")


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Lopez")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def kid(make, league, parent):
    return make.ready_profile(league, parent, "Mia")


@pytest.fixture
def program(league):
    with league_scope(league.id):
        program = services.create_program(league, "Spring 2027")
        db.session.commit()
    return program


@pytest.fixture
def held_events(monkeypatch):
    """The test checkout's events are kept back (no webhook round trip in these tests)."""
    from portal.payments import testmode

    held: list[str] = []
    monkeypatch.setattr(testmode, "deliver_test_event", held.append)
    return held


def _problems(data: PlanData, **kwargs) -> dict:
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("group_ids", set())
    return plan_problems(data, **kwargs)


# -- programs --------------------------------------------------------------------------


def test_programs_are_added_at_the_end_with_their_name_trimmed(league):
    """Does a new program go last, with the spaces a phone adds trimmed?"""
    with league_scope(league.id):
        first = services.create_program(league, "  Spring  ", "  Outdoor  ")
        second = services.create_program(league, "Summer camp")
        assert (first.name, first.description, first.position) == ("Spring", "Outdoor", 0)
        assert second.position == 1


@pytest.mark.parametrize(
    ("name", "description", "field", "message"),
    [
        ("", "", "name", "Enter the program's name"),
        ("   ", "", "name", "Enter the program's name"),
        ("x" * 121, "", "name", "120 characters"),
        ("Fine", "x" * 2001, "description", "2000 characters"),
        ("spring 2027", "", "name", "already a program called spring 2027"),
    ],
)
def test_a_program_needs_a_unique_name(league, program, name, description, field, message):
    """Is a program without a name, too long, or named like another (any case) refused?"""
    with league_scope(league.id), pytest.raises(ProgramError) as refused:
        services.create_program(league, name, description)
    assert refused.value.field == field and message in str(refused.value)


def test_a_program_keeps_its_own_name_when_edited(league, program):
    """May a program be saved under its own name, but not under another's?"""
    with league_scope(league.id):
        other = services.create_program(league, "Summer camp")
        services.update_program(program, "Spring 2027", "Now with a description")
        assert program.description == "Now with a description"
        with pytest.raises(ProgramError, match="already a program"):
            services.update_program(other, "SPRING 2027")


def test_archiving_hides_a_program_from_families_and_registration(make, league, program, kid):
    """Does an archived program leave the public list, and its plans stop taking players?"""
    plan = season(make, league, program=program)
    with league_scope(league.id):
        services.set_archived(program, True)
        assert queries.offered_programs() == []
        assert "This plan is not taking registrations." in eligibility.problems(kid, plan, TODAY)
        services.set_archived(program, False)
        assert [p.id for p in queries.offered_programs()] == [program.id]


def test_programs_and_plans_move_up_and_down(make, league, program):
    """Do moves swap neighbours, stop at either end, and keep plans within their program?"""
    with league_scope(league.id):
        camp = services.create_program(league, "Camp")
        assert services.move_program(camp, "up") is True
        assert [p.name for p in admin_queries.programs_with_plans()] == ["Camp", "Spring 2027"]
        assert services.move_program(camp, "up") is False
        with pytest.raises(ProgramError):
            services.move_program(camp, "sideways")
    a, b = season(make, league, "A", program=program), season(make, league, "B", program=program)
    other = season(make, league, "Other")  # in its own program
    with league_scope(league.id):
        assert services.move_plan(b, "up") is True
        assert [p.name for p in fresh(Program, program.id).plans] == ["B", "A"]
        assert services.move_plan(other, "down") is False
        assert fresh(Plan, a.id).position == 1


# -- the rules of a plan ------------------------------------------------------------------


def test_a_valid_plan_has_no_problems():
    """Does a complete fixed season pass every rule?"""
    assert _problems(fixed_data()) == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the plan's name"),
        ({"name": "x" * 121}, "name", "120 characters"),
        ({"description": "x" * 2001}, "description", "2000 characters"),
        ({"currency": "xyz"}, "currency", "Choose a currency"),
        ({"price_minor": None}, "price", "Enter the price"),
        ({"price_minor": 49}, "price", "at least $0.50"),
        ({"price_minor": 29, "currency": "gbp"}, "price", "at least £0.30"),
        ({"price_minor": 10_000_000}, "price", "below $100,000.00"),
        ({"term": None}, "term", "Choose a season with fixed dates"),
        ({"season_start": None}, "season_start", "first day of the season"),
        ({"season_end": None}, "season_end", "last day of the season"),
        ({"season_end": TODAY + timedelta(days=10)}, "season_end", "must end after it starts"),
        (
            {"season_start": TODAY - timedelta(days=90), "season_end": TODAY - timedelta(days=1)},
            "season_end",
            "already be over",
        ),
        ({"renewal_window_days": -1}, "renewal_window_days", "from 0 to 365"),
        ({"renewal_window_days": 366}, "renewal_window_days", "from 0 to 365"),
        ({"capacity": 0}, "capacity", "at least 1 place"),
        ({"age_group_ids": (999,)}, "age_group_ids", "league's list"),
        (
            {"born_from": date(2016, 1, 1), "born_to": date(2015, 12, 31)},
            "born_to",
            "must not be before",
        ),
        ({"required_fields": ("shoe_size",)}, "required_fields", "from the list"),
        ({"agreement_title": "Waiver"}, "agreement_text", "text or a PDF"),
        ({"agreement_text": "I agree."}, "agreement_title", "Give the agreement a title"),
        ({"agreement_title": "x" * 121, "agreement_text": "y"}, "agreement_title", "120"),
        ({"agreement_title": "W", "agreement_text": "y" * 20001}, "agreement_text", "20,000"),
    ],
)
def test_every_rule_of_a_plan(changes, field, message):
    """Is each rule checked, with its message on the right field?"""
    problems = _problems(fixed_data(**changes))
    assert field in problems and message in problems[field], problems


@pytest.mark.parametrize(
    ("duration", "unit", "message"),
    [
        (None, DurationUnit.MONTHS, "how long a membership lasts"),
        (0, DurationUnit.MONTHS, "how long a membership lasts"),
        (61, DurationUnit.MONTHS, "at most 5 years"),
        (6, DurationUnit.YEARS, "at most 5 years"),
        (1, None, "days, weeks, months or years"),
    ],
)
def test_a_rolling_plan_needs_a_sensible_length(duration, unit, message):
    """Is a rolling term without a length, or longer than five years, refused?"""
    data = fixed_data(term=TermKind.ROLLING, duration=duration, duration_unit=unit)
    assert message in " ".join(_problems(data).values())


def test_every_problem_is_reported_at_once():
    """Does one check name every field at fault, so the admin fixes them in one go?"""
    data = PlanData(name="", price_minor=None, currency="usd", term=TermKind.FIXED, capacity=0)
    assert set(_problems(data)) == {"name", "price", "season_start", "season_end", "capacity"}


def test_an_agreement_can_be_a_pdf_alone():
    """Is a title with a PDF (and no text) a complete agreement?"""
    assert _problems(fixed_data(agreement_title="Waiver"), has_pdf=True) == {}


def test_fields_the_form_could_not_read_are_not_checked_twice():
    """Does `skip` leave unreadable fields to the form's own message?"""
    assert "price" not in _problems(fixed_data(price_minor=None), skip=frozenset({"price"}))


# -- creating and editing plans ------------------------------------------------------------


def test_a_plan_is_created_with_every_field(make, league, program):
    """Are all of a plan's fields stored, in minor units and a stable order?"""
    u10 = make.age_group(league, "U10", 8, 9)
    data = fixed_data(
        description="Saturdays",
        capacity=20,
        renewal_window_days=10,
        age_group_ids=(u10.id,),
        born_from=date(2016, 1, 1),
        born_to=date(2018, 12, 31),
        required_fields=("photo", "phone"),
        is_open=False,
    )
    with league_scope(league.id):
        plan = services.create_plan(program, data, TODAY)
        db.session.commit()
    plan = fresh(Plan, plan.id)
    assert (plan.price_minor, plan.currency, plan.capacity, plan.is_open) == (
        12000,
        "usd",
        20,
        False,
    )
    assert plan.age_group_ids == [u10.id] and plan.required_fields == ["phone", "photo"]
    assert (plan.born_from, plan.born_to, plan.renewal_window_days) == (
        date(2016, 1, 1),
        date(2018, 12, 31),
        10,
    )
    assert plan.agreement_version == 0 and not plan.has_agreement


def test_an_age_group_of_another_league_cannot_be_chosen(make, league, program):
    """Is a plan refused an age group id that belongs to another league?"""
    other = make.age_group(make.league("bravo"), "U10", 8, 9)
    with league_scope(league.id), pytest.raises(PlanError) as refused:
        services.create_plan(program, fixed_data(age_group_ids=(other.id,)), TODAY)
    assert "age_group_ids" in refused.value.errors


def test_plan_names_are_unique_within_their_program(make, league, program):
    """Is a second "u10" refused in the same program, but allowed in another?"""
    with league_scope(league.id):
        services.create_plan(program, fixed_data(name="U10"), TODAY)
        with pytest.raises(PlanError) as refused:
            services.create_plan(program, fixed_data(name="u10"), TODAY)
        assert "already has a plan called u10" in refused.value.errors["name"]
        camp = services.create_program(league, "Camp")
        services.create_plan(camp, fixed_data(name="U10"), TODAY)


def test_a_term_keeps_only_the_fields_of_its_kind(make, league, program):
    """Does switching to a rolling term drop the season's dates, and back again?"""
    with league_scope(league.id):
        plan = services.create_plan(program, fixed_data(), TODAY)
        rolling = replace(
            PlanData.of(plan), term=TermKind.ROLLING, duration=1, duration_unit=DurationUnit.MONTHS
        )
        services.update_plan(plan, rolling, TODAY)
        assert (plan.season_start, plan.season_end, plan.duration) == (None, None, 1)
        services.update_plan(plan, replace(fixed_data(), name=plan.name), TODAY)
        assert plan.duration is None and plan.duration_unit is None
        assert plan.season_end == fixed_data().season_end


def test_a_season_that_is_over_can_still_be_edited(make, league):
    """May an old season's description change, while new dates in the past are refused?"""
    old = season(
        make,
        league,
        "Old",
        season_start=TODAY - timedelta(days=200),
        season_end=TODAY - timedelta(days=20),
    )
    with league_scope(league.id):
        services.update_plan(old, replace(PlanData.of(old), description="Archive copy"), TODAY)
        moved = replace(PlanData.of(old), season_end=TODAY - timedelta(days=10))
        with pytest.raises(PlanError, match="already be over"):
            services.update_plan(old, moved, TODAY)


def test_price_and_dates_never_change_what_was_paid(make, league, parent, kid, held_events):
    """After a price and date change, do paid memberships keep their dates and price paid?"""
    plan = season(make, league)
    order = paid(league, parent, [kid], plan)
    with unscoped():
        before = db.session.scalars(select(Membership)).one()
        dates = (before.starts_on, before.ends_on)
    with league_scope(league.id):
        plan = fresh(Plan, plan.id)
        changed = replace(
            PlanData.of(plan),
            price_minor=20000,
            season_start=TODAY + timedelta(days=300),
            season_end=TODAY + timedelta(days=400),
        )
        services.update_plan(plan, changed, TODAY)
        db.session.commit()
    after = fresh(Membership, before.id)
    assert (after.starts_on, after.ends_on, after.status) == (*dates, MembershipStatus.ACTIVE)
    assert fresh(Order, order.id).paid_minor == 12000


# -- agreements: versions and PDFs ---------------------------------------------------------


def _accept(league, plan, profile, version):
    with unscoped():
        db.session.add(
            AgreementAcceptance(
                league_id=league.id,
                plan_id=plan.id,
                version=version,
                profile_id=profile.id,
                text_sha256="x" * 64,
            )
        )
        db.session.commit()


def test_changing_the_text_or_pdf_makes_a_new_version(league, program):
    """Does only a change of text or PDF bump the version (not the title, not CRLF)?"""
    with league_scope(league.id):
        plan = services.create_plan(
            program,
            fixed_data(agreement_title="Waiver", agreement_text="Line one\nLine two"),
            TODAY,
        )
        assert plan.agreement_version == 1
        data = PlanData.of(plan)
        same = services.update_plan(
            plan, replace(data, agreement_text="Line one\r\nLine two\r\n"), TODAY
        )
        retitled = services.update_plan(plan, replace(data, agreement_title="Release"), TODAY)
        assert not same.bumped and not retitled.bumped and plan.agreement_version == 1
        assert plan.agreement_text == "Line one\nLine two"
        reworded = services.update_plan(plan, replace(data, agreement_text="New terms"), TODAY)
        assert reworded.bumped and plan.agreement_version == 2
        with_pdf = services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf())
        assert with_pdf.bumped and plan.agreement_version == 3
        again = services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf())
        assert not again.bumped  # the very same file
        dropped = services.update_plan(plan, PlanData.of(plan), TODAY, remove_pdf=True)
        assert dropped.bumped and plan.agreement_version == 4 and plan.agreement_key is None


def test_an_agreement_removed_and_added_again_never_reuses_an_accepted_version(
    league, program, kid
):
    """Once version 2 was accepted, is the agreement added back later version 3, not 1?"""
    with league_scope(league.id):
        plan = services.create_plan(
            program, fixed_data(agreement_title="Waiver", agreement_text="v1"), TODAY
        )
        services.update_plan(plan, replace(PlanData.of(plan), agreement_text="v2"), TODAY)
        db.session.commit()
    _accept(league, plan, kid, 2)
    with league_scope(league.id):
        plan = fresh(Plan, plan.id)
        gone = replace(PlanData.of(plan), agreement_title="", agreement_text="")
        assert services.update_plan(plan, gone, TODAY).removed
        assert plan.agreement_version == 0 and not plan.has_agreement
        back = replace(gone, agreement_title="Waiver", agreement_text="v1")
        services.update_plan(plan, back, TODAY)
        assert plan.agreement_version == 3
        assert admin_queries.acceptance_counts(plan) == [(2, 1)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (png(), "Please choose a PDF file"),
        (b"%PDF-1.7\nnot really a pdf at all", "damaged or incomplete"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_a_bad_pdf_is_refused_and_nothing_is_stored(league, program, storage_root, data, message):
    """Is a file that is not a readable PDF of 10 MB or less refused, leaving storage empty?"""
    assert message in pdf_problem(data)
    with league_scope(league.id), pytest.raises(PlanError) as refused:
        services.create_plan(program, fixed_data(agreement_title="Waiver"), TODAY, pdf=data)
    assert message in refused.value.errors["agreement_pdf"]
    assert not (storage_root / f"leagues/{league.id}/agreements").exists()


def test_a_pdf_is_not_stored_while_another_field_is_wrong(league, program, storage_root):
    """With a good PDF but a bad price, is the whole plan refused and the PDF not kept?"""
    with league_scope(league.id), pytest.raises(PlanError):
        services.create_plan(
            program, fixed_data(agreement_title="W", price_minor=1), TODAY, pdf=pdf()
        )
    assert not (storage_root / f"leagues/{league.id}/agreements").exists()


def test_a_pdf_is_stored_under_the_league_and_gone_if_the_change_rolls_back(league, program):
    """Is the PDF stored under leagues/<id>/agreements/, and deleted again on rollback?"""
    with league_scope(league.id):
        plan = services.create_plan(program, fixed_data(agreement_title="W"), TODAY, pdf=pdf())
        key = plan.agreement_key
        assert key.startswith(f"leagues/{league.id}/agreements/plan-{plan.id}-")
        assert get_storage().exists(key)
        db.session.rollback()
    assert not get_storage().exists(key)


def test_a_replaced_pdf_is_kept_only_if_someone_accepted_it(league, program, kid):
    """Is an old PDF nobody accepted deleted, and one somebody accepted kept?"""
    storage = get_storage()
    with league_scope(league.id):
        plan = services.create_plan(program, fixed_data(agreement_title="W"), TODAY, pdf=pdf(1))
        db.session.commit()
        first = plan.agreement_key
        services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf(2))
        db.session.commit()
        second = plan.agreement_key
    assert not storage.exists(first) and storage.exists(second)
    _accept(league, plan, kid, 2)
    with league_scope(league.id):
        plan = fresh(Plan, plan.id)
        services.update_plan(plan, PlanData.of(plan), TODAY, pdf=pdf(3))
        db.session.commit()
    assert storage.exists(second)


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
