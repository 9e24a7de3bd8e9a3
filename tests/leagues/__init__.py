"""League tests, and a probe the player settings tests share."""

from __future__ import annotations

from contextlib import contextmanager

from portal.core.signals import league_look_changed


@contextmanager
def look_changes():
    """The league ids league_look_changed was sent for, while the block runs."""
    sent = []

    def receive(sender, league_id, **_):
        sent.append(league_id)

    league_look_changed.connect(receive)
    try:
        yield sent
    finally:
        league_look_changed.disconnect(receive)
