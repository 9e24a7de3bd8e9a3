"""The family's pages: registering with a live summary, coming back from the checkout in
every order state, and "My memberships" with its renew button."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, TermKind
from portal.payments import fulfilment, testmode
from portal.payments.gateway import get_gateway
from portal.payments.models import Order, OrderStatus
from portal.players.services import today_in
from tests.payments.conftest import place, reload

DASH = "\u2013"  # between the first and last day of a term


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", timezone="America/Chicago")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def kids(make, league, parent):
    return [make.ready_profile(league, parent, "Mia"), make.ready_profile(league, parent, "Leo")]


@pytest.fixture
def plan(make, league):
    return make.plan(league, "Spring season", price_minor=12000)


@pytest.fixture
def held_events(monkeypatch):
    """The test checkout's events are kept back: only the pages' own sync confirms."""
    held: list[str] = []
    monkeypatch.setattr(testmode, "deliver_test_event", held.append)
    return held


def _checked(page: str, name: str) -> str | None:
    """The value of the checked radio `name` on a page."""
    for tag in re.findall(rf'<input type="radio" name="{name}"[^>]*>', page):
        if " checked" in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    return None


def _order_in(state: str, league, parent, kids, plan) -> Order:
    """An order taken to `state` through the test gateway and the fulfilment path."""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        gateway = get_gateway()
        if state in ("paid", "processing", "failed"):
            gateway.complete(order.session_id, "paid" if state == "paid" else "later")
        if state == "failed":
            gateway.settle(order.session_id, succeeded=False)
        if state == "expired":
            gateway.expire_session(order.session_id)
        db.session.commit()
        order = reload(order)
        if state != "open":
            fulfilment.sync_order(order)
        if state in ("refunded", "needs_attention"):
            order.status = OrderStatus(state)
            order.refunded_minor = order.amount_minor if state == "refunded" else 0
        db.session.commit()
    return reload(order)


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
    assert "Nothing is open to Mia right now" in page and "Open Mia's profile" in page


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


# -- back from the checkout ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (
            "paid",
            ["You're registered", "Active", f"1 Mar 2026 {DASH} 28 Feb 2027", "See my memberships"],
        ),
        ("processing", ["Payment on its way", "Test checkout: decide what the bank does"]),
        ("open", ["Not paid yet", "Return to payment"]),
        ("failed", ["The payment did not go through", "Try again", "Nothing was taken"]),
        ("expired", ["This checkout was not completed", "Try again"]),
        ("refunded", ["Refunded", "$240.00"]),
        ("needs_attention", ["We're checking this payment"]),
    ],
)
def test_the_done_page_in_every_order_state(
    client, login, league, parent, kids, plan, held_events, state, words
):
    """Does the page after the checkout say plainly what happened, and what to do next?"""
    order = _order_in(state, league, parent, kids, plan)
    assert order.status.value == state
    login(parent)
    page = client.get(f"/l/riverside/register/done/{order.id}").text
    for word in words:
        assert word in page, word
    assert "Mia Kim" in page and "Leo Kim" in page


def test_the_done_page_confirms_before_the_webhook(
    client, login, league, parent, kids, plan, held_events
):
    """Paid at the checkout with the event still on its way: is the family registered at once?"""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    assert len(held_events) == 1 and reload(order).status == OrderStatus.OPEN
    login(parent)
    page = client.get(f"/l/riverside/register/done/{order.id}").text
    assert "You're registered" in page and page.count("Active") >= 2
    assert reload(order).status == OrderStatus.PAID


def test_the_cancelled_page_offers_the_way_back(client, login, league, parent, kids, plan):
    """Does the cancelled page say nothing was taken and offer the way back to the payment?"""
    order = place(league, parent, kids, plan)
    login(parent)
    page = client.get(f"/l/riverside/register/cancelled/{order.id}").text
    assert "No payment was taken" in page and order.session_url in page
    assert "Change what I'm paying for" in page and "$240.00" in page


def test_another_familys_order_is_not_found(client, login, make, league, parent, kids, plan):
    """Is another family's order not found on the done and cancelled pages?"""
    order = place(league, parent, kids, plan)
    login(make.user())
    assert client.get(f"/l/riverside/register/done/{order.id}").status_code == 404
    assert client.get(f"/l/riverside/register/cancelled/{order.id}").status_code == 404


# -- my memberships ---------------------------------------------------------------------------


def _term(kid, plan, starts, ends, status=MembershipStatus.ACTIVE, **fields) -> Membership:
    with league_scope(kid.league_id):
        membership = Membership(
            profile_id=kid.id,
            plan_id=plan.id,
            status=status,
            starts_on=starts,
            ends_on=ends,
            **fields,
        )
        db.session.add(membership)
        db.session.commit()
    return membership


def _monthly(make, league, window=7):
    return make.plan(
        league,
        "Monthly",
        price_minor=2500,
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.MONTHS,
        renewal_window_days=window,
    )


def test_my_memberships_shows_each_players_term(client, login, league, parent, kids, plan):
    """Does each player show their term's status, plan and dates, or a way to register?"""
    _term(kids[0], plan, date(2026, 3, 1), date(2027, 2, 28))
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert "mstatus-active" in page and "Active" in page
    assert "Program for Spring season: Spring season" in page
    assert f"1 Mar 2026 {DASH} 28 Feb 2027" in page
    assert "Not registered" in page and "Register Leo" in page


def test_a_paid_term_that_starts_later_says_so(client, login, make, league, parent, kids):
    """Does a paid term that has not started read "Paid · starts <day>", not "Active"?"""
    monthly = _monthly(make, league)
    starts = today_in(league) + timedelta(days=10)
    _term(kids[0], monthly, starts, starts + timedelta(days=30))
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert f"Paid · starts {starts.day} {starts:%b %Y}" in page
    assert "mstatus-upcoming" in page and "mstatus-active" not in page


def test_the_renew_button_shows_in_the_window(client, login, make, league, parent, kids):
    """Is there a Renew button (plan chosen) in the window, and the opening day before it?"""
    monthly = _monthly(make, league, window=7)
    today = today_in(league)
    _term(kids[0], monthly, today - timedelta(days=25), today + timedelta(days=5))
    _term(kids[1], monthly, today - timedelta(days=5), today + timedelta(days=25))
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert "Renew Mia" in page and f"plan-{kids[0].id}={monthly.id}" in page
    assert "Renew Leo" not in page
    opens = today + timedelta(days=18)
    assert f"Renewal opens on {opens.day} {opens:%b %Y}" in page


def test_history_and_suspension_are_shown(client, login, make, league, parent, kids, plan):
    """Are a suspension (with its reason) and the ended terms shown?"""
    monthly = _monthly(make, league)
    today = today_in(league)
    _term(kids[0], monthly, date(2025, 1, 1), date(2025, 1, 31), MembershipStatus.EXPIRED)
    _term(
        kids[0],
        plan,
        date(2026, 3, 1),
        date(2027, 2, 28),
        MembershipStatus.SUSPENDED,
        suspension_reason="Red card",
        suspended_until=today + timedelta(days=3),
    )
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert "Suspended" in page and "Red card" in page
    assert "Ended memberships (1)" in page and f"1 Jan 2025 {DASH} 31 Jan 2025" in page


def test_a_renewal_already_paid_shows_both_terms_and_no_renew_button(
    client, login, make, league, parent, kids
):
    """Renewed early: do both terms show, with nothing left to renew?"""
    monthly = _monthly(make, league, window=7)
    today = today_in(league)
    ends = today + timedelta(days=3)
    _term(kids[0], monthly, today - timedelta(days=27), ends)
    _term(kids[0], monthly, ends + timedelta(days=1), ends + timedelta(days=31))
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert page.count("Program for Monthly: Monthly") == 2 and "Starts" in page
    assert "Renew Mia" not in page


def test_a_payment_on_its_way_is_shown(client, login, league, parent, kids, plan, held_events):
    """Is a bank debit still on its way shown, with a link to the payment?"""
    order = _order_in("processing", league, parent, kids, plan)
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert "Payment on its way" in page and "Mia and Leo" in page
    assert f"/l/riverside/register/done/{order.id}" in page
