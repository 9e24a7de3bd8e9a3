"""Domain events that other domains react to, without the sender knowing who listens.

Players, memberships and leagues change what a player card shows; the cards
domain listens and remakes the card. The arrow of dependency stays one way
(cards depends on them, never the reverse). Receivers are connected when the
app is made (`portal.cards.hooks.connect`), in the web process and the worker
alike. Senders call these inside the change's transaction; receivers defer
their work until it commits.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sent with profile_id=...: something printed on that player's card may have changed
player_card_changed = _signals.signal("player-card-changed")
# sent with league_id=...: the league's name, colours or logo changed (every card shows them)
league_look_changed = _signals.signal("league-look-changed")
