"""Renewal reminders: one email per term, `league.renewal_reminder_days` before it ends.

A term is reminded about once: `Membership.reminder_sent_for` records the end
date the reminder was for, set by a conditional UPDATE before the mail is
queued (and the mail leaves only when that commits). Two runs of the daily
job, even at the same moment, send one email; a renewal that moves the end
date makes the next term's reminder due in its own time.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from portal.core.mail import send_mail
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships.eligibility import renewal_opens_on
from portal.memberships.lifecycle import CURRENT
from portal.memberships.models import Membership, MembershipStatus, Plan, TermKind


def reminders_due(league: League, today: date) -> list[Membership]:
    """Active terms of this league ending within the reminder period, not reminded yet,
    whose renewal is open and that nothing already follows."""
    days = league.renewal_reminder_days
    if days <= 0:  # the league turned reminders off
        return []
    candidates = db.session.scalars(
        select(Membership)
        .where(
            Membership.league_id == league.id,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.ends_on >= today,
            Membership.ends_on <= today + timedelta(days=days),
            or_(
                Membership.reminder_sent_for.is_(None),
                Membership.reminder_sent_for != Membership.ends_on,
            ),
        )
        .order_by(Membership.ends_on, Membership.id)
        .options(
            selectinload(Membership.plan).selectinload(Plan.program),
            selectinload(Membership.profile),
        )
    ).all()
    return [
        m
        for m in candidates
        if renewal_opens_on(m.plan, m.ends_on) <= today and not _already_followed(m)
    ]


def _already_followed(membership: Membership) -> bool:
    """Has the family already paid for a term that starts after this one ends?"""
    return (
        db.session.scalar(
            select(Membership.id)
            .where(
                Membership.profile_id == membership.profile_id,
                Membership.status.in_(CURRENT),
                Membership.starts_on > membership.ends_on,
            )
            .limit(1)
        )
        is not None
    )


def claim_reminder(membership: Membership) -> bool:
    """Mark the term as reminded; False if another run got there first."""
    claimed = db.session.execute(
        update(Membership)
        .where(
            Membership.id == membership.id,
            Membership.ends_on == membership.ends_on,
            or_(
                Membership.reminder_sent_for.is_(None),
                Membership.reminder_sent_for != membership.ends_on,
            ),
        )
        .values(reminder_sent_for=membership.ends_on)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def renewal_link(league: League, membership: Membership) -> str:
    """The register page, with the same plan chosen when it can simply run again."""
    plan = membership.plan
    values = {"league_slug": league.slug}
    if plan.is_open and plan.term == TermKind.ROLLING:
        values[f"plan-{membership.profile_id}"] = plan.id
    return absolute_url("l.memberships.register", **values)


def send_renewal_reminders(league: League, today: date) -> int:
    """Queue the reminders due today (sent when the caller commits); returns how many."""
    sent = 0
    for membership in reminders_due(league, today):
        guardian = membership.profile.guardian
        if guardian is None or not claim_reminder(membership):
            continue
        profile = membership.profile
        send_mail(
            guardian.email,
            f"{profile.first_name}'s membership ends on {membership.ends_on.day} "
            f"{membership.ends_on:%B}: time to renew",
            "membership_renewal_reminder",
            membership=membership,
            profile=profile,
            guardian=guardian,
            league=league,
            link=renewal_link(league, membership),
        )
        sent += 1
    return sent
