"""Platform admin: creating leagues."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import Invitation, League
from tests.images import jpeg

VALID = {
    "name": "Harbour Netball",
    "slug": "harbour-netball",
    "sport": "Netball",
    "timezone": "Australia/Sydney",
    "primary_color": "#7c3aed",
    "secondary_color": "#fde047",
    "description": "",
    "contact_email": "",
    "contact_phone": "",
    "website": "",
    "admin_email": "",
}


@pytest.fixture
def platform(make, login):
    admin = make.user(platform_admin=True, name="Alex Admin")
    login(admin)
    return admin


def _leagues() -> list[League]:
    db.session.expire_all()
    return db.session.scalars(select(League).order_by(League.id)).all()


def test_platform_admin_creates_a_league_with_logo_and_first_admin(client, platform, outbox):
    """Does a new league appear, with its logo and an invitation to its first admin?"""
    data = {
        **VALID,
        "admin_email": "boss@harbour.example.com",
        "logo": (io.BytesIO(jpeg(300, 300)), "crest.jpg"),
    }
    response = client.post("/admin/leagues/new", data=data)
    assert response.status_code == 303
    (league,) = _leagues()
    assert (league.slug, league.timezone, league.primary_color) == (
        "harbour-netball",
        "Australia/Sydney",
        "#7c3aed",
    )
    assert league.logo_key and client.get("/l/harbour-netball/logo").status_code == 200
    with unscoped():
        (invitation,) = db.session.scalars(select(Invitation)).all()
    assert (invitation.email, invitation.role, invitation.league_id) == (
        "boss@harbour.example.com",
        Role.ADMIN,
        league.id,
    )
    (message,) = outbox()
    assert message["To"] == "boss@harbour.example.com"
    index = client.get("/admin/").get_data(as_text=True)
    assert "Harbour Netball" in index and "/l/harbour-netball/" in index


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Harbour Netball", "Use lowercase letters, digits and dashes"),
        ("-harbour", "Use lowercase letters, digits and dashes"),
        ("admin", "This address is reserved"),
        ("", "Choose the league&#39;s address."),
    ],
)
def test_bad_addresses_are_refused(client, platform, slug, message):
    """Is an address that cannot be a URL segment refused with a clear message?"""
    response = client.post("/admin/leagues/new", data={**VALID, "slug": slug})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _leagues() == []


def test_an_address_already_taken_is_refused(client, platform, make):
    make.league("harbour-netball")
    response = client.post("/admin/leagues/new", data=VALID)
    assert response.status_code == 422
    assert "Another league already uses this address." in response.get_data(as_text=True)
    assert len(_leagues()) == 1


def test_a_bad_logo_creates_no_league_and_stores_nothing(client, platform, storage_root):
    """Does a broken logo undo the whole creation, files included?"""
    data = {**VALID, "logo": (io.BytesIO(b"GIF89a not really"), "logo.gif")}
    response = client.post("/admin/leagues/new", data=data)
    assert response.status_code == 422
    assert _leagues() == []
    assert not list(storage_root.rglob("*.png"))


def test_an_unknown_timezone_is_refused(client, platform):
    response = client.post("/admin/leagues/new", data={**VALID, "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert _leagues() == []
