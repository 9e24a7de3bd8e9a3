"""Every model, imported in one place so Alembic and the app see the whole schema."""

from portal.accounts.models import OneTimeToken, User
from portal.cards.models import Card, CardCheck, PrintJob, Team, TeamPlayer
from portal.leagues.models import Invitation, League, LeagueRole
from portal.memberships.models import AgreementAcceptance, Membership, Plan, Program
from portal.payments.models import (
    GatewayObject,
    Order,
    OrderLine,
    ReconciliationRun,
    Refund,
    WebhookEvent,
)
from portal.players.models import AgeGroup, PlayerProfile, ProfileEvent, StagedUpload

__all__ = [
    "AgeGroup",
    "AgreementAcceptance",
    "Card",
    "CardCheck",
    "GatewayObject",
    "Invitation",
    "League",
    "LeagueRole",
    "Membership",
    "OneTimeToken",
    "Order",
    "OrderLine",
    "Plan",
    "PlayerProfile",
    "PrintJob",
    "ProfileEvent",
    "Program",
    "ReconciliationRun",
    "Refund",
    "StagedUpload",
    "Team",
    "TeamPlayer",
    "User",
    "WebhookEvent",
]
