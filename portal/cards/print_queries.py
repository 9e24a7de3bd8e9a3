"""Reads behind the print page: which players the admin's filters choose, and the
league's recent print jobs.

Scoped to the current league by the tenancy filter, so another league's
players, teams or programs never match, even by a forged id. A selection runs
a fixed handful of queries however many players match (profiles, their
current cards, their paid terms, their teams, the age groups); each card's
status is then worked out in memory by the same function the check page uses,
so the sheet and a scan can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select

from portal.cards import card_queries, team_queries
from portal.cards.content import terms_by_profile
from portal.cards.models import PrintJob, Team, TeamPlayer
from portal.cards.status import VERDICTS, verdict
from portal.core.paging import positive_id
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus, Plan, Program
from portal.players import queries as player_queries
from portal.players import rules
from portal.players.models import AgeGroup, PlayerProfile, ProfileStatus

NO_CARD = "none"
ANY_STATUS = "any"
DEFAULT_STATUS = "valid"  # a sheet of EXPIRED or PENDING cards is rarely what is meant
STATUS_CHOICES = (
    (ANY_STATUS, "Any status"),
    ("valid", "Valid"),
    ("not_yet_valid", "Not yet valid"),
    ("pending", "Pending approval"),
    ("suspended", "Suspended"),
    ("expired", "Expired"),
    ("cancelled", "Refunded / cancelled"),
    (NO_CARD, "No card yet"),
)
RECENT_JOBS = 10


@dataclass(frozen=True)
class PrintFilters:
    """Who to print, from a query string or a form; bad values are dropped, never refused.

    The card status starts at "valid" (the page opens on it, and a form or link without
    a status means it); "Any status" is chosen explicitly (`status=any`, kept as ""),
    so it survives the trip into the print form and back.
    """

    program_id: int | None = None
    team_id: int | None = None
    age_group_id: int | None = None
    status: str = DEFAULT_STATUS  # a verdict code, NO_CARD, or "": any status

    @classmethod
    def read(cls, values: Mapping[str, str]) -> PrintFilters:
        status = values.get("status")
        if status is None:
            status = DEFAULT_STATUS
        elif status in (ANY_STATUS, ""):
            status = ""
        elif status not in dict(STATUS_CHOICES):
            status = DEFAULT_STATUS
        return cls(
            program_id=positive_id(values.get("program")),
            team_id=positive_id(values.get("team")),
            age_group_id=positive_id(values.get("age_group")),
            status=status,
        )

    def args(self) -> dict:
        """The filters as query arguments (empty ones left out; the status always in,
        "any" for any, so that the form's choice is carried as it is)."""
        values = {
            "program": self.program_id,
            "team": self.team_id,
            "age_group": self.age_group_id,
            "status": self.status or ANY_STATUS,
        }
        return {key: value for key, value in values.items() if value}

    @property
    def choice(self) -> str:
        """The status as the form's select names it."""
        return self.status or ANY_STATUS

    @property
    def active(self) -> bool:
        """Anything chosen other than what the page opens with."""
        return self != PrintFilters()


@dataclass(frozen=True)
class Candidate:
    """A player the filters chose, with what their card says today."""

    profile_id: int
    name: str
    team: str | None
    shirt: str
    age_group: str | None
    code: str  # a verdict code, or "none": no current card
    reason: str = ""  # why a player without a card has none

    @property
    def word(self) -> str:
        return VERDICTS[self.code][0] if self.code in VERDICTS else "NO CARD"

    @property
    def tone(self) -> str:
        return VERDICTS[self.code][1] if self.code in VERDICTS else "none"


@dataclass
class Selection:
    filters: PrintFilters
    players: list[Candidate] = field(default_factory=list)  # with a card: printed
    skipped: list[Candidate] = field(default_factory=list)  # without one: listed only

    @property
    def profile_ids(self) -> list[int]:
        return [player.profile_id for player in self.players]


@dataclass(frozen=True)
class FilterOptions:
    programs: list[Program]
    teams: list[Team]
    age_groups: list[AgeGroup]


def filter_options() -> FilterOptions:
    """The league's programs, teams and age groups, for the filter form."""
    return FilterOptions(
        programs=team_queries.programs(),
        teams=list(db.session.scalars(select(Team).order_by(func.lower(Team.name), Team.id))),
        age_groups=player_queries.age_groups(),
    )


def _matching(filters: PrintFilters) -> Select:
    """The profiles the program and team filters allow (age group and status come later)."""
    query = select(PlayerProfile.id)
    if filters.program_id:
        query = query.where(
            PlayerProfile.id.in_(
                select(Membership.profile_id)
                .join(Plan, Plan.id == Membership.plan_id)
                .where(
                    Plan.program_id == filters.program_id,
                    Membership.status != MembershipStatus.PENDING_PAYMENT,
                )
            )
        )
    if filters.team_id:
        query = query.where(
            PlayerProfile.id.in_(
                select(TeamPlayer.profile_id).where(TeamPlayer.team_id == filters.team_id)
            )
        )
    return query


def select_players(filters: PrintFilters, league, today: date) -> Selection:
    """The league's players that match every filter, by name; those with a current card
    are printed, the others listed as skipped with the reason."""
    ids = _matching(filters)
    profiles = db.session.scalars(
        select(PlayerProfile)
        .where(PlayerProfile.id.in_(ids))
        .order_by(
            func.lower(PlayerProfile.last_name),
            func.lower(PlayerProfile.first_name),
            PlayerProfile.id,
        )
    ).all()
    with_card = card_queries.profiles_with_cards(ids)
    terms = terms_by_profile(ids, with_plans=False)
    teams = _teams(ids, filters.team_id)
    groups = player_queries.age_groups()
    selection = Selection(filters)
    for profile in profiles:
        group = rules.age_group_for(rules.league_age(profile.date_of_birth, league), groups)
        if filters.age_group_id and (group is None or group.id != filters.age_group_id):
            continue
        has_card = profile.id in with_card
        code = (
            NO_CARD
            if not has_card
            else verdict(
                card_exists=True,
                revoked=False,
                profile_status=profile.status,
                terms=terms[profile.id],
                today=today,
            ).code
        )
        if filters.status and code != filters.status:
            continue
        team, shirt = teams.get(profile.id, (None, ""))
        candidate = Candidate(
            profile.id,
            profile.full_name,
            team,
            shirt,
            group.name if group else None,
            code,
            "" if has_card else _no_card_reason(profile, terms[profile.id]),
        )
        (selection.players if has_card else selection.skipped).append(candidate)
    return selection


def _teams(ids: Select, team_id: int | None) -> dict[int, tuple[str, str]]:
    """Each player's team and shirt number: the filtered team, else their first team."""
    rows = db.session.execute(
        select(TeamPlayer.profile_id, Team.name, TeamPlayer.number)
        .join(Team, Team.id == TeamPlayer.team_id)
        .where(TeamPlayer.profile_id.in_(ids))
        .order_by(TeamPlayer.id.desc())
    ).all()
    found = {}
    for profile_id, name, number in rows:  # oldest last: the first team wins, like the card
        found[profile_id] = (name, number)
    if team_id:
        chosen = db.session.execute(
            select(TeamPlayer.profile_id, Team.name, TeamPlayer.number)
            .join(Team, Team.id == TeamPlayer.team_id)
            .where(TeamPlayer.team_id == team_id)
        ).all()
        found.update({profile_id: (name, number) for profile_id, name, number in chosen})
    return found


def _no_card_reason(profile: PlayerProfile, terms: list[Membership]) -> str:
    if profile.status != ProfileStatus.VERIFIED:
        return f"Profile not verified ({profile.status.label.lower()})"
    if not terms:
        return "No paid membership"
    return "Card not made yet"


def recent_jobs(limit: int = RECENT_JOBS) -> list[PrintJob]:
    """The league's latest print jobs, newest first."""
    return list(
        db.session.scalars(
            select(PrintJob).order_by(PrintJob.created_at.desc(), PrintJob.id.desc()).limit(limit)
        )
    )
