"""League pages: the public page, colours, settings and logo."""

from __future__ import annotations

import io

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import League
from tests.images import png


@pytest.fixture
def league(make):
    return make.league(
        "riverside",
        name="Riverside FC",
        description="Soccer for everyone.",
        contact_email="office@riverside.example.com",
        primary_color="#0f766e",
        secondary_color="#facc15",
    )


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN)


def _reload(slug: str) -> League:
    db.session.expire_all()
    with unscoped():
        return db.session.query(League).filter_by(slug=slug).one()


def _settings(league: League, **changes) -> dict:
    data = {
        "name": league.name,
        "sport": league.sport,
        "timezone": league.timezone,
        "description": league.description,
        "primary_color": league.primary_color,
        "secondary_color": league.secondary_color,
        "contact_email": league.contact_email,
        "contact_phone": league.contact_phone,
        "website": league.website,
    }
    data.update(changes)
    return data


def test_public_page_shows_the_league_to_anyone(client, league):
    """Can an anonymous visitor read the league's public page?"""
    page = client.get("/l/riverside/").get_data(as_text=True)
    assert "Riverside FC" in page
    assert "Soccer for everyone." in page
    assert "office@riverside.example.com" in page
    assert "Register a player" in page and "/l/riverside/players/new" in page
    assert "Nothing is open for payment yet" in page


def test_public_page_lists_my_players(client, login, league, make):
    """Does a signed-in guardian see their players with their status on the league page?"""
    parent = make.user()
    make.profile(league, parent, first_name="Mia")
    login(parent)
    page = client.get("/l/riverside/").get_data(as_text=True)
    assert "Mia Kim" in page and "Draft" in page and "Add another player" in page


def test_theme_stylesheet_carries_the_league_colours(client, league):
    """Does the league's stylesheet set its colours (no inline style needed)?"""
    response = client.get("/l/riverside/theme.css")
    assert response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert "--brand: #0f766e" in css and "--accent: #facc15" in css
    assert (
        client.get(
            "/l/riverside/theme.css", headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )


def test_a_colour_that_is_not_a_colour_never_reaches_the_stylesheet(client, make):
    """Is a stored value that is not #rrggbb replaced, so CSS cannot be injected?"""
    make.league("odd", primary_color="red;}a{")
    css = client.get("/l/odd/theme.css").get_data(as_text=True)
    assert "red;" not in css
    assert "--brand: #1d4ed8" in css


def test_admin_saves_settings(client, login, league, admin):
    """Does a league admin's change of name and colours save?"""
    login(admin)
    response = client.post(
        "/l/riverside/settings",
        data=_settings(league, name="Riverside Football Club", primary_color="#112233"),
    )
    assert response.status_code == 303
    saved = _reload("riverside")
    assert saved.name == "Riverside Football Club"
    assert saved.primary_color == "#112233"


def test_invalid_settings_rerender_with_errors_and_change_nothing(client, login, league, admin):
    """Does a bad colour or email re-render the form with field errors and save nothing?"""
    login(admin)
    response = client.post(
        "/l/riverside/settings",
        data=_settings(league, name="Changed", primary_color="blue", contact_email="nope"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a colour like #1d4ed8." in page
    assert "Enter a valid email address." in page
    assert 'value="Changed"' in page  # what the user typed is kept
    assert _reload("riverside").name == "Riverside FC"


def test_logo_upload_is_normalised_and_replaces_the_old_one(
    client, login, league, admin, storage_root
):
    """Is an uploaded logo stored as a PNG, served, and the previous file deleted?"""
    login(admin)
    for colour in ("#ff0000", "#00ff00"):
        data = _settings(league)
        data["logo"] = (io.BytesIO(png(800, 600, colour)), "logo.png")
        assert client.post("/l/riverside/settings", data=data).status_code == 303
    saved = _reload("riverside")
    files = sorted(p.name for p in (storage_root / f"leagues/{saved.id}").glob("logo-*.png"))
    assert files == [saved.logo_key.rsplit("/", 1)[1]]
    response = client.get("/l/riverside/logo")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not an image", "not an image we can use"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "not an image",
        ),
        (png()[:60], "damaged or incomplete"),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_is_saved(
    client, login, league, admin, storage_root, content, message
):
    """Is a file that is not a usable image refused with a clear message, saving nothing?"""
    login(admin)
    data = _settings(league, name="Should not save")
    data["logo"] = (io.BytesIO(content), "logo.png")
    response = client.post("/l/riverside/settings", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "please choose the logo again" in page
    saved = _reload("riverside")
    assert saved.name == "Riverside FC" and saved.logo_key is None
    assert not list(storage_root.glob(f"leagues/{saved.id}/*"))


def test_a_league_with_no_logo_answers_404_for_the_logo(client, league):
    assert client.get("/l/riverside/logo").status_code == 404


def test_staff_tabs_show_the_review_queue_count(client, login, league, make):
    """Does a registrar see a Review tab with how many profiles wait, on every league page?"""
    from portal.players.models import ProfileStatus

    registrar = make.member(league, Role.REGISTRAR)
    for name in ("Ann", "Ben"):
        make.profile(league, make.user(), first_name=name, status=ProfileStatus.SUBMITTED)
    login(registrar)
    page = client.get("/l/riverside/").get_data(as_text=True)
    assert 'href="/l/riverside/review/"' in page and 'aria-label="2 waiting"' in page
    assert "/l/riverside/settings" not in page  # registrars do not manage the league
