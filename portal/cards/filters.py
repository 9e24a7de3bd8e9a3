"""Template helpers for cards: dates printed on a card, the time of a check, and a
player's card for pages of other domains (the profile page shows it without the
players package knowing about cards)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask


def card_date(value: str | date | None) -> str:
    """ "2027-02-28" -> "28 Feb 2027" (day first: no month/day confusion)."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day:02d} {day:%b %Y}"


def checked_time(value: datetime, timezone: str) -> str:
    """The time of a check in the league's own time zone, with the zone's name."""
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local:%H:%M:%S} on {local.day:02d} {local:%b %Y} ({local.tzname()})"


def player_card(profile):
    """(current card or None, its verdict today) for a player, in the league in scope."""
    from portal.cards import services
    from portal.cards.content import card_verdict
    from portal.players.services import today_in

    card = services.current_card(profile.id)
    return card, card_verdict(card, today_in(profile.league)) if card else None


def init_app(app: Flask) -> None:
    from portal.cards.services import REISSUE_REASONS

    app.add_template_filter(card_date, "card_date")
    app.add_template_filter(checked_time, "checked_time")
    app.add_template_global(player_card, "player_card")
    app.add_template_global(REISSUE_REASONS, "card_reissue_reasons")
