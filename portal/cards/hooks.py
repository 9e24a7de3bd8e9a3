"""Cards listen to the domains whose changes they print (see portal/core/signals.py)."""

from __future__ import annotations

from portal.core.signals import league_look_changed, player_card_changed
from portal.core.transactions import after_commit


def _player_changed(sender, profile_id: int, **_) -> None:
    from portal.cards import services

    services.changed(profile_id)


def _league_changed(sender, league_id: int, **_) -> None:
    def enqueue() -> None:
        from portal.cards.tasks import refresh_league_cards

        refresh_league_cards(league_id)

    after_commit(enqueue, key=("refresh_league_cards", league_id))


def connect() -> None:
    """Idempotent: blinker keeps one connection per receiver."""
    player_card_changed.connect(_player_changed)
    league_look_changed.connect(_league_changed)
