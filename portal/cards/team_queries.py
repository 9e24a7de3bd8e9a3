"""Reads for the teams pages, the referee's rosters and the check log.

Scoped to the current league by the tenancy filter. A roster runs a fixed
handful of queries however long it is: the players with their profiles, all
their current cards, and all their membership terms, each in one query; the
verdict of each card is then worked out in memory by the same function the
check page uses, so the roster and a scan can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.cards.card_queries import current_cards
from portal.cards.content import card_verdict, terms_by_profile
from portal.cards.models import Card, CardCheck, Team, TeamPlayer
from portal.cards.status import VERDICTS, Verdict
from portal.core.paging import Page, page_number, paginate, positive_id
from portal.extensions import db
from portal.memberships.models import Program
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


def roster_order(number: str | None, profile: PlayerProfile) -> tuple:
    """How every roster lists players, on screen and on the printed sheet: by shirt
    number as a number ("00" just before "0"), players without one last, then by last
    and first name. Shirt numbers are digits or nothing (see team_services.NUMBER)."""
    number = number or ""
    key = (0, int(number), -len(number)) if number.isascii() and number.isdigit() else (1, 0, 0)
    return (*key, profile.last_name.casefold(), profile.first_name.casefold())


def team_players(team: Team) -> list[TeamPlayer]:
    """The team's players with their profiles, in shirt-number order."""
    entries = db.session.scalars(
        select(TeamPlayer)
        .where(TeamPlayer.team_id == team.id)
        .options(selectinload(TeamPlayer.profile))
    ).all()
    return sorted(entries, key=lambda entry: roster_order(entry.number, entry.profile))


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
    cards = current_cards(ids)
    terms = terms_by_profile(ids, with_plans=False)
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
            referee=positive_id(referee),
            page=page_number(page),
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
    query = (
        select(CardCheck)
        .where(*conditions)
        .order_by(CardCheck.checked_at.desc(), CardCheck.id.desc())
    )
    return paginate(query, filters.page, per_page, selectinload(CardCheck.checked_by))


def checkers() -> list[User]:
    """Everyone who has checked a card in the league, for the log's filter."""
    made = select(CardCheck.checked_by_id).where(CardCheck.checked_by_id.is_not(None))
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(made)).order_by(func.lower(User.full_name))
        )
    )
