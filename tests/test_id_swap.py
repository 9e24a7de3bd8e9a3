"""Id swaps across two leagues: an object of league B under league A's URL is 404.

The league comes from the URL; even the platform admin, who may act in every
league, cannot reach league B's objects through league A's address.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import Invitation, League, LeagueRole


@pytest.fixture
def two_leagues(make):
    a, b = make.league("alpha"), make.league("bravo")
    admin_a = make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)
    referee_b = make.member(b, Role.REFEREE)
    invitation_b, token_b = make.invitation(b, "someone@example.com")
    with unscoped():
        grant_b = db.session.scalars(
            select(LeagueRole).where(LeagueRole.user_id == referee_b.id)
        ).one()
    return {
        "admin_a": admin_a,
        "platform": make.user(platform_admin=True),
        "invitation_b": invitation_b.id,
        "token_b": token_b,
        "grant_b": grant_b.id,
    }


@pytest.mark.parametrize("who", ["admin_a", "platform"])
@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_invitation_of_league_b_under_league_a_is_404(client, login, two_leagues, who, action):
    """Can league A's address be used to resend or withdraw league B's invitation?"""
    login(two_leagues[who])
    response = client.post(f"/l/alpha/people/invitations/{two_leagues['invitation_b']}/{action}")
    assert response.status_code == 404
    with unscoped():
        invitation = db.session.get(Invitation, two_leagues["invitation_b"])
        assert invitation.revoked_at is None


@pytest.mark.parametrize("who", ["admin_a", "platform"])
def test_role_of_league_b_under_league_a_is_404(client, login, two_leagues, who):
    """Can league A's address remove a role held in league B?"""
    login(two_leagues[who])
    response = client.post(f"/l/alpha/people/roles/{two_leagues['grant_b']}/remove")
    assert response.status_code == 404
    with unscoped():
        assert db.session.get(LeagueRole, two_leagues["grant_b"]) is not None


def test_invitation_link_of_league_b_under_league_a_does_nothing(client, login, two_leagues):
    """Does league B's invitation link, put under league A's address, grant anything?"""
    login(two_leagues["admin_a"])
    url = f"/l/alpha/people/join/{two_leagues['token_b']}"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    with unscoped():
        invitation = db.session.get(Invitation, two_leagues["invitation_b"])
        assert invitation.accepted_at is None
        roles = db.session.scalars(
            select(LeagueRole.role).where(LeagueRole.user_id == two_leagues["admin_a"].id)
        ).all()
    assert roles == [Role.ADMIN]


def test_malformed_and_huge_ids_are_404(client, login, two_leagues):
    """Do malformed ids answer 404 rather than 500?"""
    login(two_leagues["admin_a"])
    for bad in ("abc", "99999999999999999999", "-1"):
        assert client.post(f"/l/alpha/people/roles/{bad}/remove").status_code == 404


@pytest.mark.parametrize("who", ["admin_a", "platform"])
@pytest.mark.parametrize(("action", "data"), [("move", {"direction": "up"}), ("delete", {})])
def test_age_group_of_league_b_under_league_a_is_404(
    client, login, make, two_leagues, who, action, data
):
    """Can league A's address move or delete league B's age group?"""
    from portal.players.models import AgeGroup

    with unscoped():
        bravo = db.session.scalars(select(League).where(League.slug == "bravo")).one()
    group = make.age_group(bravo, "U12", max_age=11)
    login(two_leagues[who])
    url = f"/l/alpha/settings/players/age-groups/{group.id}/{action}"
    assert client.post(url, data=data).status_code == 404
    with unscoped():
        assert db.session.get(AgeGroup, group.id) is not None
