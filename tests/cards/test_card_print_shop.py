"""A league admin downloads a player's card for a print shop: the same card with a
2 mm bleed and crop marks, made on request. Only admins (who print cards) get it."""

from __future__ import annotations

import re
import subprocess

import pytest

from portal.cards import services
from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db

PAGE = "/l/riverside/players/{}/card"
LINK = "Download for a print shop (2 mm bleed, crop marks)"
MM = 72 / 25.4


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin")


@pytest.fixture
def ready(league, member):
    """The member's card with its PDF made."""
    with league_scope(league.id):
        services.refresh(db.session.get(type(member), member.id))
        db.session.commit()
    return member


def test_an_admin_downloads_the_card_with_a_bleed(client, login, admin, ready, tmp_path):
    login(admin)
    page = client.get(PAGE.format(ready.id)).text
    url = PAGE.format(ready.id) + "-for-print-shop.pdf"
    assert LINK in page and f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Mia-Parent-card-print-shop.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    path = tmp_path / "shop.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(
        ["pdfinfo", "-box", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Pages:           2" in info
    size = re.search(r"Page size: +([\d.]+) x ([\d.]+)", info)
    assert (float(size[1]), float(size[2])) == pytest.approx((89.6 * MM, 58 * MM), abs=0.01)
    trim = [float(v) for v in re.search(r"TrimBox: +([-\d. ]+)", info)[1].split()]
    assert trim == pytest.approx([0, 0, 85.6 * MM, 54 * MM], abs=0.01)


def test_the_family_and_referees_do_not_get_it(client, login, parent, referee, ready):
    url = PAGE.format(ready.id) + "-for-print-shop.pdf"
    for person in (parent, referee):
        login(person)
        assert LINK not in client.get(PAGE.format(ready.id)).text
        assert client.get(url).status_code == 404


def test_a_card_whose_photo_is_missing_says_so_instead(client, login, admin, ready):
    get_storage().delete(ready.photo_key)
    login(admin)
    response = client.get(PAGE.format(ready.id) + "-for-print-shop.pdf")
    assert response.status_code == 303 and response.headers["Location"] == PAGE.format(ready.id)
    page = client.get(response.headers["Location"]).text
    assert "The card cannot be printed: the photo is missing." in page
