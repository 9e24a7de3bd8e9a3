"""Reads for the teams pages, the referee's rosters and the check log.

Scoped to the current league by the tenancy filter. A roster runs a fixed
handful of queries however long it is: the players with their profiles, all
their current cards, and all their membership terms, each in one query; the
verdict of each card is then worked out in memory by the same function the
check page uses, so the roster and a scan can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.cards.content import card_verdict
from portal.cards.models import Card, CardCheck, Team, TeamPlayer
from portal.cards.status import VERDICTS, Verdict
from portal.extensions import db
from portal.memberships.admin_queries import Page
from portal.memberships.models import Membership, MembershipStatus, Program
from portal.players.models import PlayerProfile, ProfileStatus

CHECKS_PER_PAGE = 50


@dataclass(frozen=True)
class TeamSummary:
    team: Team
    players: int
    program: str | None


def teams() -> list[TeamSummary]:
    """Every team of the league by name, with its number of players and its program."""
    rows = db.session.execute(
        select(Team, func.count(TeamPlayer.id), Program.name)
        .outerjoin(TeamPlayer, TeamPlayer.team_id == Team.id)
        .outerjoin(Program, Program.id == Team.program_id)
        .group_by(Team.id, Program.name)
        .order_by(func.lower(Team.name), Team.id)
    ).all()
    return [TeamSummary(team, count, program) for team, count, program in rows]


def programs() -> list[Program]:
    """The programs a team can belong to (archived last)."""
    return list(
        db.session.scalars(select(Program).order_by(Program.archived, Program.position, Program.id))
    )


def _shirt_order(entry: TeamPlayer) -> tuple:
    """By shirt number (as a number, "00" before "0"), players without one last, then name."""
    number = entry.number
    key = (0, int(number), -len(number)) if number.isdigit() else (1, 0, 0)
    return (*key, entry.profile.last_name.lower(), entry.profile.first_name.lower())


def team_players(team: Team) -> list[TeamPlayer]:
    """The team's players with their profiles, in shirt-number order."""
    entries = db.session.scalars(
        select(TeamPlayer)
        .where(TeamPlayer.team_id == team.id)
        .options(selectinload(TeamPlayer.profile))
    ).all()
    return sorted(entries, key=_shirt_order)


def addable_players(team: Team) -> list[PlayerProfile]:
    """Verified players of the league who are not on the team yet, by name."""
    on_team = select(TeamPlayer.profile_id).where(TeamPlayer.team_id == team.id)
    return list(
        db.session.scalars(
            select(PlayerProfile)
            .where(
                PlayerProfile.status == ProfileStatus.VERIFIED,
                PlayerProfile.id.not_in(on_team),
            )
            .order_by(func.lower(PlayerProfile.last_name), func.lower(PlayerProfile.first_name))
        )
    )


# -- the referee's roster --------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    entry: TeamPlayer
    card: Card | None
    verdict: Verdict

    @property
    def profile(self) -> PlayerProfile:
        return self.entry.profile


def roster(team: Team, today: date) -> list[RosterRow]:
    """Each player of the team with their current card and what it says today.

    Four queries in all (players, profiles, cards, terms), whatever the team's size.
    """
    entries = team_players(team)
    ids = [entry.profile_id for entry in entries]
    cards = (
        {
            card.profile_id: card
            for card in db.session.scalars(
                select(Card).where(Card.profile_id.in_(ids), Card.revoked_at.is_(None))
            )
        }
        if ids
        else {}
    )
    terms: dict[int, list[Membership]] = defaultdict(list)
    if ids:
        for term in db.session.scalars(
            select(Membership).where(
                Membership.profile_id.in_(ids),
                Membership.status != MembershipStatus.PENDING_PAYMENT,
            )
        ):
            terms[term.profile_id].append(term)
    rows = []
    for entry in entries:
        card = cards.get(entry.profile_id)
        rows.append(RosterRow(entry, card, card_verdict(card, today, terms[entry.profile_id])))
    return rows


# -- the check log -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckFilters:
    """The log's filters from a query string (unknown values are ignored)."""

    result: str = ""
    referee: int | None = None
    page: int = 1

    @classmethod
    def read(cls, values) -> CheckFilters:
        result, referee, page = (values.get(k, "") for k in ("result", "referee", "page"))
        return cls(
            result=result if result in VERDICTS else "",
            referee=int(referee) if referee.isdigit() and 0 < int(referee) < 2**31 else None,
            page=min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1,
        )

    def args(self, **changes) -> dict:
        """Query-string values for a link, defaults left out."""
        values = {"result": self.result, "referee": self.referee, "page": self.page}
        values.update(changes)
        defaults = {"result": "", "referee": None, "page": 1}
        return {k: v for k, v in values.items() if v != defaults[k]}


def checks(filters: CheckFilters, per_page: int = CHECKS_PER_PAGE) -> Page:
    """One page of the league's card checks, newest first, with who made each."""
    conditions = []
    if filters.result:
        conditions.append(CardCheck.result == filters.result)
    if filters.referee:
        conditions.append(CardCheck.checked_by_id == filters.referee)
    total = db.session.scalar(select(func.count(CardCheck.id)).where(*conditions))
    page = min(filters.page, max(1, -(-total // per_page)))
    rows = db.session.scalars(
        select(CardCheck)
        .where(*conditions)
        .order_by(CardCheck.checked_at.desc(), CardCheck.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
        .options(selectinload(CardCheck.checked_by))
    ).all()
    return Page(list(rows), total, page, per_page)


def checkers() -> list[User]:
    """Everyone who has checked a card in the league, for the log's filter."""
    made = select(CardCheck.checked_by_id).where(CardCheck.checked_by_id.is_not(None))
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(made)).order_by(func.lower(User.full_name))
        )
    )
