"""Reads behind the league's payments pages: filtered orders, their totals, pages of
them, what needs a look, and one order's history.

Every query here runs inside the league's request, so the tenant filter adds
`league_id = <this league>` to each; nothing below names a league by hand
except where a table is not tenant-owned (webhook events, reconciliation runs).
Dates a league admin types are days in the league's own timezone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.core.money import minor_units
from portal.core.paging import Page, page_number, paginate, positive_id
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships.models import Plan, Program
from portal.payments.models import (
    Order,
    OrderLine,
    OrderStatus,
    WebhookEvent,
)
from portal.players.models import PlayerProfile

PER_PAGE = 50


@dataclass(frozen=True)
class OrderFilters:
    """What the admin narrowed the list to; every field optional. Bad input is dropped
    rather than refused: a filter form should never answer with an error page."""

    status: str = ""
    plan_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    page: int = 1

    def args(self, **changes) -> dict:
        """The filters as URL query arguments (empty ones left out), for links."""
        current = replace(self, **changes)
        values = {
            "status": current.status,
            "plan": current.plan_id,
            "from": current.date_from.isoformat() if current.date_from else None,
            "to": current.date_to.isoformat() if current.date_to else None,
            "q": current.q,
            "page": current.page if current.page > 1 else None,
        }
        return {key: value for key, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.status or self.plan_id or self.date_from or self.date_to or self.q)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_filters(args: Mapping[str, str]) -> OrderFilters:
    """Filters from a query string (the filter form and the page links)."""
    status = args.get("status", "")
    date_from, date_to = _date(args.get("from")), _date(args.get("to"))
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    return OrderFilters(
        status=status if status in {s.value for s in OrderStatus} else "",
        plan_id=positive_id(args.get("plan")),
        date_from=date_from,
        date_to=date_to,
        q=(args.get("q") or "").strip()[:100],
        page=page_number(args.get("page")),
    )


def day_start(day: date, league: League) -> datetime:
    """The UTC instant a day begins where the league plays."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(league.timezone)).astimezone(UTC)


def league_time(moment: datetime | None, league: League) -> datetime | None:
    """A stored (UTC) instant on the league's clock, for display and the export."""
    return moment.astimezone(ZoneInfo(league.timezone)) if moment else None


def filtered(filters: OrderFilters, league: League) -> Select:
    """The league's orders matching the filters, newest first (no paging, no loading)."""
    query = select(Order)
    if filters.status:
        query = query.where(Order.status == OrderStatus(filters.status))
    if filters.plan_id:
        query = query.where(
            Order.id.in_(select(OrderLine.order_id).where(OrderLine.plan_id == filters.plan_id))
        )
    if filters.date_from:
        query = query.where(Order.created_at >= day_start(filters.date_from, league))
    if filters.date_to:
        query = query.where(
            Order.created_at < day_start(filters.date_to + timedelta(days=1), league)
        )
    if filters.q:
        query = query.where(_matches(filters.q))
    return query.order_by(Order.created_at.desc(), Order.id.desc())


def _matches(text: str):
    """An order number, a gateway reference, or part of a payer's or player's name."""
    if text.isascii() and text.isdigit():  # an order number (no order has one out of range)
        order_id = positive_id(text)
        return Order.id == order_id if order_id else false()
    if text.startswith(("cs_", "pi_")):
        return or_(Order.session_id == text, Order.payment_intent_id == text)
    text = text.lower()
    payers = select(User.id).where(
        or_(
            func.lower(User.email).contains(text, autoescape=True),
            func.lower(User.full_name).contains(text, autoescape=True),
        )
    )
    full_name = func.lower(PlayerProfile.first_name + " " + PlayerProfile.last_name)
    players = select(OrderLine.order_id).where(
        OrderLine.profile_id.in_(
            select(PlayerProfile.id).where(full_name.contains(text, autoescape=True))
        )
    )
    return or_(Order.guardian_id.in_(payers), Order.id.in_(players))


# What a row shows (payer, players, plans), loaded in a few batched queries, not one
# per row; `selectinload` also works batch by batch with `yield_per`.
DETAILS = (
    joinedload(Order.guardian),
    selectinload(Order.lines).options(joinedload(OrderLine.profile), joinedload(OrderLine.plan)),
)


def with_details(query: Select) -> Select:
    """The query with what its rows show loaded (see `DETAILS`)."""
    return query.options(*DETAILS)


def page_of(filters: OrderFilters, league: League) -> Page[Order]:
    """One page (50 orders) of the filtered list; a page past the end shows the last."""
    return paginate(filtered(filters, league), filters.page, PER_PAGE, *DETAILS)


def plans() -> list[Plan]:
    """The league's plans for the filter, archived programs included: old orders use them."""
    return list(
        db.session.scalars(
            select(Plan).join(Program).order_by(Program.name, Plan.position, Plan.name)
        )
    )


def needing_attention(limit: int = 20) -> list[Order]:
    """Orders an admin must look at: a payment that did not match, or an open dispute."""
    return list(
        db.session.scalars(
            with_details(
                select(Order)
                .where(
                    or_(
                        Order.status == OrderStatus.NEEDS_ATTENTION,
                        Order.disputed_at.is_not(None) & (Order.dispute_outcome == ""),
                    )
                )
                .order_by(Order.updated_at.desc())
                .limit(limit)
            )
        )
    )


def order_events(order: Order) -> list[WebhookEvent]:
    """The webhook events processing linked to this order, oldest first. The events
    table is not tenant-owned, so the league is named here explicitly."""
    return list(
        db.session.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.order_id == order.id, WebhookEvent.league_id == order.league_id)
            .order_by(WebhookEvent.received_at, WebhookEvent.id)
        )
    )


def stripe_dashboard_url(order: Order) -> str | None:
    """Where the payment is in Stripe's dashboard (its test-mode half for test keys)."""
    if order.gateway != "stripe" or not order.payment_intent_id:
        return None
    key = current_app.config.get("STRIPE_SECRET_KEY") or ""
    test = "/test" if key.startswith(("sk_test_", "rk_test_")) else ""
    return f"https://dashboard.stripe.com{test}/payments/{order.payment_intent_id}"


# -- the CSV export -----------------------------------------------------------------

EXPORT_BATCH = 500  # orders fetched per round trip, and rows per chunk sent
CSV_HEADER = [
    "order",
    "created",
    "status",
    "payer",
    "payer_email",
    "players",
    "plans",
    "currency",
    "amount",
    "paid",
    "refunded",
    "net",
    "paid_at",
    "gateway",
    "session_id",
    "payment_intent_id",
    "disputed_at",
    "attention_reason",
]
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula (= + - @, or a
    tab/CR that some spreadsheets skip) gets a leading apostrophe (OWASP's advice).
    A plain number (a negative net amount) is data, not a formula, and stays a number."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def decimal_amount(amount_minor: int, currency: str) -> str:
    """12345 -> "123.45": a plain decimal string, no symbol or thousands separator."""
    places = minor_units(currency)
    sign, amount = ("-", -amount_minor) if amount_minor < 0 else ("", amount_minor)
    if not places:
        return f"{sign}{amount}"
    whole, cents = divmod(amount, 10**places)
    return f"{sign}{whole}.{cents:0{places}d}"


def export_row(order: Order, zone: ZoneInfo) -> list[str]:
    """One order as CSV cells, times on the league's clock, amounts as decimals."""

    def when(moment):
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    money = [
        decimal_amount(value, order.currency)
        for value in (
            order.amount_minor,
            order.paid_minor,
            order.refunded_minor,
            order.paid_minor - order.refunded_minor,
        )
    ]
    guardian = order.guardian
    return [
        str(order.id),
        when(order.created_at),
        order.status.value,
        guardian.full_name if guardian else "",
        guardian.email if guardian else "",
        "; ".join(line.profile.full_name for line in order.lines),
        "; ".join(sorted({line.plan.name for line in order.lines})),
        order.currency.upper(),
        *money,
        when(order.paid_at),
        order.gateway,
        order.session_id or "",
        order.payment_intent_id or "",
        when(order.disputed_at),
        order.attention_reason,
    ]


def csv_chunks(filters: OrderFilters, league: League) -> Iterator[str]:
    """The export as text chunks of `EXPORT_BATCH` rows: RFC 4180 (CRLF line ends,
    quotes only where needed), a UTF-8 byte order mark and a header row first.

    The query is built now, in the request; the rows are read while the response
    streams, after Flask has torn the request down (its league scope and database
    session are gone). So the generator keeps a database session of its own, which
    holds the cursor from batch to batch, and opens a short app context and the
    league's scope around each batch, never across a `yield`: whatever iterates the
    body (a server's worker, a test client) may switch contexts between chunks.
    """
    query = with_details(filtered(filters, league)).execution_options(yield_per=EXPORT_BATCH)
    app = current_app._get_current_object()
    return _chunks(app, query, league.id, ZoneInfo(league.timezone))


def _chunks(app, query: Select, league_id: int, zone: ZoneInfo) -> Iterator[str]:
    """Orders fetched `EXPORT_BATCH` at a time from one cursor (server-side on
    PostgreSQL), each batch written out and freed before the next: 50,000 orders are
    never in memory at once."""
    buffer = io.StringIO()
    buffer.write(BOM)  # Excel reads UTF-8 (accented names) only with it
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    session = db.session.session_factory()  # not tied to any one app context
    batches = None
    try:
        while True:
            with app.app_context(), league_scope(league_id):
                if batches is None:
                    batches = session.scalars(query).partitions()
                batch = next(batches, None)
                if batch is None:
                    break
                writer.writerows([safe_cell(c) for c in export_row(o, zone)] for o in batch)
            del batch
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    finally:
        with app.app_context():
            session.close()
    if buffer.tell():  # no orders at all: the header alone
        yield buffer.getvalue()
