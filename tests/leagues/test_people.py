"""League people: inviting, accepting, resending, withdrawing and removing roles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import Invitation, LeagueRole

HX = {"HX-Request": "true"}


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC")


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin")


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0)


def _roles(user_id: int) -> list[Role]:
    with unscoped():
        return sorted(
            db.session.scalars(select(LeagueRole.role).where(LeagueRole.user_id == user_id))
        )


def _invitations() -> list[Invitation]:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(Invitation).order_by(Invitation.id)).all()


def test_people_page_lists_roles_and_the_invite_form(client, login, league, admin, make):
    """Does the admin see everyone with their roles?"""
    make.member(league, Role.REFEREE, name="Jordan Ref")
    login(admin)
    page = client.get("/l/riverside/people/").get_data(as_text=True)
    assert "Maria Admin" in page and "Jordan Ref" in page
    assert "Referee" in page and "Send invitation" in page


def test_invite_by_htmx_answers_the_fragment_and_mails_a_link(client, login, league, admin, outbox):
    """Does an htmx invite return just the people fragment, with the flash out of band?"""
    login(admin)
    response = client.post(
        "/l/riverside/people/invite",
        data={"email": " New.Ref@Example.com ", "role": "referee"},
        headers=HX,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" not in page and 'id="people"' in page
    assert "new.ref@example.com" in page
    assert 'hx-swap-oob="true"' in page and "Invitation sent to new.ref@example.com." in page
    assert 'value="new.ref@example.com"' not in page  # the form is empty for the next invite
    assert "HX-Request" in response.headers["Vary"]
    (message,) = outbox()
    assert message["To"] == "new.ref@example.com"
    assert "Riverside FC" in message["Subject"]
    assert "/l/riverside/people/join/" in _link(message)


def test_invite_without_javascript_renders_the_whole_page(client, login, league, admin):
    """Does the same form work as a plain post (no htmx)?"""
    login(admin)
    response = client.post(
        "/l/riverside/people/invite", data={"email": "a@example.com", "role": "registrar"}
    )
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)


def test_invalid_invite_shows_the_error_and_creates_nothing(client, login, league, admin, outbox):
    """Is a bad email refused with a field error, keeping what was typed?"""
    login(admin)
    response = client.post(
        "/l/riverside/people/invite", data={"email": "not-an-email", "role": "referee"}, headers=HX
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a valid email address." in page and 'value="not-an-email"' in page
    assert _invitations() == [] and outbox() == []


def test_invite_with_a_role_that_does_not_exist_is_refused(client, login, league, admin):
    login(admin)
    response = client.post(
        "/l/riverside/people/invite", data={"email": "a@example.com", "role": "owner"}
    )
    assert response.status_code == 422
    assert _invitations() == []


def test_inviting_again_replaces_the_open_invitation(client, login, league, admin, outbox):
    """Does a second invitation to the same person and role withdraw the first link?"""
    login(admin)
    for _ in range(2):
        client.post(
            "/l/riverside/people/invite", data={"email": "x@example.com", "role": "referee"}
        )
    first, second = _invitations()
    assert first.revoked_at is not None and second.state == "pending"
    old_link = _link(outbox()[0])
    client.post("/logout")
    assert "withdrawn" in client.get(old_link).get_data(as_text=True)


def test_new_person_signs_up_through_the_invitation_and_gets_the_role(client, league, make, outbox):
    """Can someone without an account accept: sign up, come back, accept?"""
    invitation, token = make.invitation(league, "newbie@example.com", Role.REGISTRAR)
    url = f"/l/riverside/people/join/{token}"
    page = client.get(url).get_data(as_text=True)
    assert "Join Riverside FC as registrar" in page
    assert f"/signup?next={url}&amp;email=newbie@example.com" in page
    response = client.post(
        f"/signup?next={url}",
        data={
            "full_name": "New Bie",
            "email": "newbie@example.com",
            "password": "a long enough pass",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == url
    assert client.post(url).status_code == 303
    with unscoped():
        user_id = db.session.get(Invitation, invitation.id).accepted_by_id
    assert _roles(user_id) == [Role.REGISTRAR]
    assert db.session.get(User, user_id).email_verified  # the link proved the address


def test_existing_account_accepts_with_one_tap(client, login, league, make):
    """Can a signed-in person accept an invitation sent to another of their addresses?"""
    person = make.member(league, Role.PLAYER, email="pat@example.com")
    _, token = make.invitation(league, "pat.work@example.com", Role.REFEREE)
    login(person)
    page = client.get(f"/l/riverside/people/join/{token}").get_data(as_text=True)
    assert "signed in as <strong>pat@example.com</strong>" in page
    assert "sent to pat.work@example.com" in page
    response = client.post(f"/l/riverside/people/join/{token}")
    assert response.status_code == 303
    assert _roles(person.id) == [Role.PLAYER, Role.REFEREE]


@pytest.mark.parametrize("state", ["accepted", "revoked", "expired"])
def test_a_used_withdrawn_or_expired_invitation_grants_nothing(client, login, league, make, state):
    """Is an invitation that is no longer open refused with a clear reason?"""
    invitation, token = make.invitation(league, "late@example.com", Role.ADMIN)
    with unscoped():
        row = db.session.get(Invitation, invitation.id)
        if state == "accepted":
            row.accepted_at = utcnow()
        elif state == "revoked":
            row.revoked_at = utcnow()
        else:
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    person = make.user()
    login(person)
    response = client.post(f"/l/riverside/people/join/{token}")
    assert response.status_code == 410
    expected = {"accepted": "already been used", "revoked": "withdrawn", "expired": "expired"}[
        state
    ]
    assert expected in response.get_data(as_text=True)
    assert _roles(person.id) == []


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    client, login, league, admin, make, outbox
):
    """Does "send again" mail a fresh link and retire the old one?"""
    invitation, old_token = make.invitation(league, "slow@example.com")
    login(admin)
    assert client.post(f"/l/riverside/people/invitations/{invitation.id}/resend").status_code == 200
    (message,) = outbox()
    assert old_token not in _link(message)
    assert client.get(f"/l/riverside/people/join/{old_token}").status_code == 404
    client.post("/logout")
    assert client.get(_link(message)).status_code == 200


def test_withdraw_invitation(client, login, league, admin, make):
    invitation, _ = make.invitation(league, "gone@example.com")
    login(admin)
    response = client.post(f"/l/riverside/people/invitations/{invitation.id}/revoke", headers=HX)
    assert response.status_code == 200
    assert "gone@example.com" not in response.get_data(as_text=True)
    assert _invitations()[0].state == "revoked"


def test_remove_a_role(client, login, league, admin, make):
    """Can the admin take a role away, inline?"""
    referee = make.member(league, Role.REFEREE, name="Jordan Ref")
    with unscoped():
        grant = db.session.scalars(select(LeagueRole).where(LeagueRole.user_id == referee.id)).one()
    login(admin)
    response = client.post(f"/l/riverside/people/roles/{grant.id}/remove", headers=HX)
    assert response.status_code == 200
    assert "Jordan Ref is no longer referee." in response.get_data(as_text=True)
    assert _roles(referee.id) == []


def test_the_last_admin_cannot_be_removed(client, login, league, admin):
    """Is a league ever left without an admin?"""
    with unscoped():
        grant = db.session.scalars(select(LeagueRole).where(LeagueRole.user_id == admin.id)).one()
    login(admin)
    response = client.post(f"/l/riverside/people/roles/{grant.id}/remove")
    assert "needs at least one admin" in response.get_data(as_text=True)
    assert _roles(admin.id) == [Role.ADMIN]


def test_full_page_for_boosted_and_history_restore_requests(client, login, league, admin):
    """Do boosted and history-restore htmx requests get the whole page?"""
    login(admin)
    for headers in ({**HX, "HX-Boosted": "true"}, {**HX, "HX-History-Restore-Request": "true"}):
        assert "<html" in client.get("/l/riverside/people/", headers=headers).get_data(as_text=True)
    assert "<html" not in client.get("/l/riverside/people/", headers=HX).get_data(as_text=True)
