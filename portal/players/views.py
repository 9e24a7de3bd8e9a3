"""Player side: a guardian's players in a league, the profile form, uploads."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from portal.core.htmx import render
from portal.core.permissions import can
from portal.core.tenancy import get_or_404
from portal.players.models import PlayerProfile

bp = Blueprint("players", __name__, url_prefix="/players")


def load_profile(profile_id: int) -> PlayerProfile:
    """The profile, if it is the user's own or the user reviews this league's profiles."""
    profile = get_or_404(PlayerProfile, profile_id)
    if profile.guardian_id != current_user.id and not can("review_profiles"):
        abort(404)
    return profile


@bp.get("/<int:profile_id>")
@login_required
def show(profile_id: int):
    profile = load_profile(profile_id)
    return render("players/show.html", profile=profile)
