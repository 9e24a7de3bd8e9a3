"""The league admin's services for programs and plans: programs, every rule of a plan,
and creating and editing plans."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import admin_queries, eligibility, queries
from portal.memberships import admin_services as services
from portal.memberships.admin_services import ProgramError
from portal.memberships.models import (
    DurationUnit,
    Membership,
    MembershipStatus,
    Plan,
    Program,
    TermKind,
)
from portal.memberships.plan_rules import PlanData, PlanError, plan_problems
from portal.payments.models import Order
from tests.memberships.admin_helpers import TODAY, fixed_data, fresh, paid, season


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
