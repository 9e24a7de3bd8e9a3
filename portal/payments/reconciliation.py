"""Reconciliation: the safety net under the webhook.

Stripe retries a webhook for days, but an endpoint that was down, a secret
rotated wrongly or a lost event can still leave a paid checkout unfulfilled.
`run()` asks the gateway itself which checkout sessions were paid recently,
finds each one's order through our own stored session id (never through the
session's metadata), and brings it in line through `fulfilment.sync_order`,
the one fulfilment path, so nothing here can activate twice or activate what
was not paid. Sessions we have no order for are reported for a person to
look at, never acted on. Orders still waiting (open, or a bank payment on its
way) after an hour are listed with what the gateway says about them, and
synced when the gateway has an answer (an expired or completed checkout).

Every run is recorded (`ReconciliationRun`), whatever it found; running it
twice, or at the same time as a webhook, changes nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.payments import fulfilment
from portal.payments.gateway import GatewayError, GatewayUnavailable, SessionInfo, get_gateway
from portal.payments.models import Order, OrderStatus, ReconciliationRun

log = logging.getLogger(__name__)

LOOKBACK_HOURS = 48  # Stripe retries events for 3 days; a run every 30 minutes covers 2
STUCK_AFTER = timedelta(hours=1)  # a checkout session lives one hour
CHECK_LIMIT = 200  # stuck orders asked about per run, newest first (gateway calls)
WAITING = (OrderStatus.OPEN, OrderStatus.PROCESSING)
GATEWAY_FAILURES = (GatewayUnavailable, GatewayError)


def run(since: datetime, now: datetime | None = None) -> ReconciliationRun:
    """Check the gateway's paid sessions since `since` and the orders stuck waiting;
    fix what was missed; record the run. Flushes, never commits (see `run_job`)."""
    now = now or utcnow()
    with unscoped():
        record = ReconciliationRun(started_at=now)
        db.session.add(record)
        db.session.flush()
        gateway = get_gateway()
        report: dict = {
            "since": since.isoformat(),
            "gateway": gateway.name,
            "sessions": 0,
            "fixed": [],
            "unknown": [],
            "stuck": [],
            "errors": [],
        }
        try:
            sessions = gateway.list_paid_sessions(since)
        except GATEWAY_FAILURES as error:
            record.error = f"Could not list paid sessions: {error}"[:2000]
            sessions = None
        orders = _orders_by_session([session.id for session in sessions or []])
        for session in sessions or []:
            _check_session(session, orders.get(session.id), report)
        stuck = stuck_orders(now, limit=CHECK_LIMIT)
        for order in stuck:
            _check_stuck(order, report, ask_gateway=sessions is not None)
        report["sessions"] = len(sessions or [])
        record.checked = report["sessions"] + len(stuck)
        record.fixed = len(report["fixed"])
        record.report = report
        record.finished_at = utcnow()
        db.session.flush()
    return record


def run_job(hours: int = LOOKBACK_HOURS) -> ReconciliationRun:
    """One reconciliation as a unit of work (the worker's schedule, the CLI, the
    platform admin's "Run now"): commit it, or, when something unexpected breaks,
    roll the half-done work back and still record the run with its error."""
    started = utcnow()
    since = started - timedelta(hours=hours)
    try:
        record = run(since, now=started)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("reconciliation failed")
        with unscoped():
            record = ReconciliationRun(
                started_at=started,
                finished_at=utcnow(),
                error=f"{type(error).__name__}: {error}"[:2000],
                report={"since": since.isoformat(), "crashed": True},
            )
            db.session.add(record)
            db.session.commit()
    if record.fixed or record.error:
        log.warning("reconciliation %s: fixed %d, error %r", record.id, record.fixed, record.error)
    return record


def _orders_by_session(session_ids: list[str]) -> dict[str, Order]:
    """Our orders for these checkout sessions, found by the session id we stored."""
    found: dict[str, Order] = {}
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        found.update(
            (order.session_id, order)
            for order in db.session.scalars(select(Order).where(Order.session_id.in_(chunk)))
        )
    return found


def _check_session(session: SessionInfo, order: Order | None, report: dict) -> None:
    """A session the gateway says is paid: is its order paid here too?"""
    if order is None:
        report["unknown"].append(
            {
                "session_id": session.id,
                "payment_intent": session.payment_intent,
                "amount": session.amount_total,
                "currency": session.currency,
                "created": session.created,
                # What the session claims: a clue for a person, not a reference we trust.
                "claims": {k: session.metadata.get(k) for k in ("order_id", "league_id")},
            }
        )
        return
    if order.status not in fulfilment.SETTLED:
        _sync(order, session, report)


def _sync(order: Order, session: SessionInfo | None, report: dict) -> bool:
    """The one fulfilment path, in the order's league; True if the order changed."""
    before = order.status
    try:
        with league_scope(order.league_id):
            outcome = fulfilment.sync_order(order, session)
    except GATEWAY_FAILURES as error:  # sync_order asks before it writes: nothing half-done
        report["errors"].append(_about(order, error=str(error)[:500]))
        return False
    if order.status == before:
        return False
    report["fixed"].append(
        _about(order, before=before.value, after=order.status.value, outcome=outcome)
    )
    return True


def _check_stuck(order: Order, report: dict, *, ask_gateway: bool) -> None:
    """What the gateway says about a waiting order; sync it when that is an answer."""
    gateway = get_gateway()
    if not order.session_id:
        state = "no checkout session was created"
    elif order.gateway != gateway.name:
        state = f"made with the {order.gateway} gateway; not checked"
    elif not ask_gateway:
        state = "not checked: the gateway did not answer"
    else:
        try:
            session = gateway.get_session(order.session_id)
        except GATEWAY_FAILURES as error:
            report["errors"].append(_about(order, error=str(error)[:500]))
            state = "not checked: the gateway did not answer"
        else:
            state = describe(session)
            if session.status != "open" and _sync(order, session, report):
                return  # no longer stuck: reported as fixed
    report["stuck"].append(
        _about(order, created_at=order.created_at.isoformat(), gateway_state=state)
    )


def describe(session: SessionInfo) -> str:
    """A checkout session's state in a few words for an admin."""
    if session.status == "open":
        return "checkout still open (not paid)"
    if session.status == "expired":
        return "checkout expired (not paid)"
    if session.paid:
        return "completed and paid"
    return "completed; the payment is on its way"


def _about(order: Order, **details) -> dict:
    return {
        "order_id": order.id,
        "league_id": order.league_id,
        "league": order.league.slug,
        "status": order.status.value,
        **details,
    }


def summary(record: ReconciliationRun) -> str:
    """The run in a few lines of text, for the CLI (and logs)."""
    report = record.report or {}
    lines = [
        f"Reconciliation run {record.id} ({report.get('gateway', '?')} gateway, "
        f"paid sessions since {report.get('since', '?')}):",
        f"  checked {record.checked}, fixed {record.fixed}",
    ]
    for item in report.get("fixed", []):
        lines.append(
            f"  fixed: order {item['order_id']} ({item['league']}): "
            f"{item['before']} -> {item['after']}"
        )
    for item in report.get("unknown", []):
        lines.append(
            f"  unknown session {item['session_id']}: {item['amount']} {item['currency']} "
            f"(claims {item['claims']}), not acted on"
        )
    for item in report.get("stuck", []):
        lines.append(
            f"  stuck: order {item['order_id']} ({item['league']}) {item['status']} since "
            f"{item['created_at'][:16]}: {item['gateway_state']}"
        )
    for item in report.get("errors", []):
        lines.append(f"  error: order {item['order_id']} ({item['league']}): {item['error']}")
    if record.error:
        lines.append(f"  run error: {record.error}")
    return "\n".join(lines)


# -- what the league's payments page shows of it --------------------------------------


def stuck_orders(now: datetime | None = None, limit: int = 20) -> list[Order]:
    """Checkouts waiting for longer than an hour, newest first: this league's in a league
    request, every league's in the reconciliation job (unscoped)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.status.in_(WAITING), Order.created_at < (now or utcnow()) - STUCK_AFTER)
            .order_by(Order.created_at.desc())
            .limit(limit)
        )
    )


def last_run() -> ReconciliationRun | None:
    """The latest finished run (runs are platform-wide)."""
    return db.session.scalars(
        select(ReconciliationRun)
        .where(ReconciliationRun.finished_at.is_not(None))
        .order_by(ReconciliationRun.id.desc())
        .limit(1)
    ).first()


def for_league(record: ReconciliationRun | None, league_id: int) -> dict | None:
    """What a league admin may see of a run: when, whether it worked, and only this
    league's entries. Unknown sessions stay with the platform admin: their league is
    only what the session claims."""
    if record is None:
        return None
    report = record.report or {}

    def mine(key: str) -> list[dict]:
        return [item for item in report.get(key, []) if item.get("league_id") == league_id]

    return {
        "run": record,
        "failed": bool(record.error),
        "fixed": mine("fixed"),
        "stuck": {item["order_id"]: item for item in mine("stuck")},
    }
