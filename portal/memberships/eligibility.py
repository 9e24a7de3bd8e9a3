"""May this player buy this plan now? Every reason why not, in plain words, before paying."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select

from portal.core.db import utcnow
from portal.extensions import db
from portal.memberships.lifecycle import CURRENT, current_end
from portal.memberships.models import Membership, MembershipStatus, Plan, TermKind
from portal.players import queries as player_queries
from portal.players import rules
from portal.players.models import PlayerProfile
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


def taken_places(plan: Plan, today: date) -> int:
    """Places in use: current terms not yet over, checkouts started within the hold, and
    payments already made but still clearing (a bank debit takes days; its place must
    not go to another family meanwhile)."""
    from portal.payments.models import Order, OrderLine, OrderStatus  # payments builds on us

    clearing = (
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.membership_id == Membership.id, Order.status == OrderStatus.PROCESSING)
        .exists()
    )
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.plan_id == plan.id,
            or_(
                Membership.status.in_(CURRENT) & (Membership.ends_on >= today),
                (Membership.status == MembershipStatus.PENDING_PAYMENT)
                & ((Membership.created_at > utcnow() - HOLD) | clearing),
            ),
        )
    )


def is_full(plan: Plan, today: date) -> bool:
    return plan.capacity is not None and taken_places(plan, today) >= plan.capacity


def renewal_opens_on(plan: Plan, end: date) -> date:
    window = plan.renewal_window_days
    if window is None:
        window = plan.league.renewal_window_days
    return end - timedelta(days=window)


def problems(profile: PlayerProfile, plan: Plan, today: date) -> list[str]:
    """Why `profile` cannot be registered for `plan` today (empty: it can)."""
    found: list[str] = []
    name = profile.first_name
    if not plan.is_open or plan.program.archived:
        found.append("This plan is not taking registrations.")
    if plan.term == TermKind.FIXED and plan.season_end and plan.season_end < today:
        found.append("This season is over.")
    found += _age_problems(profile, plan)
    missing = [label.lower() for _, label in missing_for_submission(profile)]
    missing += [
        FIELD_LABELS.get(field, field).lower()
        for field in plan.required_fields or []
        if field in PROFILE_FIELDS
        and not PROFILE_FIELDS[field](profile)
        and FIELD_LABELS.get(field, field).lower() not in missing
    ]
    if missing:
        found.append(f"{name}'s profile needs: " + ", ".join(missing) + ".")
    end = current_end(profile.id, plan.id)
    if end is not None and end >= today:
        if plan.term == TermKind.FIXED:
            found.append(f"{name} is already registered for this season.")
        elif today < renewal_opens_on(plan, end):
            opens = renewal_opens_on(plan, end)
            found.append(
                f"{name} is a member until {end:%d %b %Y}; renewal opens on {opens:%d %b %Y}."
            )
    if not found and is_full(plan, today):
        found.append("This plan is full.")
    return found


def _age_problems(profile: PlayerProfile, plan: Plan) -> list[str]:
    name, born = profile.first_name, profile.date_of_birth
    found = []
    if plan.born_from and born < plan.born_from:
        found.append(f"This plan is for players born on or after {plan.born_from:%d %b %Y}.")
    if plan.born_to and born > plan.born_to:
        found.append(f"This plan is for players born on or before {plan.born_to:%d %b %Y}.")
    if plan.age_group_ids:
        groups = player_queries.age_groups()
        group = rules.age_group_for(rules.league_age(born, profile.league), groups)
        allowed = [g.name for g in groups if g.id in set(plan.age_group_ids)]
        if group is None or group.id not in set(plan.age_group_ids):
            where = f"in {group.name}" if group else "in none of the league's age groups"
            found.append(f"{name} is {where}; this plan is for {', '.join(allowed) or 'no group'}.")
    return found
