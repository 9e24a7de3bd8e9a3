"""League staff act on a player's card: reissue it (lost card, new photo, after a suspension).

Reissuing revokes the old token at once: a scan of the old card then says
"revoked: a newer card exists". So it takes two steps: the profile's "Reissue the
card" opens a small form (why, and what happens), whose button "Reissue and
revoke the old card" does it. It works without JavaScript. The reissue is kept
in the player's history with who did it and why. The new card's PDF is made by
the worker.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from portal.cards import reissues, services
from portal.core.htmx import render
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.players.models import PlayerProfile

bp = Blueprint("card_staff", __name__)

CONFIRM = "cards/reissue.html"


@bp.get("/players/<int:profile_id>/card/reissue")
@league_permission_required("review_profiles")
def confirm_reissue(profile_id: int):
    """The confirmation step: why the card is reissued, and that the old one stops working."""
    profile = get_or_404(PlayerProfile, profile_id)
    card = services.current_card(profile.id)
    if card is None:
        return _no_card(profile)
    return render(CONFIRM, profile=profile, card=card, reasons=services.REISSUE_REASONS)


@bp.post("/players/<int:profile_id>/card/reissue")
@league_permission_required("review_profiles")
def reissue(profile_id: int):
    profile = get_or_404(PlayerProfile, profile_id)
    card = services.current_card(profile.id)
    if card is None:
        return _no_card(profile)
    reason = reissues.reason_from(request.form.get("reason"))
    reissues.reissue(profile, card, reason, current_user)
    db.session.commit()
    flash(f"New card issued for {profile.full_name}. The old card now reads REVOKED.", "success")
    return redirect(url_for("l.players.show", profile_id=profile.id), 303)


def _no_card(profile: PlayerProfile):
    flash(f"{profile.first_name} has no card to reissue yet.", "error")
    return redirect(url_for("l.players.show", profile_id=profile.id), 303)
