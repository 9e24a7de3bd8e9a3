"""Starting a checkout: who may pay for what, at whose price, and only once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import lifecycle
from portal.memberships.models import (
    AgreementAcceptance,
    DurationUnit,
    Membership,
    MembershipStatus,
    TermKind,
)
from portal.payments.gateway import get_gateway
from portal.payments.models import GatewayObject, Order, OrderStatus
from portal.players.services import today_in
from tests.payments.conftest import place, reload


def _orders() -> list[Order]:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(Order).order_by(Order.id)).all()


def _form(kids, plan, nonce="nonce-1", **extra) -> dict:
    data = {f"plan-{kid.id}": str(plan.id) for kid in kids}
    data.update(nonce=nonce, **extra)
    return data


def test_a_family_pays_for_two_players_in_one_checkout(client, login, league, parent, kids, plan):
    """One order, one line per player at our price, and a redirect to the checkout."""
    login(parent)
    response = client.post("/l/riverside/register", data=_form(kids, plan))
    assert response.status_code == 303
    (order,) = _orders()
    assert response.headers["Location"] == order.session_url
    assert (order.amount_minor, order.currency, order.status) == (24000, "usd", OrderStatus.OPEN)
    with unscoped():
        assert sorted((line.amount_minor, line.profile_id) for line in order.lines) == sorted(
            [(12000, kids[0].id), (12000, kids[1].id)]
        )
        session = db.session.get(GatewayObject, order.session_id).data
    assert session["amount_total"] == 24000
    assert session["metadata"] == {"order_id": str(order.id), "league_id": str(league.id)}


def test_the_price_never_comes_from_the_browser(client, login, league, parent, kids, plan):
    login(parent)
    client.post(
        "/l/riverside/register",
        data=_form(kids, plan, amount="1", price_minor="1", amount_minor="1"),
    )
    assert _orders()[0].amount_minor == 24000


def test_a_double_click_makes_one_order_and_one_checkout(client, login, league, parent, kids, plan):
    """Do two posts of the same form (same nonce) give the same order and checkout?"""
    login(parent)
    first = client.post("/l/riverside/register", data=_form(kids, plan))
    second = client.post("/l/riverside/register", data=_form(kids, plan))
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_orders()) == 1
    with unscoped():
        sessions = db.session.scalars(
            select(GatewayObject).where(GatewayObject.kind == "checkout.session")
        ).all()
    assert len(sessions) == 1


def test_starting_again_ends_the_unpaid_checkout(client, login, league, parent, kids, plan):
    """A new checkout for the same player ends the old one at the gateway too (no double pay)."""
    login(parent)
    client.post("/l/riverside/register", data=_form(kids[:1], plan, nonce="a"))
    client.post("/l/riverside/register", data=_form(kids[:1], plan, nonce="b"))
    old, new = _orders()
    assert (old.status, new.status) == (OrderStatus.EXPIRED, OrderStatus.OPEN)
    with league_scope(league.id):
        assert get_gateway().get_session(old.session_id).status == "expired"
    with unscoped():
        assert db.session.get(Membership, old.lines[0].membership_id).status == (
            MembershipStatus.CANCELLED
        )


def test_someone_elses_player_is_refused(client, login, make, league, kids, plan):
    stranger = make.user()
    login(stranger)
    response = client.post("/l/riverside/register", data=_form(kids, plan))
    assert response.status_code == 422
    assert "only pay for players on your own account" in response.text
    assert _orders() == []


def test_a_plan_of_another_league_is_refused(client, login, make, league, parent, kids):
    other_plan = make.plan(make.league("elsewhere"), "Their season")
    login(parent)
    response = client.post("/l/riverside/register", data=_form(kids[:1], other_plan))
    assert response.status_code == 422 and "not offered here" in response.text
    assert _orders() == []


def test_a_full_plan_is_refused(client, login, make, league, parent, kids):
    plan = make.plan(league, "Small squad", capacity=1)
    other_family = make.user()
    taken = make.ready_profile(league, other_family, "Zed")
    place(league, other_family, [taken], plan)  # holds the one place while it is paid
    login(parent)
    response = client.post("/l/riverside/register", data=_form(kids[:1], plan))
    assert response.status_code == 422 and "This plan is full." in response.text


def test_a_payment_still_clearing_keeps_its_place_after_the_hold(make, league, parent, kids):
    """Does a bank debit still clearing hold its place past the hour an unpaid one gets?"""
    from portal.core.db import utcnow
    from portal.memberships.eligibility import HOLD, is_full

    plan = make.plan(league, "Small squad", capacity=1)
    order = place(league, parent, kids[:1], plan)
    today = today_in(league)
    with league_scope(league.id):
        (membership,) = db.session.scalars(select(Membership)).all()
        membership.created_at = utcnow() - HOLD - timedelta(minutes=5)
        db.session.commit()
        assert not is_full(plan, today)  # an unpaid checkout past its hour frees the place
        reload(order).status = OrderStatus.PROCESSING
        db.session.commit()
        assert is_full(plan, today)  # a payment on its way keeps it


def test_ineligible_players_are_told_why(client, login, make, league, parent, kids):
    """Wrong age group, outside the birth-date range, missing profile fields: all named."""
    u8 = make.age_group(league, "U8", max_age=7)
    plan = make.plan(league, "Mini kickers", age_group_ids=[u8.id], born_to=date(2012, 1, 1))
    bare = make.profile(league, parent, first_name="Ned", phone="")
    login(parent)
    response = client.post("/l/riverside/register", data=_form([kids[0], bare], plan))
    text = response.text
    assert response.status_code == 422
    assert "this plan is for U8" in text and "born on or before 01 Jan 2012" in text
    assert "Ned&#39;s profile needs: phone, photo, proof of age." in text
    assert _orders() == []


def test_the_register_page_shows_problems_before_paying(client, login, make, league, parent, kids):
    make.plan(league, "Adults", born_to=date(2000, 1, 1))
    login(parent)
    page = client.get("/l/riverside/register").text
    assert "Adults" in page and "born on or before 01 Jan 2000" in page


def test_an_agreement_must_be_accepted_and_is_recorded(client, login, make, league, parent, kids):
    plan = make.plan(
        league,
        "Travel team",
        agreement_title="Code of conduct",
        agreement_text="Be kind.",
        agreement_version=3,
    )
    login(parent)
    refused = client.post("/l/riverside/register", data=_form(kids[:1], plan))
    assert refused.status_code == 422 and "Code of conduct" in refused.text
    accepted = client.post(
        "/l/riverside/register", data=_form(kids[:1], plan, nonce="n2", agree=str(plan.id))
    )
    assert accepted.status_code == 303
    with unscoped():
        (record,) = db.session.scalars(select(AgreementAcceptance)).all()
    assert (record.version, record.profile_id, record.user_id) == (3, kids[0].id, parent.id)


def test_already_registered_for_the_season(client, login, league, parent, kids, plan, held_events):
    order = place(league, parent, kids[:1], plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
        from portal.payments import fulfilment

        fulfilment.sync_order(reload(order))
        db.session.commit()
    login(parent)
    response = client.post("/l/riverside/register", data=_form(kids[:1], plan, nonce="again"))
    assert "already registered for this season" in response.text


@pytest.mark.parametrize(
    ("start", "amount", "unit", "end"),
    [
        (date(2026, 1, 31), 1, DurationUnit.MONTHS, date(2026, 2, 28)),
        (date(2028, 1, 30), 1, DurationUnit.MONTHS, date(2028, 2, 29)),
        (date(2026, 1, 28), 1, DurationUnit.MONTHS, date(2026, 2, 27)),
        (date(2026, 3, 1), 1, DurationUnit.MONTHS, date(2026, 3, 31)),
        (date(2026, 3, 1), 1, DurationUnit.YEARS, date(2027, 2, 28)),
        (date(2028, 2, 29), 1, DurationUnit.YEARS, date(2029, 2, 28)),
        (date(2026, 3, 1), 2, DurationUnit.WEEKS, date(2026, 3, 14)),
        (date(2026, 3, 1), 10, DurationUnit.DAYS, date(2026, 3, 10)),
    ],
)
def test_term_lengths(start, amount, unit, end):
    assert lifecycle.add_duration(start, amount, unit) == end


def test_renewal_extends_from_the_current_end(make, league, parent, kids):
    """Paying for the next term while the current one runs: no day is lost."""
    plan = make.plan(
        league,
        "Monthly",
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.MONTHS,
        renewal_window_days=7,
    )
    today = date.today()
    with league_scope(league.id):
        current = Membership(
            profile_id=kids[0].id,
            plan_id=plan.id,
            status=MembershipStatus.ACTIVE,
            starts_on=today - timedelta(days=25),
            ends_on=today + timedelta(days=5),
        )
        db.session.add(current)
        db.session.commit()
        starts, ends = lifecycle.term_dates(plan, kids[0].id, today)
    assert starts == today + timedelta(days=6)
    assert ends == lifecycle.add_duration(starts, 1, DurationUnit.MONTHS)


def test_renewal_waits_for_its_window(client, login, make, league, parent, kids):
    plan = make.plan(
        league,
        "Yearly",
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.YEARS,
        renewal_window_days=30,
    )
    with league_scope(league.id):
        db.session.add(
            Membership(
                profile_id=kids[0].id,
                plan_id=plan.id,
                status=MembershipStatus.ACTIVE,
                starts_on=date.today(),
                ends_on=date.today() + timedelta(days=200),
            )
        )
        db.session.commit()
    login(parent)
    response = client.post("/l/riverside/register", data=_form(kids[:1], plan))
    assert "renewal opens on" in response.text


def test_an_active_membership_opens_the_profile_lock_in_its_window(make, league, parent):
    """Does the players' lock read the membership's end and the plan's renewal window?"""
    from portal.players import services
    from portal.players.models import ProfileStatus

    kid = make.ready_profile(league, parent, "Ivy", status=ProfileStatus.VERIFIED)
    plan = make.plan(
        league,
        "Yearly",
        term=TermKind.ROLLING,
        duration=1,
        duration_unit=DurationUnit.YEARS,
        renewal_window_days=30,
    )
    with league_scope(league.id):
        db.session.add(
            Membership(
                profile_id=kid.id,
                plan_id=plan.id,
                status=MembershipStatus.ACTIVE,
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )
        )
        db.session.commit()
        assert services.is_locked(reload_profile(kid), date(2026, 11, 30))
        assert not services.is_locked(reload_profile(kid), date(2026, 12, 1))


def reload_profile(profile):
    from portal.players.models import PlayerProfile

    db.session.expire_all()
    return db.session.get(PlayerProfile, profile.id)


def test_a_family_cannot_take_more_places_than_are_left(client, login, make, league, parent, kids):
    """Two children, one place left: is the checkout refused before anyone pays?"""
    plan = make.plan(league, "Last spot", capacity=1)
    login(parent)
    response = client.post("/l/riverside/register", data=_form(kids, plan))
    assert response.status_code == 422
    assert "Last spot has 1 place left, for 2 players." in response.text
    assert _orders() == []
