"""League admins' payments list: its filters, totals and pages, the callouts, another
league's orders, and the streamed CSV export."""

from __future__ import annotations

import time
import weakref
from datetime import UTC, datetime

from sqlalchemy import event

from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.payments import admin_queries, fulfilment
from portal.payments.gateway import get_gateway
from portal.payments.models import Order, OrderStatus
from tests.payments.conftest import place, reload
from tests.payments.helpers import (
    bulk_orders,
    csv_rows,
    paid_order,
    refund_form,
    results,
    set_created,
)

# -- the list ------------------------------------------------------------------------


def test_the_list_shows_each_order_with_totals(signed_in, make, league, parent, kids, plan):
    """Does the list show each order's players, plan, amounts, status and reference, with totals?"""
    paid = paid_order(league, parent, kids, plan)
    summer = make.plan(league, "Summer camp", price_minor=5000)
    waiting = place(league, parent, kids[:1], summer, nonce="n-2")
    with league_scope(league.id):
        from portal.payments import refunds

        refunds.refund(reload(paid), 4000, None, "Sibling discount")
        db.session.commit()
    page = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    assert f"Order {paid.id}" in page and f"Order {waiting.id}" in page
    assert "Mia Kim, Leo Kim" in page and "Summer camp" in page
    assert "Partly refunded" in page and "pay-status-partially_refunded" in page
    assert "Not paid yet" in page and waiting.session_id in page
    assert reload(paid).payment_intent_id in page
    # Totals: 2 orders, $240 paid, $40 refunded, $200 net.
    for text in (
        "<dt>Orders</dt><dd>2</dd>",
        "<dd>$240.00</dd>",
        "<dd>$40.00</dd>",
        "<dd>$200.00</dd>",
    ):
        assert text in page


def test_filters_by_status_plan_and_search(signed_in, make, league, parent, kids, plan):
    """Do the status, plan and search filters narrow both the rows and the totals?"""
    paid = paid_order(league, parent, kids[:1], plan)
    summer = make.plan(league, "Summer camp", price_minor=5000)
    waiting = place(league, parent, kids[1:], summer, nonce="n-2")

    def shown(query: str) -> str:
        return results(signed_in.get(f"/l/riverside/payments/?{query}"))

    page = shown("status=paid")
    assert f"Order {paid.id}<" in page and f"Order {waiting.id}<" not in page
    assert "<dt>Orders</dt><dd>1</dd>" in page
    page = shown(f"plan={summer.id}")
    assert f"Order {waiting.id}<" in page and f"Order {paid.id}<" not in page
    assert "<dt>Orders</dt><dd>1</dd>" in page and "<dd>$0.00</dd>" in page
    assert f"Order {waiting.id}<" in shown("q=leo")  # the player's name
    assert f"Order {paid.id}<" in shown(f"q={reload(paid).payment_intent_id}")
    assert f"Order {paid.id}<" in shown(f"q={paid.id}")
    assert "No orders match these filters" in shown("q=nobody-at-all")
    assert "No orders match these filters" in shown("q=%25")  # a literal %, not a wildcard
    assert "No orders match these filters" in shown(f"q={'9' * 20}")  # beyond any order id
    assert f"Order {paid.id}<" in shown(f"plan={summer.id}x")  # an unreadable plan: all
    # Nonsense filters are dropped, not answered with an error.
    assert (
        signed_in.get(
            "/l/riverside/payments/?status=bogus&plan=x&from=2026-13-45&page=-1"
        ).status_code
        == 200
    )


def test_the_date_range_is_in_the_leagues_timezone(signed_in, league, parent, kids, plan):
    """Are "from" and "to" whole days in the league's timezone (Chicago), not UTC?"""
    moments = {
        "before": datetime(2026, 3, 1, 5, 30, tzinfo=UTC),  # 28 Feb, 23:30 in Chicago
        "first": datetime(2026, 3, 1, 6, 30, tzinfo=UTC),  # 1 Mar, 00:30
        "last": datetime(2026, 3, 2, 5, 59, tzinfo=UTC),  # 1 Mar, 23:59
        "after": datetime(2026, 3, 2, 6, 0, tzinfo=UTC),  # 2 Mar, 00:00
    }
    orders = {}
    for n, (name, moment) in enumerate(moments.items()):
        orders[name] = place(league, parent, kids[:1], plan, nonce=f"d-{n}")
        set_created(orders[name], moment)
    page = signed_in.get("/l/riverside/payments/?from=2026-03-01&to=2026-03-01")
    text = results(page)
    assert [name for name, order in orders.items() if f"Order {order.id}<" in text] == [
        "first",
        "last",
    ]
    assert '<time datetime="2026-03-01T00:30:00-06:00">01 Mar 2026 <span' in text
    # From after to: the two are swapped rather than matching nothing.
    swapped = signed_in.get("/l/riverside/payments/?from=2026-03-02&to=2026-02-28")
    assert all(f"Order {o.id}<" in results(swapped) for o in orders.values())


def test_fifty_a_page_and_htmx_gets_the_fragment(signed_in, league, parent, kids, plan):
    """Are 120 orders three pages of at most 50, and does htmx get only the results?"""
    bulk_orders(league, plan, kids[0], parent, 120)
    first = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    assert first.count('data-label="Order"') == 50 and "Page 1 of 3" in first
    assert "<dt>Orders</dt><dd>120</dd>" in first and "$14,400.00" in first
    assert 'href="/l/riverside/payments/?page=2"' in first
    last = signed_in.get("/l/riverside/payments/?page=3", headers={"HX-Request": "true"})
    body = last.get_data(as_text=True)
    assert body.count('data-label="Order"') == 20 and "Page 3 of 3" in body
    assert body.lstrip().startswith('<div id="payments-results"') and "<html" not in body
    assert "HX-Request" in last.headers["Vary"]
    for far in ("99", "9" * 30):
        beyond = signed_in.get(f"/l/riverside/payments/?page={far}").get_data(as_text=True)
        assert "Page 3 of 3" in beyond  # past the end: the last page
    filtered = signed_in.get("/l/riverside/payments/?status=paid&page=2").get_data(as_text=True)
    assert 'href="/l/riverside/payments/?status=paid&amp;page=3"' in filtered


def test_flagged_and_disputed_orders_are_called_out(signed_in, league, parent, kids, plan, make):
    """Is a payment that did not match, or a disputed one, called out at the top?"""
    paid = paid_order(league, parent, kids[:1], plan)
    with league_scope(league.id):
        get_gateway().dispute(reload(paid).payment_intent_id)  # its event reaches the webhook
        db.session.commit()
    assert reload(paid).disputed_at is not None
    with league_scope(league.id):
        flagged = place(league, parent, kids[1:], make.plan(league, "Other"), nonce="n-2")
        fulfilment.flag(reload(flagged), "amount 100 instead of our price 12000")
        db.session.commit()
    page = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    callout = page.split('id="attention-title"', 1)[1].split("</section>", 1)[0]
    assert "Needs attention (2)" in callout
    assert f"Order {paid.id}" in callout and "Disputed" in callout
    assert f"Order {flagged.id}" in callout and "amount 100 instead of our price" in callout


def test_another_leagues_orders_are_not_found(
    client, login, make, league, admin, parent, kids, plan
):
    """Is league B's order 404 on league A's pages and absent from A's list, totals, export?"""
    other = make.league("bravo", name="Bravo")
    b_parent = make.user("b@example.com")
    b_order = paid_order(
        other, b_parent, [make.ready_profile(other, b_parent, "Bea")], make.plan(other, "B")
    )
    login(admin)
    base = f"/l/riverside/payments/{b_order.id}"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/refund", data=refund_form(b_order, "10")).status_code == 404
    assert client.post(f"{base}/recheck").status_code == 404
    page = client.get("/l/riverside/payments/").get_data(as_text=True)
    assert "No orders" in page and "Bea" not in page
    export = client.get("/l/riverside/payments/export.csv", buffered=True)
    assert csv_rows(export) == []
    assert reload(b_order).status == OrderStatus.PAID and reload(b_order).refunded_minor == 0
    # And league B's admin cannot open A's payments at all.
    login(make.member(other, Role.ADMIN))
    assert client.get("/l/riverside/payments/").status_code == 404


# -- the export ----------------------------------------------------------------------


def test_the_export_is_rfc4180_with_decimal_amounts(signed_in, make, league, plan):
    """Is the export RFC 4180 with a header, decimal amounts, league dates and a good name?"""
    tricky = make.user("tricky@example.com", name='Smith, "Jo"')
    kid = make.ready_profile(league, tricky, "Ann")
    paid = paid_order(league, tricky, [kid], plan)
    set_created(paid, datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
    place(league, tricky, [make.ready_profile(league, tricky, "Bo")], make.plan(league, "B"), "n-2")
    response = signed_in.get("/l/riverside/payments/export.csv?status=paid", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="payments-riverside-20')
    assert disposition.endswith('.csv"')
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufefforder,created,status,payer,payer_email,players,plans,")
    assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
    assert '"Smith, ""Jo"""' in raw  # RFC 4180: quoted, quotes doubled
    (row,) = csv_rows(response)
    assert row["order"] == str(paid.id) and row["status"] == "paid"
    assert (row["amount"], row["paid"], row["refunded"], row["net"]) == (
        "120.00",
        "120.00",
        "0.00",
        "120.00",
    )
    assert row["created"] == "2026-03-01 00:30" and row["currency"] == "USD"
    assert row["players"] == "Ann Kim" and row["payment_intent_id"].startswith("pi_test_")


def test_the_export_defuses_spreadsheet_formulas(signed_in, make, league, plan):
    """Do cells starting with = + - @ get a leading apostrophe, amounts staying numbers?"""
    for n, name in enumerate(["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "Safe - name"]):
        person = make.user(f"f{n}@example.com", name=name)
        place(league, person, [make.ready_profile(league, person, f"K{n}")], plan, f"f-{n}")
    rows = csv_rows(signed_in.get("/l/riverside/payments/export.csv", buffered=True))
    payers = sorted(row["payer"] for row in rows)
    assert payers == sorted(["'=HYPERLINK(1)", "'+1+1", "'-2+3", "'@SUM(A1)", "Safe - name"])
    assert admin_queries.safe_cell("-12.50") == "-12.50"  # a negative amount is a number
    assert admin_queries.safe_cell("\t=1") == "'\t=1"


def test_the_export_of_50000_orders_streams(signed_in, league, parent, kids, plan):
    """Does a 50,000-order export stream in batches, never holding all the orders at once?"""
    count = 50_000
    bulk_orders(league, plan, kids[0], parent, count)
    alive: weakref.WeakSet = weakref.WeakSet()
    most_alive = 0

    def loaded(order, context):
        alive.add(order)

    event.listen(Order, "load", loaded)
    try:
        started = time.perf_counter()
        response = signed_in.get("/l/riverside/payments/export.csv")
        assert response.is_streamed and response.status_code == 200
        iterator = iter(response.response)
        first = next(iterator)
        first_after = time.perf_counter() - started
        sizes = [len(first)]
        for chunk in iterator:
            sizes.append(len(chunk))
            most_alive = max(most_alive, len(alive))
        total = time.perf_counter() - started
        response.close()
    finally:
        event.remove(Order, "load", loaded)
    print(
        f"\nexport of {count} orders: {len(sizes)} chunks, {sum(sizes) / 1e6:.1f} MB, first "
        f"chunk after {first_after * 1000:.0f} ms, all in {total:.1f} s, at most "
        f"{most_alive} orders alive at once"
    )
    batch = admin_queries.EXPORT_BATCH
    assert len(sizes) == count // batch  # one chunk per batch of 500 orders
    assert max(sizes) < 200_000  # about 500 rows each, never the whole body
    assert first.decode().count("\r\n") == batch + 1  # the header and the first batch
    assert first_after < total / 10  # the first rows leave long before the last are read
    assert most_alive <= 3 * batch  # a batch or so in memory, not 50,000 orders
