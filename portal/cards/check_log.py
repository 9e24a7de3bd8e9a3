"""The check log: what signed-in league staff checked, kept for the league's admins.

Each check of a card by a signed-in referee (or other staff who check cards) is
a row: who, when, which card, what it said. A check of a code that is no card
is a row too (UNKNOWN, with what was scanned), so a fake card leaves a trace
and the log's UNKNOWN filter finds it. Anonymous checks (a phone's own camera
app, a passer-by, someone guessing tokens) are never kept and cost no query.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from flask import g, request
from flask_login import current_user
from sqlalchemy import select

from portal.cards.models import CardCheck
from portal.core import tenancy
from portal.core.paging import positive_id
from portal.core.permissions import PERMISSIONS, can
from portal.extensions import db
from portal.leagues.models import League, LeagueRole

if TYPE_CHECKING:
    from portal.cards.verify import Check

CODE_SHOWN = 24  # characters of an unknown code the log keeps
CODE_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")


def log(check: Check) -> None:
    """Checks by signed-in league staff are kept: who, when, which card, what it said.

    A scan with no cookie at all (a referee's phone camera, a passer-by) is anonymous.
    """
    if not request.cookies:
        return
    if not current_user.is_authenticated:
        return
    tenancy.set_current_league(check.league_id)
    g.league = db.session.get(League, check.league_id)
    if not can("check_cards"):
        return
    db.session.add(
        CardCheck(
            league_id=check.league_id,
            card_id=check.card_id,
            checked_by_id=current_user.id,
            result=check.outcome.code,
            player_name=check.name,
        )
    )
    db.session.commit()


def log_unknown(token: str) -> League | None:
    """A signed-in referee's check of a code that is no card, kept like any other check:
    who, when, what was scanned (`shown_code`), UNKNOWN. An unknown code has no league, so
    it goes to the log of the league the scanner asked for (`?league=<id>`), else of each
    league where the user checks cards (usually one). Anonymous guesses are not kept: no
    query, no row. The league (the first) is returned for the time of the check."""
    if not request.cookies or not current_user.is_authenticated:
        return None
    leagues = _checking_leagues()
    for league in leagues:
        db.session.add(
            CardCheck(
                league_id=league.id,
                card_id=None,
                checked_by_id=current_user.id,
                result="unknown",
                player_name=shown_code(token),
            )
        )
    if leagues:
        db.session.commit()
    return leagues[0] if leagues else None


def _checking_leagues() -> list[League]:
    """The leagues whose log a signed-in user's check of an unknown code belongs in."""
    with tenancy.unscoped():
        ids = set(
            db.session.scalars(
                select(LeagueRole.league_id).where(
                    LeagueRole.user_id == current_user.id,
                    LeagueRole.role.in_(PERMISSIONS["check_cards"]),
                )
            )
        )
        asked = positive_id(request.args.get("league"))
        if asked and (asked in ids or current_user.is_platform_admin):
            ids = {asked}
        if not ids:
            return []
        return list(
            db.session.scalars(select(League).where(League.id.in_(ids)).order_by(League.id))
        )


def shown_code(token: str) -> str:
    """What the log keeps of a code that is no card: its first CODE_SHOWN characters
    when it is made of token characters, else a short hash of it (nothing odd, nothing
    long, reaches the log)."""
    if CODE_CHARS.match(token):
        text = token if len(token) <= CODE_SHOWN else token[:CODE_SHOWN] + "…"
    else:
        text = "#" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:12]
    return f"Unknown code {text}"
