"""The family's register page: players and plans, the live summary, and sending the form."""

from __future__ import annotations

import re
from datetime import date

from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.memberships.models import DurationUnit, TermKind
from portal.payments.models import Order
from tests.memberships.family.conftest import DASH


def _checked(page: str, name: str) -> str | None:
    """The value of the checked radio `name` on a page."""
    for tag in re.findall(rf'<input type="radio" name="{name}"[^>]*>', page):
        if " checked" in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    return None


# -- the register page ------------------------------------------------------------------


def test_a_family_without_players_is_asked_to_add_them(client, login, league, parent, plan):
    """Does a parent with no players here get one clear step: add a player?"""
    login(parent)
    page = client.get("/l/riverside/register").text
    assert "First, add your players" in page and "/l/riverside/players/new" in page
    assert "Continue to payment" not in page


def test_nothing_open_says_so(client, login, league, parent, kids):
    """With no open plan, does the page say so instead of showing an empty form?"""
    login(parent)
    page = client.get("/l/riverside/register").text
    assert "Nothing open right now" in page and "Continue to payment" not in page


def test_each_player_is_a_card_with_the_plans_by_program(
    client, login, make, league, parent, kids, plan
):
    """Is each player a card with a photo, and each plan under its program with price and dates?"""
    with unscoped():
        program = plan.program
    make.plan(
        league,
        "Monthly",
        price_minor=2500,
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.MONTHS,
        program=program,
    )
    login(parent)
    page = client.get("/l/riverside/register").text
    for kid in kids:
        assert f"/l/riverside/players/{kid.id}/photo?size=thumb" in page
        assert _checked(page, f"plan-{kid.id}") == "none"
    assert page.count("Program for Spring season") == 2  # one heading per player card
    assert "$120.00" in page and "$25.00" in page
    assert f"Season 1 Mar 2026 {DASH} 28 Feb 2027" in page
    assert "1 month from the day you pay" in page
    assert "Nothing chosen yet" in page and "Continue to payment" in page


def test_ineligible_plans_are_greyed_with_the_reason(client, login, make, league, parent, kids):
    """Is a plan a player cannot join disabled, with the reason in plain words?"""
    make.plan(league, "Adults", born_to=date(2000, 1, 1))
    login(parent)
    page = client.get("/l/riverside/register").text
    assert "is-ineligible" in page
    assert "This plan is for players born on or before 01 Jan 2000." in page
    tags = re.findall(r'<input type="radio" name="plan-\d+" value="\d+"[^>]*>', page)
    assert tags and all("disabled" in tag for tag in tags)
    # The reason, briefly; no link to a profile that has nothing missing.
    assert "Nothing is open to Mia right now: 1 plan for other ages." in page
    assert "Mia&#39;s profile" not in page and "Mia's profile" not in page


def test_a_player_missing_profile_details_is_sent_to_finish_them(
    client, login, make, league, parent, plan
):
    """Is a child without a photo told what is missing, with a link to finish the profile?"""
    make.profile(league, parent, first_name="Leo")
    login(parent)
    page = client.get("/l/riverside/register").text
    assert "Leo&#39;s profile needs: photo, proof of age." in page
    assert "Finish Leo's profile" in page


def test_a_renew_link_preselects_the_plan(client, login, league, parent, kids, plan):
    """Does /register?plan-<player>=<plan> open with that plan chosen and in the summary?"""
    login(parent)
    page = client.get(f"/l/riverside/register?plan-{kids[0].id}={plan.id}").text
    assert _checked(page, f"plan-{kids[0].id}") == str(plan.id)
    assert _checked(page, f"plan-{kids[1].id}") == "none"
    assert "1 player" in page and "$120.00" in page


# -- the live summary --------------------------------------------------------------------


def test_the_summary_prices_come_from_our_database(client, login, league, parent, kids, plan):
    """Does the summary fragment price each chosen player from our plans, whatever the form says?"""
    login(parent)
    form = {f"plan-{kid.id}": str(plan.id) for kid in kids}
    response = client.post(
        "/l/riverside/register/summary",
        data={**form, "amount": "1", "price_minor": "1"},
        headers={"HX-Request": "true"},
    )
    text = response.text
    assert response.status_code == 200
    assert 'id="summary-title"' in text and "<html" not in text
    assert "Mia Kim" in text and "Leo Kim" in text and text.count("$120.00") == 2
    assert "$240.00" in text and 'id="pay-bar" hx-swap-oob="true"' in text and "2 players" in text


def test_the_summary_says_when_nothing_is_chosen(client, login, league, parent, kids, plan):
    """Does the summary say so when no plan is chosen?"""
    login(parent)
    text = client.post(
        "/l/riverside/register/summary",
        data={f"plan-{kids[0].id}": "none"},
        headers={"HX-Request": "true"},
    ).text
    assert "Nothing chosen yet" in text and "$" not in text


def test_the_summary_ignores_plans_and_players_that_are_not_ours(
    client, login, make, league, parent, kids, plan
):
    """Are another league's plan and another family's player left out of the summary?"""
    foreign_plan = make.plan(make.league("elsewhere"), "Their season", price_minor=1)
    stranger_kid = make.ready_profile(league, make.user(), "Zed")
    login(parent)
    text = client.post(
        "/l/riverside/register/summary",
        data={f"plan-{kids[0].id}": str(foreign_plan.id), f"plan-{stranger_kid.id}": str(plan.id)},
    ).text
    assert "Nothing chosen yet" in text and "Zed" not in text


def test_agreements_of_chosen_plans_show_with_a_checkbox_each(
    client, login, make, league, parent, kids
):
    """Is a chosen plan's agreement shown once, with its PDF and one checkbox that stays ticked?"""
    travel = make.plan(
        league,
        "Travel team",
        agreement_title="Code of conduct",
        agreement_text="Be kind.\nArrive on time.",
        agreement_version=2,
        agreement_key="agreements/travel.pdf",
    )
    login(parent)
    form = {f"plan-{kid.id}": str(travel.id) for kid in kids}
    text = client.post("/l/riverside/register/summary", data={**form, "agree": str(travel.id)}).text
    assert text.count("Code of conduct") >= 1 and "Be kind.\nArrive on time." in text
    assert f"/l/riverside/programs/plans/{travel.id}/agreement.pdf" in text
    (box,) = re.findall(r'<input type="checkbox" name="agree"[^>]*>', text)
    assert "checked" in box and "for Leo and Mia" in text


# -- sending the form ----------------------------------------------------------------------


def test_errors_come_back_with_the_choices_kept(client, login, make, league, parent, kids):
    """Does a refused form come back (422) with its message and every choice still made?"""
    travel = make.plan(
        league,
        "Travel team",
        agreement_title="Code of conduct",
        agreement_text="Be kind.",
        agreement_version=1,
    )
    login(parent)
    response = client.post(
        "/l/riverside/register",
        data={f"plan-{kids[0].id}": str(travel.id), f"plan-{kids[1].id}": "none", "nonce": "x"},
    )
    assert response.status_code == 422
    page = response.text
    assert "Please accept “Code of conduct”" in page
    assert _checked(page, f"plan-{kids[0].id}") == str(travel.id)
    assert _checked(page, f"plan-{kids[1].id}") == "none"
    assert "Be kind." in page  # the agreement to accept is on the page again


def test_odd_numbers_in_the_form_are_refused_with_a_message(client, login, league, parent, kids):
    """Is a plan or agreement that is not a plain id ("²", a huge number) refused, not a crash?"""
    login(parent)
    form = {f"plan-{kids[0].id}": "²", "agree": ["²", "9" * 30], "nonce": "x"}
    response = client.post("/l/riverside/register", data=form)
    assert response.status_code == 422 and "The plan chosen for Mia is not offered" in response.text


def test_nothing_chosen_is_refused_with_a_message(client, login, league, parent, kids, plan):
    """Is a form with nothing chosen refused with a message?"""
    login(parent)
    response = client.post("/l/riverside/register", data={"nonce": "x"})
    assert response.status_code == 422 and "Choose at least one player and a plan." in response.text


def test_the_no_script_update_button_redraws_without_ordering(
    client, login, league, parent, kids, plan
):
    """Without JavaScript, does "Update my order" show the total and create no order?"""
    login(parent)
    response = client.post(
        "/l/riverside/register",
        data={f"plan-{kids[0].id}": str(plan.id), "update": "1", "nonce": "x"},
    )
    assert response.status_code == 200 and "$120.00" in response.text
    with unscoped():
        assert db.session.query(Order).count() == 0
