"""Reads about player profiles, scoped to the current league."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.players.models import AgeGroup, PlayerProfile, ProfileStatus


def membership_end(profile: PlayerProfile) -> tuple[date | None, int]:
    """When the player's current membership ends, and how many days before that its
    plan opens renewal (and the profile's locked fields): the renewal window.

    With no current membership there is nothing to renew (the end is None).
    """
    from portal.memberships.queries import current_term

    term = current_term(profile.id)
    if term is None:
        return None, profile.league.renewal_window_days
    window = term.plan.renewal_window_days
    return term.ends_on, profile.league.renewal_window_days if window is None else window


def age_groups() -> list[AgeGroup]:
    """The league's age groups in the league's order."""
    return list(db.session.scalars(select(AgeGroup).order_by(AgeGroup.position, AgeGroup.id)))


def duplicate_of(guardian_id: int, first_name: str, last_name: str, born: date) -> bool:
    """Has this account already added this person (same name and birthday) here?"""
    return (
        db.session.execute(
            select(PlayerProfile.id).where(
                PlayerProfile.guardian_id == guardian_id,
                func.lower(PlayerProfile.first_name) == first_name.strip().lower(),
                func.lower(PlayerProfile.last_name) == last_name.strip().lower(),
                PlayerProfile.date_of_birth == born,
            )
        ).first()
        is not None
    )


def profiles_of(guardian_id: int) -> list[PlayerProfile]:
    """A guardian's players in this league, by first name."""
    return list(
        db.session.scalars(
            select(PlayerProfile)
            .where(PlayerProfile.guardian_id == guardian_id)
            .order_by(PlayerProfile.first_name, PlayerProfile.id)
        )
    )


def review_queue() -> list[PlayerProfile]:
    """Profiles waiting for review, oldest submission first."""
    return list(
        db.session.scalars(
            select(PlayerProfile)
            .where(PlayerProfile.status == ProfileStatus.SUBMITTED)
            .order_by(PlayerProfile.submitted_at, PlayerProfile.id)
            .options(selectinload(PlayerProfile.guardian))
        )
    )


def queue_neighbours(profile_id: int) -> tuple[int | None, int | None, int, int]:
    """(previous id, next id, position from 1, queue length) around a profile in the queue.

    If the profile is no longer in the queue (just approved), "next" is the
    one that now stands where it stood.
    """
    rows = db.session.execute(
        select(PlayerProfile.id, PlayerProfile.submitted_at)
        .where(PlayerProfile.status == ProfileStatus.SUBMITTED)
        .order_by(PlayerProfile.submitted_at, PlayerProfile.id)
    ).all()
    ids = [row.id for row in rows]
    if profile_id in ids:
        at = ids.index(profile_id)
        return (
            ids[at - 1] if at else None,
            ids[at + 1] if at + 1 < len(ids) else None,
            at + 1,
            len(ids),
        )
    # Where it stood: the first one queued after it; after the last, back to the first.
    submitted_at = db.session.scalar(
        select(PlayerProfile.submitted_at).where(PlayerProfile.id == profile_id)
    )
    after = (
        [row.id for row in rows if (row.submitted_at, row.id) > (submitted_at, profile_id)]
        if submitted_at is not None
        else []
    )
    return None, (after[0] if after else ids[0] if ids else None), 0, len(ids)


def profiles_by_status(status: ProfileStatus | None, search: str = "") -> list[PlayerProfile]:
    """Profiles for the registrar's list, filtered by status and a name search."""
    query = select(PlayerProfile).order_by(
        PlayerProfile.submitted_at.is_(None),
        PlayerProfile.submitted_at,
        PlayerProfile.last_name,
        PlayerProfile.id,
    )
    if status is not None:
        query = query.where(PlayerProfile.status == status)
    if search.strip():
        like = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(PlayerProfile.first_name + " " + PlayerProfile.last_name).like(like)
        )
    return list(db.session.scalars(query.limit(500)))


def status_counts() -> dict[ProfileStatus, int]:
    rows = db.session.execute(
        select(PlayerProfile.status, func.count()).group_by(PlayerProfile.status)
    ).all()
    return {status: count for status, count in rows}


def waiting_count() -> int:
    """How many profiles wait for review in this league (the badge on the Review tab)."""
    return db.session.scalar(
        select(func.count())
        .select_from(PlayerProfile)
        .where(PlayerProfile.status == ProfileStatus.SUBMITTED)
    )
