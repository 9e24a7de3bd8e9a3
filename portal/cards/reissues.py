"""Staff reissue a player's card, and the player's history keeps it.

`services.reissue` revokes the old token (a scan of it then says REVOKED) and
makes a new card; here the reissue is also written to the player's history
(a profile event: when, who, why), which the staff profile panel lists as past
reissues. The event is a change of the profile's "card" field, so the history
pages show it without knowing about cards.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.cards import services
from portal.cards.models import Card
from portal.players.models import EventKind, PlayerProfile
from portal.players.services import record

HISTORY_FIELD = "card"
REASON_MAX = 200


def reason_from(text: str | None) -> str:
    """The reason as typed or chosen (trimmed, at most REASON_MAX), else the first one."""
    return (text or "").strip()[:REASON_MAX] or services.REISSUE_REASONS[0]


def reissue(profile: PlayerProfile, card: Card, reason: str, actor: User) -> Card:
    """Revoke `card` and issue a new one, kept in the history. Flushes, never commits."""
    fresh = services.reissue(card, reason)
    record(
        profile,
        actor,
        EventKind.FIELD,
        field=HISTORY_FIELD,
        from_value="old card, now revoked",
        to_value="new card",
        reason=card.revoked_reason,
    )
    return fresh
