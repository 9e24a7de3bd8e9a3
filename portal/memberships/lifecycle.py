"""A membership's life: pending payment -> active -> expired, with suspension,
cancellation and refund on the side.

Every change is a conditional UPDATE from the states it may come from, so a
payment confirmed twice activates once and a nightly job run twice changes
nothing the second time.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

from sqlalchemy import func, select, update

from portal.core.db import conditional_update, new_params, utcnow
from portal.core.signals import player_card_changed
from portal.extensions import db
from portal.memberships.models import DurationUnit, Membership, MembershipStatus, Plan, TermKind
from portal.players.services import today_in

CURRENT = (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)


class MembershipError(ValueError):
    """A change the membership's state does not allow; the message is for the admin."""


def add_duration(start: date, amount: int, unit: DurationUnit) -> date:
    """The day a term of `amount` `unit`s starting on `start` ends (inclusive).

    Months and years keep the day of the month where they can (31 January + 1
    month ends on 28 or 29 February), so no member loses or gains a day.
    """
    if unit == DurationUnit.DAYS:
        return start + timedelta(days=amount - 1)
    if unit == DurationUnit.WEEKS:
        return start + timedelta(weeks=amount) - timedelta(days=1)
    months = amount * (12 if unit == DurationUnit.YEARS else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:  # no such day that month: the term runs to its last day
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def current_end(profile_id: int, plan_id: int) -> date | None:
    """The last day already paid for on this plan (active or suspended terms)."""
    return db.session.scalar(
        select(func.max(Membership.ends_on)).where(
            Membership.profile_id == profile_id,
            Membership.plan_id == plan_id,
            Membership.status.in_(CURRENT),
        )
    )


def term_dates(plan: Plan, profile_id: int, today: date) -> tuple[date, date]:
    """Where a newly paid term starts and ends.

    A season has its own dates. A rolling term starts today, or, for a
    renewal paid while the current term still runs, the day after it ends.
    """
    if plan.term == TermKind.FIXED:
        return plan.season_start, plan.season_end
    return dates_after(plan, current_end(profile_id, plan.id), today)


def dates_after(plan: Plan, end: date | None, today: date) -> tuple[date, date]:
    """A rolling term's dates, given the last day already paid (`end`, or None): no
    day is lost by renewing early, and a lapsed player starts again today."""
    start = end + timedelta(days=1) if end and end >= today else today
    return start, add_duration(start, plan.duration, plan.duration_unit)


def _move(membership: Membership, from_states, **values) -> bool:
    """One conditional UPDATE; the row it changed comes back through RETURNING and
    refreshes `membership` (no second SELECT). When the states did not allow it, the
    row is read again, so the caller sees what another worker made of it."""
    moved = db.session.scalars(
        _move_statement(tuple(values)),
        {
            "membership_id": membership.id,
            "from_states": list(from_states),
            **new_params(values),
        },
    ).first()
    if moved is None:
        db.session.refresh(membership)
        return False
    player_card_changed.send(membership, profile_id=membership.profile_id)
    return True


@cache
def _move_statement(names: tuple[str, ...]):
    """`UPDATE memberships SET <names> WHERE id = :membership_id AND status IN
    :from_states RETURNING *`, built once per set of columns: making and keying the
    statement cost the payment worker more CPU than running it."""
    return conditional_update(
        Membership,
        "membership_id",
        states="from_states",
        names=names,
        returning=(Membership,),
        populate_existing=True,
    )


def activate(membership: Membership) -> bool:
    """Payment confirmed: the term starts (today, on its season's date, or after the
    current term). True if this call activated it."""
    starts, ends = term_dates(
        membership.plan, membership.profile_id, today_in(membership.plan.league)
    )
    return _move(
        membership,
        (MembershipStatus.PENDING_PAYMENT, MembershipStatus.CANCELLED),
        status=MembershipStatus.ACTIVE,
        starts_on=starts,
        ends_on=ends,
        activated_at=utcnow(),
        ended_at=None,
        end_reason="",
    )


def cancel_unpaid(membership: Membership, reason: str) -> bool:
    """The checkout was abandoned or the payment failed: release the place."""
    return _move(
        membership,
        (MembershipStatus.PENDING_PAYMENT,),
        status=MembershipStatus.CANCELLED,
        ended_at=utcnow(),
        end_reason=reason,
    )


def end_refunded(membership: Membership) -> bool:
    """Fully refunded: the card no longer reads as valid."""
    return _move(
        membership,
        (*CURRENT, MembershipStatus.EXPIRED, MembershipStatus.PENDING_PAYMENT),
        status=MembershipStatus.REFUNDED,
        ended_at=utcnow(),
        end_reason="Payment refunded",
    )


def cancel(membership: Membership, reason: str) -> bool:
    """An admin ends a term early (without a refund: refunds go through payments)."""
    if not reason.strip():
        raise MembershipError("Say why the membership is cancelled.")
    return _move(
        membership,
        CURRENT,
        status=MembershipStatus.CANCELLED,
        ended_at=utcnow(),
        end_reason=reason,
        suspended_until=None,  # a cancelled term is no longer suspended
        suspension_reason="",
    )


def suspend(membership: Membership, reason: str, until: date | None) -> bool:
    """Suspend until a date (lifted automatically the day after) or until lifted by hand."""
    if not reason.strip():
        raise MembershipError("Say why the membership is suspended.")
    if until is not None and until < today_in(membership.plan.league):
        raise MembershipError("The suspension must end today or later.")
    return _move(
        membership,
        CURRENT,
        status=MembershipStatus.SUSPENDED,
        suspended_until=until,
        suspension_reason=reason.strip(),
    )


def lift(membership: Membership) -> bool:
    return _move(
        membership,
        (MembershipStatus.SUSPENDED,),
        status=MembershipStatus.ACTIVE,
        suspended_until=None,
        suspension_reason="",
    )


def expire_due(today: date) -> int:
    """Terms whose last day has passed become expired (the league's "today")."""
    return _moved_by_date(
        update(Membership)
        .where(Membership.status.in_(CURRENT), Membership.ends_on < today)
        .values(status=MembershipStatus.EXPIRED, ended_at=utcnow(), end_reason="Term ended")
    )


def lift_ended_suspensions(today: date) -> int:
    """Suspensions whose end date has passed are lifted."""
    return _moved_by_date(
        update(Membership)
        .where(
            Membership.status == MembershipStatus.SUSPENDED,
            Membership.suspended_until.is_not(None),
            Membership.suspended_until < today,
        )
        .values(status=MembershipStatus.ACTIVE, suspended_until=None, suspension_reason="")
    )


def _moved_by_date(statement) -> int:
    """Run a bulk move; each player whose term moved gets their card remade."""
    profile_ids = db.session.scalars(
        statement.returning(Membership.profile_id).execution_options(synchronize_session=False)
    ).all()
    for profile_id in set(profile_ids):
        player_card_changed.send(Membership, profile_id=profile_id)
    return len(profile_ids)
