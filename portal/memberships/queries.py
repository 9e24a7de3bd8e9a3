"""Reads about programs, plans and memberships (scoped to the current league)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.memberships.lifecycle import CURRENT
from portal.memberships.models import Membership, MembershipStatus, Plan, Program


def offered_programs() -> list[Program]:
    """Programs with at least one open plan, for the public page and registration."""
    programs = db.session.scalars(
        select(Program)
        .where(Program.archived.is_(False))
        .order_by(Program.position, Program.id)
        .options(selectinload(Program.plans))
    ).all()
    return [p for p in programs if any(plan.is_open for plan in p.plans)]


def open_plans() -> list[Plan]:
    return list(
        db.session.scalars(
            select(Plan)
            .join(Plan.program)
            .where(Plan.is_open.is_(True), Program.archived.is_(False))
            .order_by(Program.position, Program.id, Plan.position, Plan.id)
            .options(selectinload(Plan.program))
        )
    )


def plans_by_id(ids: list[int]) -> dict[int, Plan]:
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Plan).where(Plan.id.in_(ids)))}


def memberships_of_guardian(guardian_id: int) -> list[Membership]:
    """Every term of a family's players here, newest first (pending checkouts excluded)."""
    from portal.players.models import PlayerProfile

    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.profile)
            .where(
                PlayerProfile.guardian_id == guardian_id,
                Membership.status != MembershipStatus.PENDING_PAYMENT,
            )
            .order_by(Membership.ends_on.desc().nulls_last(), Membership.id.desc())
            .options(
                selectinload(Membership.plan).selectinload(Plan.program),
                selectinload(Membership.profile),
            )
        )
    )


def current_term(profile_id: int) -> Membership | None:
    """The player's current term that ends last (active or suspended), on any plan."""
    return db.session.scalars(
        select(Membership)
        .where(Membership.profile_id == profile_id, Membership.status.in_(CURRENT))
        .order_by(Membership.ends_on.desc())
        .limit(1)
    ).first()
