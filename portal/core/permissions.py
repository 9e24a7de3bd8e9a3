"""Roles and what each may do in a league.

A role is granted per league (`LeagueRole`); the platform admin flag on the
user account grants everything everywhere. Views ask `can(permission)` and
never compare role names themselves, so a new role is one line here.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort, g
from flask_login import current_user


class Role(StrEnum):
    """A user's role in one league."""

    ADMIN = "admin"
    REGISTRAR = "registrar"
    REFEREE = "referee"
    PLAYER = "player"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "League admin",
    Role.REGISTRAR: "Registrar",
    Role.REFEREE: "Referee",
    Role.PLAYER: "Player / guardian",
}

PERMISSIONS: dict[str, frozenset[Role]] = {
    "manage_league": frozenset({Role.ADMIN}),
    "manage_members": frozenset({Role.ADMIN}),
    "review_profiles": frozenset({Role.ADMIN, Role.REGISTRAR}),
    "check_cards": frozenset({Role.ADMIN, Role.REGISTRAR, Role.REFEREE}),
    "manage_teams": frozenset({Role.ADMIN, Role.REGISTRAR}),
    "print_cards": frozenset({Role.ADMIN}),
    "staff_area": frozenset({Role.ADMIN, Role.REGISTRAR, Role.REFEREE}),
}


def current_roles() -> frozenset[Role]:
    """The signed-in user's roles in the league of this request (cached per request)."""
    if "league_roles" not in g:
        from portal.leagues.queries import roles_of

        league = g.get("league")
        g.league_roles = (
            roles_of(current_user.id, league.id)
            if league is not None and current_user.is_authenticated
            else frozenset()
        )
    return g.league_roles


def can(permission: str) -> bool:
    """May the signed-in user do `permission` in the current league?"""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if not current_user.is_authenticated:
        return False
    if current_user.is_platform_admin:
        return True
    return bool(current_roles() & PERMISSIONS[permission])


def league_permission_required(permission: str):
    """Guard a league view: sign in first, then 404 unless the user may.

    A page the user may not see answers "not found" rather than "forbidden",
    so league staff pages reveal nothing to outsiders.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from portal.extensions import login_manager

                return login_manager.unauthorized()
            if not can(permission):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def platform_admin_required(view):
    """Guard a platform admin view; anyone else sees 404."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from portal.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_platform_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
