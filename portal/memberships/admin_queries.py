"""Reads for the programs and memberships pages, and what the public sees of a plan.

All scoped to the current league by the tenancy filter. A page runs a fixed
handful of queries however many rows it shows: related rows are loaded in
one go (`selectinload`, one grouped count), never one query per row, except
the places taken of each plan, which come from `eligibility.taken_places` so
the number an admin sees is the very number registration checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.core.money import format_money
from portal.core.paging import Page, page_number, paginate, positive_id
from portal.extensions import db
from portal.memberships import eligibility
from portal.memberships.lifecycle import CURRENT
from portal.memberships.models import (
    AgreementAcceptance,
    Membership,
    MembershipStatus,
    Plan,
    Program,
    TermKind,
)
from portal.players import rules
from portal.players.models import AgeGroup, PlayerProfile

PER_PAGE = 50
# The memberships list's status filter: URL value -> (label, statuses; None: every status).
STATUS_FILTERS: dict[str, tuple[str, tuple[MembershipStatus, ...] | None]] = {
    "current": ("Current (active or suspended)", CURRENT),
    **{status.value: (status.label, (status,)) for status in MembershipStatus},
    "all": ("Every status", None),
}


def programs_with_plans() -> list[Program]:
    """Every program of the league, archived ones too, each with its plans."""
    return list(
        db.session.scalars(
            select(Program)
            .order_by(Program.archived, Program.position, Program.id)
            .options(selectinload(Program.plans))
        )
    )


def all_plans() -> list[Plan]:
    """Every plan (closed and archived ones too), in page order, for the list's filter."""
    return list(
        db.session.scalars(
            select(Plan)
            .join(Plan.program)
            .order_by(Program.archived, Program.position, Program.id, Plan.position, Plan.id)
            .options(selectinload(Plan.program))
        )
    )


def acceptance_counts(plan: Plan) -> list[tuple[int, int]]:
    """How many acceptances each version of the plan's agreement has: newest version first."""
    rows = db.session.execute(
        select(AgreementAcceptance.version, func.count())
        .where(AgreementAcceptance.plan_id == plan.id)
        .group_by(AgreementAcceptance.version)
        .order_by(AgreementAcceptance.version.desc())
    ).all()
    return [(version, count) for version, count in rows]


def default_currency() -> str:
    """The currency of the league's newest plan: one league rarely charges in two."""
    return db.session.scalar(select(Plan.currency).order_by(Plan.id.desc()).limit(1)) or "usd"


# -- the memberships list ------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The memberships list's filters, read from a query string (unknown values ignored)."""

    plan_id: int | None = None
    status: str = "current"
    q: str = ""
    page: int = 1

    @classmethod
    def read(cls, values) -> Filters:
        status = values.get("status", "current")
        return cls(
            plan_id=positive_id(values.get("plan")),
            status=status if status in STATUS_FILTERS else "current",
            q=" ".join(values.get("q", "").split())[:80],
            page=page_number(values.get("page")),
        )

    def args(self, **changes) -> dict:
        """Query-string values for a link (defaults left out, so links stay short)."""
        values = {"plan": self.plan_id, "status": self.status, "q": self.q, "page": self.page}
        values.update(changes)
        defaults = {"plan": None, "status": "current", "q": "", "page": 1}
        return {k: v for k, v in values.items() if v != defaults[k]}


def memberships(filters: Filters, per_page: int = PER_PAGE) -> Page[Membership]:
    """One page of the league's memberships, newest first, with player, plan and program.

    Joins name the entity (`join(PlayerProfile, ...)`) rather than the relationship: the
    tenancy filter refuses `join(Membership.profile)` when no profile column is selected.
    """
    conditions = []
    if filters.plan_id:
        conditions.append(Membership.plan_id == filters.plan_id)
    statuses = STATUS_FILTERS[filters.status][1]
    if statuses is not None:
        conditions.append(Membership.status.in_(statuses))
    if filters.q:
        name = func.lower(PlayerProfile.first_name + " " + PlayerProfile.last_name)
        conditions.append(name.contains(filters.q.lower(), autoescape=True))
    return paginate(
        select(Membership)
        .join(PlayerProfile, Membership.profile_id == PlayerProfile.id)
        .where(*conditions)
        .order_by(Membership.id.desc()),
        filters.page,
        per_page,
        selectinload(Membership.profile),
        selectinload(Membership.plan).selectinload(Plan.program),
    )


def status_counts() -> dict[str, int]:
    """Memberships per status filter (the numbers in the filter's menu)."""
    counts = dict(
        db.session.execute(
            select(Membership.status, func.count()).group_by(Membership.status)
        ).all()
    )
    return {
        key: sum(counts.get(s, 0) for s in statuses) if statuses else sum(counts.values())
        for key, (_, statuses) in STATUS_FILTERS.items()
    }


def order_ids(membership_ids: list[int]) -> dict[int, int]:
    """The order that paid for each membership, for the "Payment" link (refunds live there)."""
    from portal.payments.models import OrderLine

    if not membership_ids:
        return {}
    rows = db.session.execute(
        select(OrderLine.membership_id, OrderLine.order_id).where(
            OrderLine.membership_id.in_(membership_ids)
        )
    ).all()
    return dict(rows)


# -- the roster -------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """A player once, with the term that runs now (or starts next) and, when a renewal
    is paid already, the day it runs to."""

    membership: Membership
    profile: PlayerProfile
    group: AgeGroup | None
    renewed_to: date | None = None


def roster(plan: Plan, today: date) -> list[RosterRow]:
    """The plan's players with a current term (active or suspended, not yet over), by
    name: each once, however many terms they have paid for ahead."""
    rows = db.session.scalars(
        select(Membership)
        .join(PlayerProfile, Membership.profile_id == PlayerProfile.id)
        .where(
            Membership.plan_id == plan.id,
            Membership.status.in_(CURRENT),
            Membership.ends_on >= today,
        )
        .order_by(
            func.lower(PlayerProfile.last_name),
            func.lower(PlayerProfile.first_name),
            Membership.profile_id,
            Membership.starts_on,
            Membership.id,
        )
        .options(selectinload(Membership.profile).selectinload(PlayerProfile.guardian))
    ).all()
    terms: dict[int, list[Membership]] = {}
    for membership in rows:  # a player's terms together, the earliest first
        terms.setdefault(membership.profile_id, []).append(membership)
    groups = _age_groups()
    league = plan.league
    roster_rows = []
    for first, *later in terms.values():
        last = max((m.ends_on for m in later), default=None)
        renewed_to = last if last and last > first.ends_on else None
        roster_rows.append(
            RosterRow(first, first.profile, _group(first.profile, league, groups), renewed_to)
        )
    return roster_rows


def _group(profile: PlayerProfile, league, groups: list[AgeGroup]) -> AgeGroup | None:
    return rules.age_group_for(rules.league_age(profile.date_of_birth, league), groups)


def _age_groups() -> list[AgeGroup]:
    from portal.players.queries import age_groups

    return age_groups()


# -- what a plan is, in words -------------------------------------------------------------


@dataclass(frozen=True)
class PlanFacts:
    """A plan as families and admins read it."""

    price: str
    term: str
    who: str
    capacity: int | None
    taken: int
    over: bool  # a season whose last day has passed

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity


def day(d: date, year: bool = True) -> str:
    """1 Mar 2027 (no leading zero, as people write it)."""
    return f"{d.day} {d:%b}" + (f" {d.year}" if year else "")


def term_text(plan: Plan) -> str:
    """A season's dates ("6 Mar to 12 Jun 2027"), or a rolling term's length."""
    if plan.term == TermKind.FIXED and plan.season_start and plan.season_end:
        same_year = plan.season_start.year == plan.season_end.year
        return f"{day(plan.season_start, not same_year)} to {day(plan.season_end)}"
    if plan.duration and plan.duration_unit:
        unit = plan.duration_unit.value
        unit = unit[:-1] if plan.duration == 1 else unit
        return f"{plan.duration} {unit} from the day you pay"
    return ""


def who_text(plan: Plan, groups: list[AgeGroup]) -> str:
    """Who may join: age groups (with their ages) and a birth date range; "Everyone" if open."""
    parts = []
    chosen = set(plan.age_group_ids or ())
    if chosen:
        parts.append(", ".join(f"{g.name} ({g.span})" for g in groups if g.id in chosen))
    if plan.born_from and plan.born_to:
        parts.append(f"born {day(plan.born_from)} to {day(plan.born_to)}")
    elif plan.born_from:
        parts.append(f"born on or after {day(plan.born_from)}")
    elif plan.born_to:
        parts.append(f"born on or before {day(plan.born_to)}")
    return "; ".join(parts) or "Everyone"


def describe(plan: Plan, today: date, groups: list[AgeGroup], *, count: bool = True) -> PlanFacts:
    """Price, term, who, places and whether the season is over. `count`: look up places
    taken (always for a plan with a capacity; admins also see it for the others)."""
    taken = eligibility.taken_places(plan, today) if count or plan.capacity is not None else 0
    return PlanFacts(
        price=format_money(plan.price_minor, plan.currency),
        term=term_text(plan),
        who=who_text(plan, groups),
        capacity=plan.capacity,
        taken=taken,
        over=bool(plan.term == TermKind.FIXED and plan.season_end and plan.season_end < today),
    )
