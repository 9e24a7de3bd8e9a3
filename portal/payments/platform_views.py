"""The platform admin's view of payments across every league: webhook events (the
failed or stuck ones with a retry button), and reconciliation runs with "Run now".

Webhook events and reconciliation runs belong to no league, so these pages
read them directly; links into a league's order go through its own pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta

from flask import Blueprint, flash, redirect, request, url_for
from sqlalchemy import false, func, or_, select

from portal.core.db import utcnow
from portal.core.htmx import render
from portal.core.paging import page_number, paginate, positive_id
from portal.core.permissions import platform_admin_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.leagues.models import League
from portal.payments import events, outcomes, reconciliation
from portal.payments.models import EventStatus, ReconciliationRun, WebhookEvent

bp = Blueprint("platform_payments", __name__, url_prefix="/admin/payments")
PER_PAGE = 50
PENDING_TOO_LONG = timedelta(minutes=15)


@dataclass(frozen=True)
class EventFilters:
    status: str = ""
    type: str = ""
    q: str = ""
    page: int = 1

    def args(self, **changes) -> dict:
        values = replace(self, **changes).__dict__
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}


@bp.app_template_global("event_retryable")
def event_retryable(event: WebhookEvent) -> bool:
    """Whether the retry button shows (the macros are imported without context)."""
    return events.retryable(event)


@bp.context_processor
def helpers() -> dict:
    """Outcome codes and order statuses in words, for these templates."""
    return {"outcome_text": outcomes.describe, "status_label": outcomes.status_label}


def _filters() -> EventFilters:
    status = request.args.get("status", "")
    return EventFilters(
        status=status if status in {s.value for s in EventStatus} | {"attention"} else "",
        type=request.args.get("type", "")[:100],
        q=request.args.get("q", "").strip()[:255],
        page=page_number(request.args.get("page")),
    )


def needs_a_look():
    """Events a person should see: failed for good, or waiting far longer than the
    worker ever takes (its queue or the worker itself may be down)."""
    now = utcnow()
    return or_(
        WebhookEvent.status == EventStatus.FAILED,
        (WebhookEvent.status == EventStatus.PENDING)
        & (WebhookEvent.received_at < now - PENDING_TOO_LONG),
        (WebhookEvent.status == EventStatus.PROCESSING)
        & (WebhookEvent.locked_at < now - events.STALE_AFTER),
    )


def _events_query(filters: EventFilters):
    query = select(WebhookEvent).order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
    if filters.status == "attention":
        query = query.where(needs_a_look())
    elif filters.status:
        query = query.where(WebhookEvent.status == EventStatus(filters.status))
    if filters.type:
        query = query.where(WebhookEvent.type == filters.type)
    if filters.q.isascii() and filters.q.isdigit():  # an order number
        order_id = positive_id(filters.q)  # none out of range: it matches nothing
        query = query.where(WebhookEvent.order_id == order_id if order_id else false())
    elif filters.q:
        query = query.where(
            or_(
                WebhookEvent.event_id == filters.q,
                WebhookEvent.payload.contains(filters.q, autoescape=True),
            )
        )
    return query


def _leagues(rows) -> dict[int, League]:
    ids = {row.league_id for row in rows if getattr(row, "league_id", None)}
    if not ids:
        return {}
    return {
        league.id: league for league in db.session.scalars(select(League).where(League.id.in_(ids)))
    }


@bp.get("/")
@platform_admin_required
def index():
    """What needs the platform admin: events that failed or wait too long, and the
    latest reconciliation runs."""
    attention = db.session.scalars(
        select(WebhookEvent)
        .where(needs_a_look())
        .order_by(WebhookEvent.received_at.desc())
        .limit(50)
    ).all()
    runs = db.session.scalars(
        select(ReconciliationRun).order_by(ReconciliationRun.id.desc()).limit(5)
    ).all()
    return render(
        "payments/platform/index.html",
        attention=attention,
        leagues=_leagues(attention),
        runs=runs,
        counts=dict(
            db.session.execute(
                select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)
            ).all()
        ),
    )


@bp.get("/events")
@platform_admin_required
def event_list():
    """Recent webhook events, filtered by status, type or an order/event id."""
    filters = _filters()
    page = paginate(_events_query(filters), filters.page, PER_PAGE)
    types = db.session.scalars(select(WebhookEvent.type).distinct().order_by(WebhookEvent.type))
    return render(
        "payments/platform/events.html",
        "payments/platform/_events.html",
        page=page,
        leagues=_leagues(page.rows),
        filters=replace(filters, page=page.page),
        types=list(types),
        statuses=[s.value for s in EventStatus],
    )


@bp.get("/events/<int:event_id>")
@platform_admin_required
def event(event_id: int):
    row = get_or_404(WebhookEvent, event_id)
    try:
        payload = json.dumps(json.loads(row.payload), indent=2, sort_keys=True)
    except ValueError:
        payload = row.payload
    return render(
        "payments/platform/event.html", event=row, payload=payload, leagues=_leagues([row])
    )


@bp.post("/events/<int:event_id>/retry")
@platform_admin_required
def retry(event_id: int):
    """Queue a failed event, or one stuck pending, once more (the worker processes it,
    exactly once)."""
    row = get_or_404(WebhookEvent, event_id)
    if events.retry(row.id):
        db.session.commit()
        flash(f"Event {row.event_id} was queued again.", "success")
    else:
        flash(
            "Only a failed event, or one waiting for over "
            f"{int(events.STALE_AFTER.total_seconds() // 60)} minutes, can be retried; "
            "this one is neither.",
            "info",
        )
    back = url_for(".index") if request.form.get("back") == "index" else None
    return redirect(back or url_for(".event", event_id=row.id), 303)


@bp.get("/runs")
@platform_admin_required
def runs():
    """Reconciliation runs, newest first; a page past the end shows the last."""
    page = paginate(
        select(ReconciliationRun).order_by(ReconciliationRun.id.desc()),
        page_number(request.args.get("page")),
        PER_PAGE,
    )
    return render("payments/platform/runs.html", page=page)


@bp.get("/runs/<int:run_id>")
@platform_admin_required
def run(run_id: int):
    record = get_or_404(ReconciliationRun, run_id)
    return render("payments/platform/run.html", run=record)


@bp.post("/runs")
@platform_admin_required
def run_now():
    """Reconcile now (the worker also does it every 30 minutes); the run commits itself."""
    record = reconciliation.run_job()
    if record.error:
        flash(f"The run did not finish: {record.error}", "error")
    else:
        flash(f"Checked {record.checked}, fixed {record.fixed}.", "success")
    return redirect(url_for(".run", run_id=record.id), 303)
