"""The league admin's pages: programs and plans (forms, errors, agreements, htmx), the
memberships list and its actions, rosters, isolation, and what families see."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import admin_queries
from portal.memberships import admin_services as services
from portal.memberships.models import (
    DurationUnit,
    Membership,
    MembershipStatus,
    Plan,
    Program,
    TermKind,
)
from tests.images import pdf, png
from tests.memberships.admin_helpers import TODAY, fresh, member, paid, program_of, season

HX = {"HX-Request": "true"}
BASE = "/l/riverside/programs"


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
def plan(make, league):
    return season(make, league, "Spring", capacity=20)


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def held_events(monkeypatch):
    """The test checkout's events are kept back (no webhook round trip in these tests)."""
    from portal.payments import testmode

    held: list[str] = []
    monkeypatch.setattr(testmode, "deliver_test_event", held.append)
    return held


def _errors(page: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<p class="error"[^>]*>([^<]*)</p>', page)]


def _count(model) -> int:
    with unscoped():
        return db.session.scalar(select(func.count()).select_from(model))


def _plan_form(**changes) -> dict:
    form = {
        "name": "U10",
        "price": "120.00",
        "currency": "usd",
        "term": "fixed",
        "season_start": (TODAY + timedelta(days=10)).isoformat(),
        "season_end": (TODAY + timedelta(days=100)).isoformat(),
        "is_open": "y",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


# -- the programs list ---------------------------------------------------------------------


def test_the_list_shows_programs_with_their_plans_and_places(as_admin, make, league, parent, plan):
    """Does each plan show its price, term, places taken of its capacity, and open state?"""
    member(league, plan, make.ready_profile(league, parent, "Mia"))
    closed = season(make, league, "Winter", program=program_of(plan), is_open=False)
    page = as_admin.get(f"{BASE}/").text
    assert "Program for Spring" in page and "$120.00" in page
    assert "1 of 20 places taken" in page
    assert f'id="plan-{closed.id}"' in page and "pill-closed" in page
    assert "css/programs.css" in page


def test_a_full_plan_says_so(as_admin, make, league, parent):
    """Does a plan whose places are all taken show "Full"?"""
    small = season(make, league, "Small", capacity=1)
    member(league, small, make.ready_profile(league, parent, "Mia"))
    page = as_admin.get(f"{BASE}/").text
    assert "1 of 1 places taken" in page and "pill-full" in page


def test_an_empty_league_is_told_where_to_start(as_admin):
    """With no programs, does the page say what a program is and offer to make one?"""
    page = as_admin.get(f"{BASE}/").text
    assert "No programs yet" in page and f"{BASE}/new" in page


# -- programs ----------------------------------------------------------------------------


def test_creating_a_program_leads_to_its_first_plan(as_admin):
    """Does a new program save and lead straight to adding its first plan?"""
    response = as_admin.post(f"{BASE}/new", data={"name": " Spring 2027 ", "description": "Fun"})
    assert response.status_code == 303
    with unscoped():
        program = db.session.scalars(select(Program)).one()
    assert program.name == "Spring 2027"
    assert response.headers["Location"].endswith(f"{BASE}/{program.id}/plans/new")


def test_a_program_name_is_required_and_unique(as_admin, plan):
    """Is a blank or taken name refused (422) with the typed values kept and nothing saved?"""
    response = as_admin.post(f"{BASE}/new", data={"name": "", "description": "Kept"})
    assert response.status_code == 422
    assert "Enter the program's name" in html.unescape(response.text)
    assert "Kept</textarea>" in response.text
    response = as_admin.post(f"{BASE}/new", data={"name": "program for SPRING"})
    assert response.status_code == 422 and "already a program called" in response.text
    assert _count(Program) == 1


def test_editing_a_program(as_admin, plan):
    """Does editing save the new name and go back to the list?"""
    program = program_of(plan)
    assert as_admin.get(f"{BASE}/{program.id}/edit").status_code == 200
    response = as_admin.post(f"{BASE}/{program.id}/edit", data={"name": "Spring 2027"})
    assert response.status_code == 303
    assert fresh(Program, program.id).name == "Spring 2027"


def test_archiving_and_moving_work_without_javascript(as_admin, make, league, plan):
    """Do the plain forms change the list and redirect back to it?"""
    program = program_of(plan)
    other = season(make, league, "Camp")
    response = as_admin.post(f"{BASE}/{program_of(other).id}/move", data={"direction": "up"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{BASE}/")
    assert fresh(Program, program_of(other).id).position == 0
    as_admin.post(f"{BASE}/{program.id}/archive")
    assert fresh(Program, program.id).archived
    page = as_admin.get(f"{BASE}/").text
    assert "Archived" in page and "Unarchive" in page
    as_admin.post(f"{BASE}/{program.id}/unarchive")
    assert not fresh(Program, program.id).archived


def test_htmx_gets_the_list_fragment_with_the_message(as_admin, plan):
    """Does an htmx change answer with the list alone, plus the flash out of band?"""
    response = as_admin.post(f"{BASE}/plans/{plan.id}/close", headers=HX)
    assert response.status_code == 200
    assert response.text.startswith('<div id="programs"') and "<html" not in response.text
    assert 'hx-swap-oob="true"' in response.text and "is closed" in response.text
    assert not fresh(Plan, plan.id).is_open
    as_admin.post(f"{BASE}/plans/{plan.id}/open", headers=HX)
    assert fresh(Plan, plan.id).is_open
    assert "HX-Request" in response.headers["Vary"]


def test_a_move_without_a_direction_is_a_bad_request(as_admin, plan):
    assert as_admin.post(f"{BASE}/plans/{plan.id}/move").status_code == 400


# -- plans -----------------------------------------------------------------------------------


def test_a_plan_is_created_from_the_form(as_admin, make, league, plan):
    """Does the form's every field reach the plan: price in cents, groups, fields, capacity?"""
    u10 = make.age_group(league, "U10", 8, 9)
    program = program_of(plan)
    page = as_admin.get(f"{BASE}/{program.id}/plans/new").text
    assert "U10 (ages 8-9)" in page and "keep the price that was paid" in page
    response = as_admin.post(
        f"{BASE}/{program.id}/plans/new",
        data=_plan_form(
            name="U10 Saturdays",
            price="$1,140.50",
            capacity="12",
            renewal_window_days="",
            age_group_ids=[str(u10.id)],
            required_fields=["address", "gender"],
            born_from="2016-01-01",
        ),
    )
    assert response.status_code == 303
    with unscoped():
        new = db.session.scalars(select(Plan).where(Plan.name == "U10 Saturdays")).one()
    assert response.headers["Location"].endswith(f"{BASE}/#plan-{new.id}")
    assert (new.price_minor, new.capacity, new.renewal_window_days) == (114050, 12, None)
    assert new.age_group_ids == [u10.id] and new.required_fields == ["address", "gender"]
    assert new.term == TermKind.FIXED and new.is_open and new.position == 1


def test_a_rolling_plan_from_the_form(as_admin, plan):
    """Is a rolling plan saved with its length, and without season dates?"""
    response = as_admin.post(
        f"{BASE}/{plan.program_id}/plans/new",
        data=_plan_form(name="Monthly", term="rolling", duration="1", duration_unit="months"),
    )
    assert response.status_code == 303
    with unscoped():
        monthly = db.session.scalars(select(Plan).where(Plan.name == "Monthly")).one()
    assert (monthly.duration, monthly.duration_unit, monthly.season_start) == (
        1,
        DurationUnit.MONTHS,
        None,
    )


def test_a_wrong_plan_form_shows_every_error_keeps_values_and_saves_nothing(as_admin, plan):
    """Is a bad form answered 422 with each message by its field, the typed values kept?"""
    response = as_admin.post(
        f"{BASE}/{plan.program_id}/plans/new",
        data=_plan_form(
            name="Keep me",
            price="twelve",
            season_end=(TODAY + timedelta(days=5)).isoformat(),
            capacity="0",
            born_from="not a date",
            agreement_title="Waiver",
        ),
    )
    assert response.status_code == 422
    errors = _errors(response.text)
    assert "Enter the price as a number, like 120.00." in errors
    assert "The season must end after it starts." in errors
    assert "Enter at least 1 place, or leave it empty for no limit." in errors
    assert "Enter a date like 2027-03-06." in errors
    assert "Add the agreement's text or a PDF, or clear its title." in errors
    assert 'value="Keep me"' in response.text and 'value="twelve"' in response.text
    assert _count(Plan) == 1


def test_a_good_pdf_waits_for_the_other_fields(as_admin, plan, storage_root):
    """With a valid PDF but another error, is the admin told to choose the PDF again?"""
    response = as_admin.post(
        f"{BASE}/{plan.program_id}/plans/new",
        data={
            **_plan_form(price="", agreement_title="Waiver"),
            "agreement_pdf": (io.BytesIO(pdf()), "w.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Not saved yet: choose the PDF again." in _errors(response.text)
    assert "Enter the price, like 120.00." in _errors(response.text)
    assert not (storage_root / "leagues").exists()


def test_a_bad_pdf_is_refused_by_its_content(as_admin, plan, storage_root):
    """Is a PNG named .pdf refused with a clear message, and nothing stored?"""
    response = as_admin.post(
        f"{BASE}/plans/{plan.id}/edit",
        data={
            **_plan_form(name="Spring", agreement_title="Waiver"),
            "agreement_pdf": (io.BytesIO(png()), "waiver.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Please choose a PDF file" in response.text
    assert fresh(Plan, plan.id).agreement_key is None
    assert not (storage_root / "leagues").exists()


def test_an_agreement_pdf_is_stored_and_served_to_anyone(client, as_admin, plan):
    """Is an uploaded PDF kept, linked from the form, and served through a short-lived link?"""
    response = as_admin.post(
        f"{BASE}/plans/{plan.id}/edit",
        data={
            **_plan_form(name="Spring", agreement_title="Waiver"),
            "agreement_pdf": (io.BytesIO(pdf()), "w.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, _errors(response.text)
    saved = fresh(Plan, plan.id)
    assert saved.agreement_version == 1 and saved.agreement_key.endswith(".pdf")
    assert "Current PDF" in as_admin.get(f"{BASE}/plans/{plan.id}/edit").text
    as_admin.post("/logout")
    link = client.get(f"{BASE}/plans/{plan.id}/agreement.pdf")
    assert link.status_code == 302 and link.headers["Cache-Control"] == "no-store"
    served = client.get(link.headers["Location"])
    assert served.status_code == 200 and served.data.startswith(b"%PDF-")


def test_changing_the_agreement_text_makes_a_new_version(as_admin, make, league, plan, kid):
    """Does editing the text make version 2, say so, and show acceptances per version?"""
    form = _plan_form(name="Spring", agreement_title="Waiver", agreement_text="Old terms")
    as_admin.post(f"{BASE}/plans/{plan.id}/edit", data=form)
    from portal.memberships.models import AgreementAcceptance

    with unscoped():
        db.session.add(
            AgreementAcceptance(
                league_id=league.id, plan_id=plan.id, version=1, profile_id=kid.id, text_sha256="x"
            )
        )
        db.session.commit()
    response = as_admin.post(
        f"{BASE}/plans/{plan.id}/edit", data={**form, "agreement_text": "New terms"}
    )
    assert fresh(Plan, plan.id).agreement_version == 2
    page = as_admin.get(response.headers["Location"]).text
    assert "The agreement is now version 2" in page
    edit = as_admin.get(f"{BASE}/plans/{plan.id}/edit").text
    assert "<strong>Version 2</strong> is current" in edit
    assert "Version 1: accepted 1 time" in edit


# -- the memberships list -------------------------------------------------------------------------


@pytest.fixture
def memberships(make, league, parent, plan):
    """Mia and Leo on Spring, Ava on Camp (newest last)."""
    camp = season(make, league, "Camp")
    kids = [make.ready_profile(league, parent, name) for name in ("Mia", "Leo", "Ava")]
    return [
        member(league, plan, kids[0]),
        member(league, plan, kids[1]),
        member(league, camp, kids[2]),
    ]


def test_the_list_shows_player_plan_status_and_dates(as_admin, memberships):
    """Does each row show the player, the plan, the status and the term's dates?"""
    page = as_admin.get(f"{BASE}/memberships").text
    row = memberships[0]
    assert f'id="membership-{row.id}"' in page and "Mia Kim" in page
    assert "Program for Spring: Spring" in page and "mstatus-active" in page
    start = fresh(Membership, row.id).starts_on
    assert f"{start.day} {start:%b %Y} to " in page
    assert "1 to 3 of 3 memberships" in page


def test_the_list_filters_by_plan_status_and_name(as_admin, memberships, plan):
    """Do the filters narrow the list, and does htmx get the list alone?"""
    page = as_admin.get(f"{BASE}/memberships?plan={plan.id}").text
    assert "Leo Kim" in page and "Ava Kim" not in page
    page = as_admin.get(f"{BASE}/memberships?q=ava&status=all").text
    assert "Ava Kim" in page and "Mia Kim" not in page
    fragment = as_admin.get(f"{BASE}/memberships?status=cancelled", headers=HX).text
    assert fragment.startswith('<div id="membership-list"') and "<html" not in fragment
    assert "No memberships with these filters." in fragment


def test_the_list_is_paged(as_admin, memberships, monkeypatch):
    """Past a page's worth, are there Previous and Next links that keep the filters?"""
    monkeypatch.setattr(admin_queries, "PER_PAGE", 2)
    monkeypatch.setattr(admin_queries.memberships, "__defaults__", (2,))
    page = as_admin.get(f"{BASE}/memberships?status=active").text
    assert "Page 1 of 2" in page and "status=active&amp;page=2" in page
    second = as_admin.get(f"{BASE}/memberships?status=active&page=2").text
    assert "3 to 3 of 3" in second and "Mia Kim" in second


def test_the_payment_is_linked_for_refunds(as_admin, league, parent, kid, plan, held_events):
    """Does a paid membership link to its payment, where refunds are made?"""
    order = paid(league, parent, [kid], plan)
    page = as_admin.get(f"{BASE}/memberships").text
    assert f"/l/riverside/payments/{order.id}" in page


def test_suspending_without_javascript(as_admin, memberships):
    """Does a plain post suspend, then redirect back to the list with its filters?"""
    row = memberships[0]
    until = TODAY + timedelta(days=7)
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend",
        data={"reason": "Red card", "until": until.isoformat(), "status": "all", "q": "mia"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/memberships?status=all&q=mia")
    suspended = fresh(Membership, row.id)
    assert (suspended.status, suspended.suspended_until) == (MembershipStatus.SUSPENDED, until)
    assert "suspended by Maria Lopez" in suspended.suspension_reason
    page = as_admin.get(response.headers["Location"]).text
    assert "Mia Kim is suspended until" in page and "lifted automatically the day after" in page


def test_suspending_with_htmx_swaps_the_row(as_admin, memberships):
    """Does htmx get just the row, now suspended and offering to lift it?"""
    row = memberships[0]
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend", data={"reason": "Unpaid fees"}, headers=HX
    )
    assert response.status_code == 200
    assert response.text.startswith(f'<li class="row membership-row" id="membership-{row.id}"')
    assert "Lift suspension" in response.text and "until lifted: Unpaid fees" in response.text
    assert "is suspended until you lift it" in response.text  # the flash, out of band


@pytest.mark.parametrize("htmx", [True, False])
def test_a_suspension_without_a_reason_is_refused_in_its_row(as_admin, memberships, htmx):
    """Is a suspension without a reason answered 422 with the message in the row, form open?"""
    row = memberships[0]
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend",
        data={"reason": " ", "until": (TODAY + timedelta(days=3)).isoformat()},
        headers=HX if htmx else {},
    )
    assert response.status_code == 422
    assert "Say why the membership is suspended." in _errors(response.text)
    assert ("<html" in response.text) is not htmx
    assert re.search(r'<details class="action" open>\s*<summary[^>]*>Suspend', response.text)
    assert fresh(Membership, row.id).status == MembershipStatus.ACTIVE


def test_a_suspension_ending_in_the_past_is_refused(as_admin, memberships):
    """Is an end date before today refused on the date field, with the typed values kept?"""
    row = memberships[0]
    past = (TODAY - timedelta(days=1)).isoformat()
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend", data={"reason": "Ban", "until": past}, headers=HX
    )
    assert response.status_code == 422
    assert "The suspension must end today or later." in _errors(response.text)
    assert f'value="{past}"' in response.text and ">Ban</textarea>" in response.text

    bad = as_admin.post(
        f"{BASE}/memberships/{row.id}/suspend", data={"reason": "Ban", "until": "soon"}, headers=HX
    )
    assert bad.status_code == 422 and "Enter a date like 2027-03-06." in _errors(bad.text)


def test_lifting_a_suspension(as_admin, league, admin, memberships):
    """Does lifting make the membership active again, with a message?"""
    row = memberships[0]
    with league_scope(league.id):
        services.suspend_membership(fresh(Membership, row.id), admin, "Ban", None, TODAY)
        db.session.commit()
    response = as_admin.post(f"{BASE}/memberships/{row.id}/lift", headers=HX)
    assert response.status_code == 200 and "suspension is lifted" in response.text
    assert fresh(Membership, row.id).status == MembershipStatus.ACTIVE
    again = as_admin.post(f"{BASE}/memberships/{row.id}/lift")
    assert again.status_code == 303
    assert "not suspended" in as_admin.get(again.headers["Location"]).text


def test_cancelling_says_no_money_moved(as_admin, memberships):
    """Does cancelling end the membership and say that refunds are made from the payment?"""
    row = memberships[0]
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/cancel", data={"reason": "Moved away"}, headers=HX
    )
    assert response.status_code == 200
    assert "No money was refunded" in response.text and "mstatus-cancelled" in response.text
    cancelled = fresh(Membership, row.id)
    assert cancelled.status == MembershipStatus.CANCELLED
    assert cancelled.end_reason.startswith("Moved away (cancelled by Maria Lopez")


def test_cancelling_without_a_reason_is_refused(as_admin, memberships):
    """Is a cancellation without a reason answered 422 in its row, nothing changed?"""
    row = memberships[0]
    response = as_admin.post(f"{BASE}/memberships/{row.id}/cancel", data={"reason": ""})
    assert response.status_code == 422
    assert "Say why the membership is cancelled." in _errors(response.text)
    assert fresh(Membership, row.id).status == MembershipStatus.ACTIVE


def test_a_refusal_for_a_row_off_the_page_becomes_a_message(as_admin, memberships, plan):
    """When the filters hide the row, is the refusal still shown (as a message)?"""
    row = memberships[2]  # Ava, on Camp
    response = as_admin.post(
        f"{BASE}/memberships/{row.id}/cancel", data={"reason": "", "plan": str(plan.id)}
    )
    assert response.status_code == 422
    assert "Say why the membership is cancelled." in response.text


# -- the roster ----------------------------------------------------------------------------


def test_the_roster_shows_current_players_with_photo_and_age_group(
    as_admin, admin, make, league, parent, plan
):
    """Does the roster list current players with a thumbnail link and age group, printable?"""
    make.age_group(league, "Everyone", 0, 120)
    mia = make.ready_profile(league, parent, "Mia", photo_thumb_key="leagues/x/thumb.jpg")
    leo = make.ready_profile(league, parent, "Leo", last_name="Adams")
    member(league, plan, mia)
    gone = member(league, plan, leo)
    with league_scope(league.id):
        services.cancel_membership(fresh(Membership, gone.id), admin, "Left", TODAY)
        db.session.commit()
    page = as_admin.get(f"{BASE}/plans/{plan.id}/roster").text
    assert "Kim, Mia" in page and "Adams, Leo" not in page
    assert f"/l/riverside/players/{mia.id}/photo?size=thumb" in page
    assert "Everyone" in page and "1 player" in page and "(20 places)" in page
    assert "css/programs.css" in page and "no-print" in page


# -- isolation -----------------------------------------------------------------------------


@pytest.fixture
def bravo(make, league):
    """League B's plan and a membership in it."""
    b = make.league("bravo")
    guardian = make.user()
    profile = make.ready_profile(b, guardian, "Bee")
    b_plan = season(make, b, "Bravo season")
    return b_plan, member(b, b_plan, profile)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/{program}/edit"),
        ("post", "/{program}/edit"),
        ("post", "/{program}/archive"),
        ("get", "/{program}/plans/new"),
        ("get", "/plans/{plan}/edit"),
        ("post", "/plans/{plan}/close"),
        ("get", "/plans/{plan}/roster"),
        ("get", "/plans/{plan}/agreement.pdf"),
        ("post", "/memberships/{membership}/suspend"),
        ("post", "/memberships/{membership}/cancel"),
    ],
)
def test_another_leagues_ids_are_not_found(as_admin, bravo, method, path):
    """Can league A's admin reach league B's program, plan or membership through A's address?"""
    b_plan, b_membership = bravo
    url = BASE + path.format(program=b_plan.program_id, plan=b_plan.id, membership=b_membership.id)
    response = getattr(as_admin, method)(url, data={"name": "Taken", "reason": "Because"})
    assert response.status_code == 404
    assert fresh(Plan, b_plan.id).is_open and fresh(Program, b_plan.program_id).name != "Taken"
    assert fresh(Membership, b_membership.id).status == MembershipStatus.ACTIVE


def test_staff_without_the_admin_role_get_not_found(client, login, make, league, plan):
    """Does a registrar get "not found" on the admin pages?"""
    login(make.member(league, Role.REGISTRAR))
    assert client.get(f"{BASE}/").status_code == 404
    assert client.get(f"{BASE}/memberships").status_code == 404


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
