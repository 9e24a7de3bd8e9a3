"""Reads about accounts."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select

from portal.core.tenancy import unscoped
from portal.extensions import db


def leagues_and_roles(user_id: int) -> list[tuple]:
    """Every league the user holds a role in, with the roles: [(league, [role, ...])].

    Deliberately across leagues (the user's own account page), hence unscoped.
    """
    from portal.leagues.models import League, LeagueRole

    with unscoped():
        rows = db.session.execute(
            select(League, LeagueRole.role)
            .join(LeagueRole, LeagueRole.league_id == League.id)
            .where(LeagueRole.user_id == user_id)
            .order_by(League.name, League.id, LeagueRole.role)
        ).all()
    return [
        (league, [role for _, role in group]) for league, group in groupby(rows, lambda r: r[0])
    ]
