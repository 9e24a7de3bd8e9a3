"""League staff act on a player's card: reissue it (lost card, new photo, after a suspension).

Reissuing revokes the old token at once: a scan of the old card then says
"revoked: a newer card exists". The new card's PDF is made by the worker.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from portal.cards import services
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.players.models import PlayerProfile

bp = Blueprint("card_staff", __name__)


@bp.post("/players/<int:profile_id>/card/reissue")
@league_permission_required("review_profiles")
def reissue(profile_id: int):
    profile = get_or_404(PlayerProfile, profile_id)
    back = url_for("l.players.show", profile_id=profile.id)
    card = services.current_card(profile.id)
    if card is None:
        flash(f"{profile.first_name} has no card to reissue yet.", "error")
        return redirect(back, 303)
    reason = (request.form.get("reason") or "").strip()[:200] or services.REISSUE_REASONS[0]
    services.reissue(card, reason)
    db.session.commit()
    flash(f"New card issued for {profile.full_name}. The old card now reads REVOKED.", "success")
    return redirect(back, 303)
