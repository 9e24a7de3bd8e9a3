"""The family's pages after the checkout: the done page in every order state, the
cancelled page, and "My memberships" with its renew button."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.cards import services as card_services
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, TermKind
from portal.payments import fulfilment
from portal.payments.gateway import get_gateway
from portal.payments.models import Order, OrderStatus
from portal.players.services import today_in
from tests.memberships.family.conftest import DASH
from tests.payments.conftest import place, reload


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


def test_a_term_that_starts_later_reads_paid_on_the_done_page_and_receipt(
    client, login, make, league, parent, kids, held_events, outbox
):
    """Next season paid now: do the done page and the receipt say "Paid · starts <day>"
    ("starts <day>" in the mail), as My memberships does, and not "Active"?"""
    starts = today_in(league) + timedelta(days=100)
    ends = starts + timedelta(days=90)
    season = make.plan(league, "Next season", season_start=starts, season_end=ends)
    order = _order_in("paid", league, parent, kids, season)
    login(parent)
    page = client.get(f"/l/riverside/register/done/{order.id}").text
    assert page.count(f"Paid · starts {starts.day} {starts:%b %Y}") == 2
    assert "mstatus-active" not in page and "mstatus-upcoming" in page
    (receipt,) = [m for m in outbox() if "Payment received" in m["Subject"]]
    body = receipt.get_content()
    assert body.count(f": Paid, starts {starts:%d %b %Y}, ends {ends:%d %b %Y}\n") == 2
    assert "Active" not in body


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
    """Are a suspension (with its reason) and the ended terms shown, and a checkout
    abandoned before paying not listed as a membership that ended?"""
    monthly = _monthly(make, league)
    today = today_in(league)
    paid = {"activated_at": datetime(2025, 1, 1, tzinfo=UTC)}
    _term(kids[0], monthly, date(2025, 1, 1), date(2025, 1, 31), MembershipStatus.EXPIRED, **paid)
    _term(kids[0], monthly, None, None, MembershipStatus.CANCELLED)  # never paid
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


def test_a_renewal_already_paid_reads_as_its_own_line(client, login, make, league, parent, kids):
    """Renewed early: does the renewal read "Renewed: <start> to <end>" under the term
    running now, with the next renewal counted from the renewal's end?"""
    monthly = _monthly(make, league, window=7)
    today = today_in(league)
    ends = today + timedelta(days=3)
    _term(kids[0], monthly, today - timedelta(days=27), ends)
    later = _term(kids[0], monthly, ends + timedelta(days=1), ends + timedelta(days=31))
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    card = _card_of(page, "Mia Kim")
    assert (
        card.count("Program for Monthly: Monthly") == 1 and card.count('<li class="term-block') == 1
    )
    renewed = f"<dt>Renewed</dt><dd>{_day(later.starts_on)} {DASH} {_day(later.ends_on)}"
    assert renewed in card and "Starts in 4 days" in card
    assert "Renew Mia" not in card
    opens = later.ends_on - timedelta(days=7)
    assert f"Renewal opens on {_day(opens)}" in card


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _card_of(page: str, name: str) -> str:
    """One player's card on "My memberships"."""
    cards = page.split('<li class="panel term-card')[1:]
    (card,) = [c.split("\n  </li>\n")[0] for c in cards if f"<h2>{name}</h2>" in c]
    return card


def _status_of(card: str) -> str:
    """The player's status line, as text."""
    line = card.split('<p class="term-status">', 1)[1].split("</p>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", line).split())


def test_the_badge_follows_the_term_running_today(client, login, make, league, parent, kids):
    """Mia plays futsal now, renewed it, and has a camp next summer: does her badge say
    "Active until" the end of today's term (not "Paid · starts" the camp), with each
    plan's terms in a box of their own?"""
    monthly = _monthly(make, league, window=7)
    today = today_in(league)
    now = _term(kids[0], monthly, today - timedelta(days=10), today + timedelta(days=20))
    _term(kids[0], monthly, today + timedelta(days=21), today + timedelta(days=51))
    camp_starts = today + timedelta(days=200)
    camp = make.plan(
        league, "Day camp", season_start=camp_starts, season_end=camp_starts + timedelta(days=4)
    )
    _term(kids[0], camp, camp.season_start, camp.season_end)
    login(parent)
    card = _card_of(client.get("/l/riverside/memberships/").text, "Mia Kim")
    assert _status_of(card) == f"Active until {_day(now.ends_on)}"
    assert "term-card-active" in card and "Paid · starts" not in _status_of(card)
    assert card.count('<li class="term-block') == 2 and card.count("<dt>Renewed</dt>") == 1
    assert card.index("Program for Monthly: Monthly") < card.index("Program for Day camp")
    assert 'class="term-block term-block-upcoming"' in card  # the camp, not begun


def test_only_terms_to_come_show_when_they_start(client, login, make, league, parent, kids):
    """Nothing running today: does the badge name the soonest term to start?"""
    today = today_in(league)
    soon, later = today + timedelta(days=30), today + timedelta(days=200)
    season = make.plan(league, "Spring", season_start=soon, season_end=soon + timedelta(days=90))
    camp = make.plan(league, "Camp", season_start=later, season_end=later + timedelta(days=4))
    _term(kids[0], camp, camp.season_start, camp.season_end)
    _term(kids[0], season, season.season_start, season.season_end)
    login(parent)
    card = _card_of(client.get("/l/riverside/memberships/").text, "Mia Kim")
    assert _status_of(card) == f"Paid · starts {_day(soon)}"
    assert "term-card-upcoming" in card


def test_a_seasons_term_offers_no_renewal(client, login, make, league, parent, kids):
    """A fixed season ends: is no renewal offered for it (next season is a plan of its
    own), while a rolling plan in its window still offers one?"""
    today = today_in(league)
    camp = make.plan(
        league,
        "Day camp",
        season_start=today + timedelta(days=2),
        season_end=today + timedelta(days=6),
        renewal_window_days=30,
    )
    _term(kids[0], camp, camp.season_start, camp.season_end)
    monthly = _monthly(make, league, window=7)
    _term(kids[1], monthly, today - timedelta(days=25), today + timedelta(days=5))
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    mia, leo = _card_of(page, "Mia Kim"), _card_of(page, "Leo Kim")
    assert "Renew" not in mia and "next season" not in mia
    assert "Renew Leo" in leo and f"plan-{kids[1].id}={monthly.id}" in leo


def test_the_card_button_shows_only_with_a_current_term(
    client, login, make, league, parent, kids, plan
):
    """Is "Show player card" offered only to a player with a current term and a card,
    after their terms; not to a refunded one, whose card no longer reads as valid?"""
    _term(kids[0], plan, date(2026, 3, 1), date(2027, 2, 28))
    refunded = MembershipStatus.REFUNDED
    paid = {"activated_at": datetime(2026, 3, 1, tzinfo=UTC)}
    _term(kids[1], plan, date(2026, 3, 1), date(2027, 2, 28), refunded, **paid)
    with league_scope(league.id):
        for kid in kids:
            card_services.issue(db.session.get(type(kid), kid.id))
        db.session.commit()
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    mia, leo = _card_of(page, "Mia Kim"), _card_of(page, "Leo Kim")
    assert "Show Mia's player card" in mia
    assert mia.index("Program for Spring season") < mia.index("Show Mia's player card")
    assert "Show Leo's player card" not in leo
    assert "Leo has no membership right now." in leo and "Ended memberships (1)" in leo


def test_a_payment_on_its_way_is_shown(client, login, league, parent, kids, plan, held_events):
    """Is a bank debit still on its way shown, with a link to the payment?"""
    order = _order_in("processing", league, parent, kids, plan)
    login(parent)
    page = client.get("/l/riverside/memberships/").text
    assert "Payment on its way" in page and "Mia and Leo" in page
    assert f"/l/riverside/register/done/{order.id}" in page
