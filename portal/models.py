"""Every model, imported in one place so Alembic and the app see the whole schema."""

from portal.accounts.models import OneTimeToken, User
from portal.leagues.models import Invitation, League, LeagueRole
from portal.players.models import AgeGroup, PlayerProfile, ProfileEvent, StagedUpload

__all__ = [
    "AgeGroup",
    "Invitation",
    "League",
    "LeagueRole",
    "OneTimeToken",
    "PlayerProfile",
    "ProfileEvent",
    "StagedUpload",
    "User",
]
