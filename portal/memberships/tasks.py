"""The memberships' daily work, for the background worker and `flask memberships run-daily`.

Each league lives in its own time zone, so "today" is the league's today. The
job runs every hour and every step is idempotent (conditional updates, one
reminder per term), so each league's day is handled soon after its midnight
and a second run, or two at once, changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab
from sqlalchemy import select

from portal.core.tasks import app_periodic_task
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships import lifecycle, notifications
from portal.players.services import today_in

log = logging.getLogger(__name__)


def run_for_league(league: League, now: datetime | None = None) -> dict[str, int]:
    """Expire ended terms, lift ended suspensions and queue renewal reminders in one
    league, as of its own today. Flushes; the caller commits."""
    today = today_in(league, now)
    with league_scope(league.id):
        expired = lifecycle.expire_due(today)
        lifted = lifecycle.lift_ended_suspensions(today)
        reminded = notifications.send_renewal_reminders(league, today)
    return {"expired": expired, "lifted": lifted, "reminded": reminded}


def run_daily(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Every league, one transaction each: a league whose work fails is logged and
    retried on the next run without holding up the others."""
    with unscoped():
        leagues = db.session.scalars(select(League).order_by(League.id)).all()
    results = {}
    for league in leagues:
        slug = league.slug
        try:
            results[slug] = run_for_league(league, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("daily membership work failed for league %s", slug)
            continue
        if any(results[slug].values()):
            log.info("memberships in %s: %s", slug, results[slug])
    return results


@app_periodic_task(crontab(minute="7"))
def daily_memberships() -> dict[str, dict[str, int]]:
    """Hourly: each league's expiries, lifted suspensions and reminders (idempotent)."""
    return run_daily()
