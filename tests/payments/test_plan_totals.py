"""The totals of the league's payments list under a plan filter: only that plan's lines
count, an order that also paid for other plans has its payment and refunds shared out
between its lines by amount (whole cents that add up), and a note says so."""

from __future__ import annotations

import random

from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.payments import checkout, refunds
from portal.payments.checkout import Selection
from portal.payments.gateway import get_gateway
from portal.payments.models import OrderStatus
from portal.payments.totals import share
from portal.players.services import today_in
from tests.payments.conftest import reload
from tests.payments.helpers import paid_order, results

NOTE = "1 order also includes other plans"


def mixed_order(league, parent, selections, nonce):
    """One checkout for several players on different plans, paid at the test checkout."""
    with league_scope(league.id):
        order = checkout.place_order(
            league,
            parent,
            [Selection(kid, plan) for kid, plan in selections],
            nonce=nonce,
            accepted=set(),
            today=today_in(league),
        )
        db.session.commit()
        checkout.open_session(order)
        db.session.commit()
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    paid = reload(order)
    assert paid.status == OrderStatus.PAID
    return paid


def totals_shown(client, query: str = "") -> list[str]:
    page = results(client.get(f"/l/riverside/payments/?{query}"))
    if '<dl class="pay-totals">' not in page:
        return []
    summary = page.split('<dl class="pay-totals">', 1)[1].split("</dl>", 1)[0]
    return [part.split("</dd>", 1)[0] for part in summary.split("<dd>")[1:]]


def test_a_plan_filter_counts_only_that_plans_lines(signed_in, make, league, parent, kids, plan):
    """Under "Day camp", does a season+camp order add only its camp line, its refund
    shared out by amount, and does the page say so?"""
    camp = make.plan(league, "Day camp", price_minor=18000)
    ava = make.ready_profile(league, parent, "Ava")
    mixed = mixed_order(league, parent, [(kids[0], plan), (kids[1], camp)], "mix-1")
    paid_order(league, parent, [ava], camp, nonce="camp-1")  # camp alone: $180
    with league_scope(league.id):
        refunds.refund(reload(mixed), 1001, None, "Missed a week")  # $10.01 of $300
        db.session.commit()

    # $10.01 split $120 : $180 is $4.004 and $6.006: the odd cent goes to the camp line,
    # which lost more by rounding down, so the two plans' refunds add up to $10.01.
    assert totals_shown(signed_in, f"plan={camp.id}") == ["2", "$360.00", "$6.01", "$353.99"]
    assert totals_shown(signed_in, f"plan={plan.id}") == ["1", "$120.00", "$4.00", "$116.00"]
    # Without a plan filter, whole orders as before: $300 + $180 paid, $10.01 refunded.
    assert totals_shown(signed_in) == ["2", "$480.00", "$10.01", "$469.99"]

    filtered = results(signed_in.get(f"/l/riverside/payments/?plan={camp.id}"))
    assert NOTE in filtered and "shared out between the plans by amount" in filtered
    assert NOTE not in results(signed_in.get("/l/riverside/payments/"))
    # The rows still show whole orders: the mixed one with its full $300.
    assert f"Order {mixed.id}<" in filtered and "$300.00" in filtered


def test_a_plan_whose_orders_are_all_its_own_has_no_note(
    signed_in, make, league, parent, kids, plan
):
    """Orders of one plan only count whole, with no note; other filters still apply."""
    camp = make.plan(league, "Day camp", price_minor=18000)
    paid_order(league, parent, kids[:1], plan, nonce="season-1")
    paid_order(league, parent, kids[1:], camp, nonce="camp-1")
    page = results(signed_in.get(f"/l/riverside/payments/?plan={camp.id}"))
    assert "includes other plans" not in page and "include other plans" not in page
    assert totals_shown(signed_in, f"plan={camp.id}") == ["1", "$180.00", "$0.00", "$180.00"]
    assert totals_shown(signed_in, f"plan={camp.id}&status=open") == []  # no orders: no totals


def test_several_mixed_orders_are_summed_line_by_line(signed_in, make, league, parent, kids):
    """Two mixed orders, each with a discount-free payment: each adds its camp lines."""
    season = make.plan(league, "Season", price_minor=14000)
    camp = make.plan(league, "Day camp", price_minor=18000)
    ava, noah = (make.ready_profile(league, parent, name) for name in ("Ava", "Noah"))
    mixed_order(league, parent, [(kids[0], season), (kids[1], camp)], "mix-1")
    mixed_order(league, parent, [(ava, camp), (noah, season)], "mix-2")
    assert totals_shown(signed_in, f"plan={camp.id}") == ["2", "$360.00", "$0.00", "$360.00"]
    page = results(signed_in.get(f"/l/riverside/payments/?plan={camp.id}"))
    assert "2 orders also include other plans" in page


def test_shares_are_whole_units_that_add_up():
    """Is every split whole minor units, in proportion, adding up to the amount?"""
    assert share(1001, [12000, 18000]) == [400, 601]
    assert share(100, [1, 1, 1]) == [34, 33, 33]  # a tie: the earlier line first
    assert share(5, [0, 0]) == [3, 2]  # free lines: evenly
    assert share(0, [14000, 18000]) == [0, 0]
    assert share(700, [0, 7000]) == [0, 700]
    assert share(50, []) == []
    rng = random.Random(4)
    for _ in range(500):
        weights = [rng.randrange(0, 50000) for _ in range(rng.randrange(1, 6))]
        amount = rng.randrange(0, 200000)
        parts = share(amount, weights)
        assert sum(parts) == amount and all(part >= 0 for part in parts)
        whole = sum(weights) or len(weights)
        for part, weight in zip(parts, weights or [], strict=True):
            exact = amount * (weight if sum(weights) else 1) / whole
            assert abs(part - exact) < 1
