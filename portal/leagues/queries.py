"""Reads about leagues, their people and invitations (scoped to the current league)."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from portal.accounts.models import User
from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.core.tokens import hash_token
from portal.extensions import db
from portal.leagues.models import Invitation, League, LeagueRole


def roles_of(user_id: int, league_id: int) -> frozenset[Role]:
    """The roles a user holds in one league."""
    with league_scope(league_id):
        roles = db.session.scalars(
            select(LeagueRole.role).where(LeagueRole.user_id == user_id)
        ).all()
    return frozenset(roles)


def people() -> list[tuple[User, list[LeagueRole]]]:
    """Everyone holding a role in the current league, with their role grants, by name."""
    grants = db.session.scalars(
        select(LeagueRole)
        .join(LeagueRole.user)
        .options(contains_eager(LeagueRole.user))
        .order_by(User.full_name, User.id, LeagueRole.role)
    ).all()
    return [(user, list(group)) for user, group in groupby(grants, lambda grant: grant.user)]


def open_invitations() -> list[Invitation]:
    """Invitations not yet accepted or revoked, newest first (expired ones included)."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invitation_by_token(raw: str) -> Invitation | None:
    return db.session.execute(
        select(Invitation).where(Invitation.token_hash == hash_token(raw))
    ).scalar_one_or_none()


def all_leagues() -> list[League]:
    return list(db.session.scalars(select(League).order_by(League.name)))


def league_admin_counts() -> dict[int, int]:
    """How many admins each league has (platform overview), across leagues."""
    with unscoped():
        rows = db.session.execute(
            select(LeagueRole.league_id, func.count())
            .where(LeagueRole.role == Role.ADMIN)
            .group_by(LeagueRole.league_id)
        ).all()
    return dict(rows)
