"""What a card shows, gathered once, and the hash that names its PDF.

Everything printed on the card goes into `card_content`; its hash changes
exactly when the printed card would change, so the worker renders a PDF
only for content it has not rendered before.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.cards.models import Card, Team, TeamPlayer
from portal.cards.status import Verdict, verdict
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus, Plan
from portal.players import queries as player_queries
from portal.players import rules

# Bump when the card's design changes: every card's hash changes, so each is made again.
DESIGN_VERSION = 1


def terms_of(profile_id: int) -> list[Membership]:
    """The player's paid terms (any state but waiting for payment), with their plans."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(
                Membership.profile_id == profile_id,
                Membership.status != MembershipStatus.PENDING_PAYMENT,
            )
            .options(selectinload(Membership.plan).selectinload(Plan.program))
        )
    )


def card_verdict(card: Card | None, today: date, terms: list[Membership] | None = None) -> Verdict:
    if card is None:
        return verdict(card_exists=False, revoked=False, profile_status=None, terms=[], today=today)
    return verdict(
        card_exists=True,
        revoked=card.revoked,
        profile_status=card.profile.status,
        terms=terms if terms is not None else terms_of(card.profile_id),
        today=today,
    )


def team_of(profile_id: int) -> tuple[Team | None, str]:
    row = db.session.scalars(
        select(TeamPlayer)
        .where(TeamPlayer.profile_id == profile_id)
        .options(selectinload(TeamPlayer.team))
        .order_by(TeamPlayer.id)
    ).first()
    return (row.team, row.number) if row else (None, "")


def member_number(profile) -> str:
    """Stable for the player in the league, short enough to read out over a phone."""
    return f"{profile.league_id:02d}-{profile.id:06d}"


def card_content(card: Card, today: date, terms: list[Membership] | None = None) -> dict:
    """Everything the printed card shows, as plain data (dates as ISO strings). `terms`:
    the player's paid terms when the caller has them already (see `terms_of`)."""
    profile = card.profile
    league = profile.league
    terms = terms if terms is not None else terms_of(profile.id)
    status = card_verdict(card, today, terms)
    shown = [
        t
        for t in terms
        if t.starts_on
        and t.ends_on
        and t.starts_on <= (status.valid_through or today)
        and t.ends_on >= (status.valid_from or today)
    ]
    plan = max(shown, key=lambda t: t.ends_on).plan if shown else None
    team, number = team_of(profile.id)
    group = rules.age_group_for(
        rules.league_age(profile.date_of_birth, league), player_queries.age_groups()
    )
    content = {
        "design": DESIGN_VERSION,
        "league": {
            "name": league.name,
            "sport": league.sport,
            "primary": league.primary_color,
            "secondary": league.secondary_color,
            "logo_key": league.logo_key,
            "contact": league.contact_email or league.contact_phone or league.website,
        },
        "name": profile.full_name,
        "birth_date": profile.date_of_birth.isoformat() if league.card_shows_birth_date else None,
        "age_group": group.name if group else None,
        "member_number": member_number(profile),
        "program": plan.program.name if plan else None,
        "plan": plan.name if plan else None,
        "team": team.name if team else None,
        "shirt": number or None,
        "valid_from": status.valid_from.isoformat() if status.valid_from else None,
        "valid_through": status.valid_through.isoformat() if status.valid_through else None,
        "status": status.code,
        "status_word": status.word,
        "photo_key": profile.photo_key,
        "verify_url": absolute_url("check.verify", token=card.token),
    }
    return content


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
