"""Every outcome an admin reads is a sentence: the events on an order's page and on the
platform admin's pages, and the messages after accept, refund, close and "check
again" (the stored codes themselves stay as they are)."""

from __future__ import annotations

import html
import re

import pytest

from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.payments import outcomes, refunds
from portal.payments.models import OrderStatus
from tests.payments.conftest import reload, stored_events
from tests.payments.helpers import flagged_order, paid_order

# Every code processing or a settling action returns (fulfilment, attention, events).
CODES = [
    *outcomes.SENTENCES,
    *(f"already {status.value}" for status in OrderStatus),
    *(f"dispute lost, {code}" for code in ("refunded", "refund recorded", "already refunded")),
    "dispute already won",
    "dispute already lost",
    "dispute needs_response",
    "dispute warning_under_review",
    "dispute open",
    "ignored: no order of ours has this checkout session",
    "ignored: no order of ours has this payment",
    "ignored: the gateway does not know this dispute",
    "ignored: charge.succeeded is not used",
    "something_new",
]
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b")  # partially_refunded, needs_attention, ...


@pytest.mark.parametrize("code", CODES)
def test_each_outcome_code_reads_as_a_sentence(code):
    """Does each code become a capitalised sentence with no raw status in it?"""
    text = outcomes.describe(code)
    assert text[0].isupper() and text.endswith(".") and text != code
    assert not RAW.search(text.replace("charge.succeeded", "")), text


def test_order_statuses_and_empty_codes():
    assert outcomes.describe("already partially_refunded") == (
        "Nothing to do: the order was already “Partly refunded”."
    )
    assert outcomes.status_label("needs_attention") == "Needs attention"
    assert outcomes.status_label("somewhere_else") == "Somewhere else"
    assert outcomes.describe("") == "" and outcomes.describe(None) == ""


def test_the_order_page_shows_its_events_outcomes_in_words(signed_in, league, parent, kids, plan):
    """After a partial refund (whose charge.refunded event then finds the order already
    partly refunded), does the order's page say so in words, never the raw code?"""
    paid = paid_order(league, parent, kids, plan)
    with league_scope(league.id):
        refunds.refund(reload(paid), 1000, None, "Missed two weeks")
        db.session.commit()
    assert "already partially_refunded" in {event.outcome for event in stored_events()}
    page = signed_in.get(f"/l/riverside/payments/{paid.id}").get_data(as_text=True)
    events = page.split('id="events-title"', 1)[1]
    assert "Nothing to do: the order was already “Partly refunded”." in events
    assert "Payment received: the order is paid and its memberships are active." in events
    assert "partially_refunded" not in events.replace("pay-status-partially_refunded", "")
    assert ">paid<" not in events.replace("</span>", "<")


def test_the_platform_pages_show_outcomes_in_words(client, login, make, league, parent, kids, plan):
    """Do the events list and an event's page show the outcome as a sentence?"""
    paid = paid_order(league, parent, kids, plan)
    with league_scope(league.id):
        refunds.refund(reload(paid), 1000, None, "Missed two weeks")
        db.session.commit()
    login(make.user("root@example.com", name="Root", platform_admin=True))
    listed = client.get("/admin/payments/events").get_data(as_text=True)
    assert "Nothing to do: the order was already “Partly refunded”." in listed
    assert "already partially_refunded" not in listed
    (refunded,) = [e for e in stored_events() if e.type == "charge.refunded"]
    page = client.get(f"/admin/payments/events/{refunded.id}").get_data(as_text=True)
    assert "<dd>Nothing to do: the order was already “Partly refunded”.</dd>" in page


def _flash(client, response) -> str:
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    flashes = page.split('id="flashes"', 1)[1].split("<main", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", flashes.split(">", 1)[1]))


def test_accept_refund_close_and_check_again_answer_in_sentences(
    signed_in, league, parent, kids, plan
):
    """Do the settling actions and "Check again" answer in words, a second click
    included (its outcome "already paid" shown as a sentence)?"""
    order = flagged_order(league, parent, kids, plan)
    base = f"/l/riverside/payments/{order.id}"
    messages = [
        _flash(signed_in, signed_in.post(f"{base}/accept")),
        _flash(signed_in, signed_in.post(f"{base}/accept")),
        _flash(signed_in, signed_in.post(f"{base}/close")),
        _flash(signed_in, signed_in.post(f"{base}/recheck")),
    ]
    assert "Payment accepted: the players' memberships are active." in messages[0]
    assert "Nothing to do: the order is already “Paid”." in messages[1]
    assert "Nothing to do: the order is already “Paid”." in messages[2]
    assert "Checked with the test checkout: nothing has changed (Paid)." in messages[3]
    for message in messages:
        assert not RAW.search(message), message
