"""Reads about accounts."""

from __future__ import annotations

from portal.accounts.queries import leagues_and_roles
from portal.core.permissions import Role


def test_leagues_and_roles_groups_roles_per_league(make):
    """Does each league appear once, with all of the user's roles in it, sorted by name?"""
    user = make.user()
    zulu, alpha = make.league(name="Zulu League"), make.league(name="Alpha League")
    make.grant(user, zulu, Role.PLAYER)
    make.grant(user, alpha, Role.REFEREE)
    make.grant(user, alpha, Role.ADMIN)
    make.grant(make.user(), zulu, Role.ADMIN)  # someone else's role

    result = leagues_and_roles(user.id)

    assert [(league.name, sorted(roles)) for league, roles in result] == [
        ("Alpha League", [Role.ADMIN, Role.REFEREE]),
        ("Zulu League", [Role.PLAYER]),
    ]


def test_leagues_with_the_same_name_are_not_mixed_up(make):
    """Are two leagues that share a name listed separately, each with its own roles?"""
    user = make.user()
    first, second = make.league(name="City League"), make.league(name="City League")
    make.grant(user, first, Role.ADMIN)
    make.grant(user, second, Role.ADMIN)
    make.grant(user, first, Role.PLAYER)
    make.grant(user, second, Role.PLAYER)

    result = leagues_and_roles(user.id)

    assert [league.id for league, _ in result] == [first.id, second.id]
    assert all(sorted(roles) == [Role.ADMIN, Role.PLAYER] for _, roles in result)


def test_no_leagues(make):
    """Does a user with no roles get an empty list?"""
    assert leagues_and_roles(make.user().id) == []
