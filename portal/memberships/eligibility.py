"""May this player buy this plan now? Every reason why not, in plain words, before paying."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import distinct, func, or_, select

from portal.core.db import utcnow
from portal.extensions import db
from portal.memberships.lifecycle import CURRENT, current_end, dates_after
from portal.memberships.models import Membership, MembershipStatus, Plan, TermKind
from portal.players import queries as player_queries
from portal.players import rules
from portal.players.models import AgeGroup, PlayerProfile
from portal.players.services import FIELD_LABELS, missing_for_submission

# How long an unpaid checkout holds its place in a plan with a capacity.
HOLD = timedelta(hours=1)
PROFILE_FIELDS = {
    "phone": lambda p: bool(p.phone),
    "address": lambda p: bool(p.address),
    "emergency_contact": lambda p: bool(p.emergency_name and p.emergency_phone),
    "photo": lambda p: bool(p.photo_key),
    "gender": lambda p: p.gender is not None,
}


class Problem(str):
    """One reason, in words, with its `kind` (one of the names below), so a page can say
    what the reasons amount to ("only a missing photo": send them to the profile)."""

    CLOSED, AGE, PROFILE, REGISTERED, RENEWAL, CLEARING, FULL = (
        "closed",
        "age",
        "profile",
        "registered",  # a season paid for already
        "renewal",  # a term paid for already, its renewal not open yet
        "clearing",  # a payment for this plan on its way
        "full",
    )
    kind: str

    def __new__(cls, text: str, kind: str) -> Problem:
        problem = super().__new__(cls, text)
        problem.kind = kind
        return problem


def _payment_on_its_way():
    """SQL: the membership's order has a payment the gateway reported but that does not
    count yet: a bank debit still clearing (PROCESSING), or a payment flagged for the
    league to check (NEEDS_ATTENTION with what the gateway reported kept on the order)."""
    from portal.payments.models import Order, OrderLine, OrderStatus  # payments builds on us

    return (
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.membership_id == Membership.id,
            (Order.status == OrderStatus.PROCESSING)
            | ((Order.status == OrderStatus.NEEDS_ATTENTION) & Order.reported_minor.is_not(None)),
        )
        .exists()
    )


def _holds_a_place(plan: Plan, today: date):
    """SQL: the membership holds a place in `plan`: a current term not yet over, a
    checkout started within the hold, or a payment made but not counted yet (a bank
    debit takes days; its place must not go to another family meanwhile)."""
    return (Membership.plan_id == plan.id) & or_(
        Membership.status.in_(CURRENT) & (Membership.ends_on >= today),
        (Membership.status == MembershipStatus.PENDING_PAYMENT)
        & ((Membership.created_at > utcnow() - HOLD) | _payment_on_its_way()),
    )


def taken_places(plan: Plan, today: date) -> int:
    """Places in use: the players holding one (see `_holds_a_place`). A place is a
    player's, not a term's: a member who has paid their renewal (a current term and the
    next one) or has a checkout open holds one place, not two."""
    return db.session.scalar(
        select(func.count(distinct(Membership.profile_id))).where(_holds_a_place(plan, today))
    )


def place_holders(plan: Plan, today: date) -> set[int]:
    """The players (profile ids) holding a place in `plan`: as many as `taken_places`."""
    return set(
        db.session.scalars(
            select(Membership.profile_id).where(_holds_a_place(plan, today)).distinct()
        )
    )


def is_full(plan: Plan, today: date) -> bool:
    return plan.capacity is not None and taken_places(plan, today) >= plan.capacity


def payments_on_their_way(profile_id: int) -> dict[int, str]:
    """The plans (id -> the order's status) the player has a payment on its way for,
    not counted yet: paying for one of them again would charge the family twice."""
    from portal.payments.models import Order, OrderLine

    rows = db.session.execute(
        select(Membership.plan_id, Order.status)
        .join(OrderLine, OrderLine.membership_id == Membership.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Membership.profile_id == profile_id,
            Membership.status == MembershipStatus.PENDING_PAYMENT,
            _payment_on_its_way(),
        )
    ).all()
    return {plan_id: str(status) for plan_id, status in rows}


class Reads:
    """What the checks read from the database, each read once and kept for one request.

    The register page asks about every player x plan: without this it would read a
    plan's places taken again for each player, the age groups for each pair, and
    the last day paid twice per pair (the checks, then the term's dates).
    """

    def __init__(self, today: date):
        self.today = today
        self._ends: dict[tuple[int, int], date | None] = {}
        self._holders: dict[int, set[int]] = {}
        self._groups: list[AgeGroup] | None = None
        self._on_their_way: dict[int, dict[int, str]] = {}

    def current_end(self, profile_id: int, plan_id: int) -> date | None:
        key = (profile_id, plan_id)
        if key not in self._ends:
            self._ends[key] = current_end(profile_id, plan_id)
        return self._ends[key]

    def holders(self, plan: Plan) -> set[int]:
        if plan.id not in self._holders:
            self._holders[plan.id] = place_holders(plan, self.today)
        return self._holders[plan.id]

    def is_full(self, plan: Plan, profile_id: int | None = None) -> bool:
        """No place left for `profile_id`: a player who holds a place already (a member
        renewing, a checkout started again) keeps it, so only the others count."""
        if plan.capacity is None:
            return False
        return len(self.holders(plan) - {profile_id}) >= plan.capacity

    def on_their_way(self, profile_id: int) -> dict[int, str]:
        if profile_id not in self._on_their_way:
            self._on_their_way[profile_id] = payments_on_their_way(profile_id)
        return self._on_their_way[profile_id]

    def age_groups(self) -> list[AgeGroup]:
        if self._groups is None:
            self._groups = player_queries.age_groups()
        return self._groups

    def term_dates(self, plan: Plan, profile_id: int) -> tuple[date, date]:
        """`lifecycle.term_dates`, from the last day paid as already read here."""
        if plan.term == TermKind.FIXED:
            return plan.season_start, plan.season_end
        return dates_after(plan, self.current_end(profile_id, plan.id), self.today)


def renewal_opens_on(plan: Plan, end: date) -> date:
    window = plan.renewal_window_days
    if window is None:
        window = plan.league.renewal_window_days
    return end - timedelta(days=window)


def problems(
    profile: PlayerProfile, plan: Plan, today: date, reads: Reads | None = None
) -> list[Problem]:
    """Why `profile` cannot be registered for `plan` today (empty: it can). `reads`:
    what earlier checks of the same request already read (see `Reads`)."""
    reads = reads or Reads(today)
    found: list[Problem] = []
    name = profile.first_name
    if not plan.is_open or plan.program.archived:
        found.append(Problem("This plan is not taking registrations.", Problem.CLOSED))
    if plan.term == TermKind.FIXED and plan.season_end and plan.season_end < today:
        found.append(Problem("This season is over.", Problem.CLOSED))
    found += [Problem(text, Problem.AGE) for text in _age_problems(profile, plan, reads)]
    missing = [label.lower() for _, label in missing_for_submission(profile)]
    missing += [
        FIELD_LABELS.get(field, field).lower()
        for field in plan.required_fields or []
        if field in PROFILE_FIELDS
        and not PROFILE_FIELDS[field](profile)
        and FIELD_LABELS.get(field, field).lower() not in missing
    ]
    if missing:
        text = f"{name}'s profile needs: " + ", ".join(missing) + "."
        found.append(Problem(text, Problem.PROFILE))
    found += _already_paid(profile, plan, today, reads)
    if not found and reads.is_full(plan, profile.id):
        found.append(Problem("This plan is full.", Problem.FULL))
    return found


def _already_paid(profile: PlayerProfile, plan: Plan, today: date, reads: Reads) -> list[Problem]:
    """A term paid for already, or a payment for this plan on its way: paying again
    would charge twice (a renewal waits for its window)."""
    from portal.payments.models import OrderStatus

    name = profile.first_name
    status = reads.on_their_way(profile.id).get(plan.id)
    if status == OrderStatus.PROCESSING:
        text = (
            f"{name}'s payment for this plan is still clearing at the bank; "
            f"{name} is registered once it does."
        )
        return [Problem(text, Problem.CLEARING)]
    if status is not None:
        text = (
            f"{name}'s payment for this plan is being checked by the league; "
            "nothing more to pay for now."
        )
        return [Problem(text, Problem.CLEARING)]
    end = reads.current_end(profile.id, plan.id)
    if end is None or end < today:
        return []
    if plan.term == TermKind.FIXED:
        return [Problem(f"{name} is already registered for this season.", Problem.REGISTERED)]
    if today < (opens := renewal_opens_on(plan, end)):
        text = f"{name} is a member until {end:%d %b %Y}; renewal opens on {opens:%d %b %Y}."
        return [Problem(text, Problem.RENEWAL)]
    return []


def _age_problems(profile: PlayerProfile, plan: Plan, reads: Reads) -> list[str]:
    name, born = profile.first_name, profile.date_of_birth
    found = []
    if plan.born_from and born < plan.born_from:
        found.append(f"This plan is for players born on or after {plan.born_from:%d %b %Y}.")
    if plan.born_to and born > plan.born_to:
        found.append(f"This plan is for players born on or before {plan.born_to:%d %b %Y}.")
    if plan.age_group_ids:
        groups = reads.age_groups()
        group = rules.age_group_for(rules.league_age(born, profile.league), groups)
        allowed = [g.name for g in groups if g.id in set(plan.age_group_ids)]
        if group is None or group.id not in set(plan.age_group_ids):
            where = f"in {group.name}" if group else "in none of the league's age groups"
            found.append(f"{name} is {where}; this plan is for {', '.join(allowed) or 'no group'}.")
    return found
