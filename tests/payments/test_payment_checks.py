"""The league's payments page always shows a small "Checks with the payment service"
section: when reconciliation last ran, what it changed (in the right words: an
abandoned checkout is not "completed"), and what waits for more than an hour, or
"Nothing waiting"."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from portal.core.db import utcnow
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.payments import fulfilment, reconciliation
from portal.payments.gateway import get_gateway
from tests.payments.conftest import place
from tests.payments.helpers import set_created


def checks(client) -> str:
    page = client.get("/l/riverside/payments/").get_data(as_text=True)
    assert page.count('id="checks-title"') == 1
    return page.split('id="checks-title"', 1)[1].split("</section>", 1)[0]


def test_before_any_run_and_with_nothing_waiting(signed_in, league):
    """With no run yet and no order waiting, does the section say both plainly?"""
    page = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    assert '<section class="pay-checks"' in page  # quiet: nothing needs a look
    section = checks(signed_in)
    assert "No check has run yet: one runs every 30 minutes." in section
    assert "Nothing waiting" in section
    assert "Waiting for more than an hour" not in section


def test_a_run_that_found_nothing(signed_in, league, parent, kids, plan, held_events):
    """After a run that changed nothing, does it say when it ran and that it found
    nothing to fix (the old callout showed nothing at all, or "No order is waiting"
    under "Waiting for more than an hour")?"""
    place(league, parent, kids, plan)  # open, but not for an hour yet
    run = reconciliation.run_job()
    section = checks(signed_in)
    local = run.finished_at.astimezone(ZoneInfo(league.timezone))  # the league's clock
    assert f'Last check: <time datetime="{local.isoformat()}">' in section
    assert "It found nothing to fix." in section
    assert "Nothing waiting" in section and "No order is waiting" not in section


def test_a_run_that_closed_an_abandoned_checkout(
    signed_in, make, league, parent, kids, plan, held_events
):
    """Is an order the run found expired reported as now abandoned (not "completed"),
    next to one still waiting with the gateway's word?"""
    lapsed = place(league, parent, kids[:1], plan, nonce="a")
    with league_scope(league.id):
        get_gateway().expire_session(lapsed.session_id)
        db.session.commit()
    waiting = place(league, parent, kids[1:], make.plan(league, "Camp"), nonce="b")
    for order in (lapsed, waiting):
        set_created(order, utcnow() - timedelta(hours=2))
    reconciliation.run_job()
    section = checks(signed_in)
    assert "It brought 1 order up to date:" in section
    assert f"order {lapsed.id}</a> (now Checkout abandoned)." in section
    assert "completed" not in section.split("Waiting for more than an hour", 1)[0]
    assert "Waiting for more than an hour:" in section
    assert f"Order {waiting.id}</a>" in section and "checkout still open (not paid)" in section
    assert "Nothing waiting" not in section
    page = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    assert '<section class="pay-checks pay-callout"' in page  # something waits: it stands out


def test_a_run_that_could_not_finish(
    signed_in, league, parent, kids, plan, held_events, monkeypatch
):
    """Does a failed run say so (and that it runs again), not that nothing was found?"""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fulfilment, "sync_order", broken)
    reconciliation.run_job()
    page = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    assert '<section class="pay-checks pay-callout"' in page
    section = checks(signed_in)
    assert "It could not finish; it runs again every 30 minutes." in section
    assert "found nothing to fix" not in section
