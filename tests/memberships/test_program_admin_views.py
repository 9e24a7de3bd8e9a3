"""The league admin's pages for programs and plans: the list, the forms and their errors,
agreements and their PDFs, and htmx."""

from __future__ import annotations

import html
import io
from datetime import timedelta

from sqlalchemy import func, select

from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.memberships.models import DurationUnit, Plan, Program, TermKind
from tests.images import pdf, png
from tests.memberships.admin_helpers import TODAY, fresh, member, program_of, season
from tests.memberships.admin_view_helpers import BASE, HX, _errors


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
    assert "1 of 1 place taken" in page and "pill-full" in page


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
