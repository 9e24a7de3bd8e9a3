"""What a card shows, gathered once, and the hash that names its PDF.

Everything printed on the card goes into `card_content`; its hash changes
exactly when the printed card would change, so the worker renders a PDF
only for content it has not rendered before.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.cards.models import Card, Team, TeamPlayer
from portal.cards.status import Verdict, verdict
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus, Plan
from portal.players import queries as player_queries
from portal.players import rules
from portal.players.models import AgeGroup

# Bump when the card's design changes: every card's hash changes, so each is made again.
DESIGN_VERSION = 3


def terms_of(profile_id: int) -> list[Membership]:
    """The player's paid terms (any state but waiting for payment), with their plans."""
    return terms_by_profile([profile_id])[profile_id]


def terms_by_profile(
    profile_ids: Iterable[int] | Select, *, with_plans: bool = True
) -> defaultdict[int, list[Membership]]:
    """Each player's paid terms (any state but waiting for payment), in the order they
    were made; a player without one reads as an empty list. The one query for paid
    terms: the card, the print selection and the referee's roster all use it.

    `profile_ids`: ids, or a query of them (the print filters: no long IN list). One
    query, however many players; `with_plans` loads each term's plan and program as
    well (two more), which the printed card shows and a verdict alone does not need.
    """
    terms: defaultdict[int, list[Membership]] = defaultdict(list)
    ids = profile_ids
    if not isinstance(ids, Select):
        ids = list(ids)
        if not ids:
            return terms
    query = (
        select(Membership)
        .where(
            Membership.profile_id.in_(ids),
            Membership.status != MembershipStatus.PENDING_PAYMENT,
        )
        .order_by(Membership.id)
    )
    if with_plans:
        query = query.options(selectinload(Membership.plan).selectinload(Plan.program))
    for term in db.session.scalars(query):
        terms[term.profile_id].append(term)
    return terms


def card_verdict(card: Card | None, today: date, terms: list[Membership] | None = None) -> Verdict:
    if card is None:
        return verdict(card_exists=False, revoked=False, profile_status=None, terms=[], today=today)
    return verdict(
        card_exists=True,
        revoked=card.revoked,
        profile_status=card.profile.status,
        terms=terms if terms is not None else terms_of(card.profile_id),
        today=today,
        # the league is in the session already (a many-to-one by id: no query)
        timezone=card.profile.league.timezone,
    )


def team_of(profile_id: int) -> tuple[Team | None, str]:
    """The player's team (the first joined) and shirt number, or (None, "")."""
    return teams_by_profile([profile_id]).get(profile_id, (None, ""))


def teams_by_profile(profile_ids: Iterable[int]) -> dict[int, tuple[Team, str]]:
    """`team_of` for many players in one go: only the players that are on a team."""
    teams: dict[int, tuple[Team, str]] = {}
    for row in db.session.scalars(
        select(TeamPlayer)
        .where(TeamPlayer.profile_id.in_(list(profile_ids)))
        .options(selectinload(TeamPlayer.team))
        .order_by(TeamPlayer.id)
    ):
        teams.setdefault(row.profile_id, (row.team, row.number))
    return teams


def member_number(profile) -> str:
    """Stable for the player in the league, short enough to read out over a phone."""
    return f"{profile.league_id:02d}-{profile.id:06d}"


def card_content(
    card: Card,
    today: date,
    terms: list[Membership] | None = None,
    *,
    team: tuple[Team | None, str] | None = None,
    groups: list[AgeGroup] | None = None,
) -> dict:
    """Everything the printed card shows, as plain data (dates as ISO strings).

    `terms` (see `terms_of`), `team` (see `team_of`) and the league's age `groups`:
    what the caller has read already (see `card_contents`); read here otherwise.
    """
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
    team, number = team if team is not None else team_of(profile.id)
    groups = groups if groups is not None else player_queries.age_groups()
    group = rules.age_group_for(rules.league_age(profile.date_of_birth, league), groups)
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
        "suspended_until": status.suspended_until.isoformat() if status.suspended_until else None,
        "status": status.code,
        "status_word": status.word,
        "photo_key": profile.photo_key,
        "verify_url": absolute_url("check.verify", token=card.token),
    }
    return content


def card_contents(cards: list[Card], today: date) -> list[dict]:
    """`card_content` of each card (their profiles and league loaded), in order: the
    cards of a print sheet with four queries in all rather than six for each card."""
    profile_ids = [card.profile_id for card in cards]
    terms, teams = terms_by_profile(profile_ids), teams_by_profile(profile_ids)
    groups = player_queries.age_groups()
    return [
        card_content(
            card,
            today,
            terms[card.profile_id],
            team=teams.get(card.profile_id, (None, "")),
            groups=groups,
        )
        for card in cards
    ]


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
