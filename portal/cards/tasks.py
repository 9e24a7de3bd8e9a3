"""Card work for the background worker."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import select

from portal.cards import services
from portal.cards.models import Card, PdfState
from portal.core.tasks import app_periodic_task, app_task
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import League
from portal.players.models import PlayerProfile
from portal.players.services import today_in

log = logging.getLogger(__name__)


@app_task(retries=3, retry_delay=20, context=True)
def refresh_card(league_id: int, profile_id: int, task=None) -> str:
    """Make the player's card PDF if its content changed (and issue the card if due).

    A failure is tried again (three times, 20 s apart) while the card shows "being
    made"; after the last try, or at once when a file the card prints is missing from
    storage (trying again will not bring it back), the card is FAILED and its page
    says why. `task` is huey's (None when called directly: no retry to wait for).
    """
    with league_scope(league_id):
        profile = db.session.get(PlayerProfile, profile_id)
        if profile is None:
            return "no such player"
        try:
            card = services.refresh(profile)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            missing = isinstance(error, services.MissingAsset)
            final = missing or not (task and task.retries)
            if services.record_failure(profile, error, final=final) is not None:
                db.session.commit()
            if missing:
                log.warning("card of player %s not made: %s", profile_id, error)
                return "failed"
            log.exception("card of player %s failed", profile_id)
            raise
    return card.pdf_state.value if card else "no card yet"


@app_task(retries=3, retry_delay=30)
def refresh_league_cards(league_id: int) -> int:
    """The league's look changed: queue a refresh of each of its current cards."""
    with league_scope(league_id):
        cards = db.session.scalars(select(Card).where(Card.revoked_at.is_(None))).all()
        for card in cards:  # what services.mark_pending does, without a query per card
            card.pdf_state = PdfState.PENDING
        profile_ids = [card.profile_id for card in cards]
        db.session.commit()
    for profile_id in profile_ids:
        refresh_card(league_id, profile_id)
    return len(profile_ids)


@app_periodic_task(crontab(minute="17"))
def refresh_cards_turning_today() -> int:
    """Hourly: cards whose status changes with the calendar (a term starts or ends, a
    suspension runs out) are remade on the league's new day, even if nothing else
    happens. A refresh of an unchanged card costs a hash, so repeats are cheap."""
    count = 0
    with unscoped():
        leagues = db.session.scalars(select(League)).all()
    for league in leagues:
        with league_scope(league.id):
            for profile_id in services.turning_today(today_in(league)):
                refresh_card(league.id, profile_id)
                count += 1
    return count
