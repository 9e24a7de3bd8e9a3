"""Every model, imported in one place so Alembic and the app see the whole schema."""

from portal.accounts.models import OneTimeToken, User
from portal.leagues.models import Invitation, League, LeagueRole

__all__ = ["Invitation", "League", "LeagueRole", "OneTimeToken", "User"]
