"""The public check page /v/<token> and its JSON: live, small, private and logged."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from portal.cards import services, verify
from portal.cards.models import Card, CardCheck, Team, TeamPlayer
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.players.models import AgeGroup
from tests.cards.conftest import add_term
from tests.dbutil import selects, sql_statements


@pytest.fixture(autouse=True)
def _fresh_photos():
    """Each test stores its own photo under the same key: start with none in memory."""
    verify.forget_photos()
    yield
    verify.forget_photos()


def _busy_photo() -> bytes:
    """A 600 x 750 card photo full of detail: about as hard to compress as a real one."""
    image = Image.effect_noise((600, 750), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _card(league, profile) -> Card:
    with league_scope(league.id):
        card = services.issue(db.session.get(type(profile), profile.id))
        db.session.commit()
        return card


def test_a_valid_card_shows_photo_name_league_and_valid(client, league, member):
    card = _card(league, member)
    response = client.get(f"/v/{card.token}")
    page = response.text
    assert response.status_code == 200
    assert "VALID" in page and "Mia Parent" in page and "Riverside FC" in page
    assert f"/v/{card.token}/photo" in page and "Checked " in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_page_reveals_nothing_else(client, league, member):
    """No date of birth (unless the league chooses), no phone, email or address."""
    card = _card(league, member)
    page = client.get(f"/v/{card.token}").text
    assert "2015" not in page and "555" not in page and "@" not in page
    league.verify_shows_birth_date = True
    db.session.commit()
    assert "01 Jun 2015" in client.get(f"/v/{card.token}").text


def test_the_page_is_tiny_and_so_is_the_photo(client, league, member):
    """Under 30 KB before the photo (page and stylesheet), photo under 60 KB, even for a
    detailed photo (a flat colour would compress to nothing)."""
    with unscoped():
        get_storage().put(
            db.session.get(type(member), member.id).photo_key, _busy_photo(), "image/jpeg"
        )
    card = _card(league, member)
    page = client.get(f"/v/{card.token}")
    css_url = page.text.split('href="', 1)[1].split('"', 1)[0]
    with client.get(css_url) as css:
        assert len(page.data) + len(css.data) < 30_000
    with client.get(f"/v/{card.token}/photo") as photo:
        assert photo.mimetype == "image/jpeg" and len(photo.data) < 60_000


@pytest.mark.parametrize(
    ("term_kwargs", "code", "word"),
    [
        ({"starts": date.today() + timedelta(days=5)}, "not_yet_valid", "NOT YET VALID"),
        (
            {"ends": date.today() - timedelta(days=1), "status": MembershipStatus.EXPIRED},
            "expired",
            "EXPIRED",
        ),
        (
            {
                "status": MembershipStatus.SUSPENDED,
                "suspended_until": date.today() + timedelta(days=10),
            },
            "suspended",
            "SUSPENDED",
        ),
        ({"status": MembershipStatus.REFUNDED}, "cancelled", "REFUNDED / CANCELLED"),
    ],
)
def test_each_status_page_and_json(client, make, league, player, term_kwargs, code, word):
    add_term(league, player, make.plan(league, "Spring"), **term_kwargs)
    card = _card(league, player)
    assert word in client.get(f"/v/{card.token}").text
    body = client.get(f"/v/{card.token}.json").get_json()
    assert body["status"] == code and body["word"] == word


def test_pending_approval(client, league, member):
    card = _card(league, member)
    with unscoped():
        member_row = db.session.get(type(member), member.id)
        member_row.status = "submitted"
        db.session.commit()
    assert client.get(f"/v/{card.token}.json").get_json()["status"] == "pending"


def test_a_revoked_card_says_a_newer_one_exists(client, league, member):
    card = _card(league, member)
    with league_scope(league.id):
        services.reissue(db.session.get(Card, card.id), "Lost")
        db.session.commit()
    page = client.get(f"/v/{card.token}").text
    assert "REVOKED" in page and "a newer card exists" in page
    assert "Mia Parent" not in page  # an old card shows no one
    assert "revoked: a newer card exists" in page.lower()
    body = client.get(f"/v/{card.token}.json").get_json()
    assert body["status"] == "revoked" and body["name"] is None and body["team"] is None
    assert body["note"] == "A newer card exists for this player."
    assert client.get(f"/v/{card.token}/photo").status_code == 404


def test_a_valid_card_json_says_valid_with_its_dates(client, league, member):
    card = _card(league, member)
    body = client.get(f"/v/{card.token}.json").get_json()
    assert (body["status"], body["word"], body["name"]) == ("valid", "VALID", "Mia Parent")
    assert body["valid_through"] and body["league"] == "Riverside FC"
    assert "age_group" in body and body["team"] is None  # no team yet


def test_the_suspended_page_shows_until_when(client, make, league, player):
    until = date.today() + timedelta(days=10)
    add_term(
        league,
        player,
        make.plan(league, "Spring"),
        status=MembershipStatus.SUSPENDED,
        suspended_until=until,
    )
    card = _card(league, player)
    page = client.get(f"/v/{card.token}").text
    assert "SUSPENDED" in page and f"until {until.day:02d} {until:%b %Y}" in page
    assert client.get(f"/v/{card.token}.json").get_json()["suspended_until"] == until.isoformat()


def test_no_paid_term_yet_is_pending(client, league, player):
    """A verified player whose card exists but who has no paid term: PENDING APPROVAL."""
    card = _card(league, player)
    page = client.get(f"/v/{card.token}").text
    assert "PENDING APPROVAL" in page
    assert client.get(f"/v/{card.token}.json").get_json()["status"] == "pending"


def test_the_page_shows_the_team_and_age_group(client, make, league, member):
    with league_scope(league.id):
        team = Team(name="Riverside Hawks")
        db.session.add_all([team, AgeGroup(name="U12", min_age=10, max_age=11)])
        db.session.flush()
        db.session.add(TeamPlayer(team_id=team.id, profile_id=member.id, number="7"))
        db.session.commit()
    card = _card(league, member)
    page = client.get(f"/v/{card.token}").text
    assert "Riverside Hawks" in page and "U12" in page


def test_the_photo_is_made_once_then_served_from_memory(client, league, member, storage_root):
    card = _card(league, member)
    first = client.get(f"/v/{card.token}/photo").data
    (stored,) = storage_root.rglob("*-verify.jpg")
    stored.unlink()  # gone from storage: the second answer comes from memory
    assert client.get(f"/v/{card.token}/photo").data == first


@pytest.mark.parametrize(
    "token",
    [
        "nope",
        "x" * 5000,
        "y" * 10_240,  # 10 KB
        "AAAAAAAAAAAAAAAAAAAAAA",
        "<script>",
        "%00",
        "a b",
        "Ωmega-ünïcode-token-🙂-✓",
        "%F0%9F%99%82%F0%9F%99%82%F0%9F%99%82%F0%9F%99%82",
        "%ff%fe%80%80%80%80%80%80%80%80",  # not UTF-8 at all
        "..%5c..%5cwindows",
        "....",
        "AAAAAAAAAAAAAAAAAAAAAA%0d%0aX-Injected:%20yes",
        "AAAAAAAAAAAAAAAAAAAAAA'%20OR%20'1'='1",
    ],
)
def test_unknown_malformed_and_long_tokens_answer_unknown(client, token):
    """Never a 500: anything that is not a card is UNKNOWN (404), page and JSON, noindex."""
    response = client.get(f"/v/{token}")
    assert response.status_code == 404 and "UNKNOWN" in response.text
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Injected" not in response.headers
    json_response = client.get(f"/v/{token}.json")
    assert json_response.status_code == 404 and json_response.get_json()["status"] == "unknown"


@pytest.mark.parametrize(
    "token",
    [
        "abc%2Fdef",
        "abc%2fdef",
        "AbCdEfGhIjKlMnOpQrStUv%2F",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f%2e%2e%2fapp.py",
        "a/b/c/d",
        "abc/def/photo",
        "abc.json/x",
    ],
)
def test_tokens_with_slashes_answer_unknown_too(client, token):
    """Does a token with a slash (encoded or not) get the UNKNOWN page and JSON, like any
    unknown token, rather than the site's 404 page (and never a file)?"""
    response = client.get(f"/v/{token}")
    assert response.status_code == 404 and "UNKNOWN" in response.text
    assert "root:" not in response.text
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    json_response = client.get(f"/v/{token}.json")
    assert json_response.status_code == 404 and json_response.get_json()["status"] == "unknown"


def test_a_token_with_a_slash_before_photo_is_no_photo(client):
    """The photo URL keeps its plain 404 (no page for an image request)."""
    response = client.get("/v/%00/photo")
    assert response.status_code == 404 and "UNKNOWN" not in response.text


def test_a_real_token_with_a_slash_added_is_unknown(client, league, member):
    """Is /v/<token>%2Fx (or /v/x/<token>) no way round the token check?"""
    token = _card(league, member).token
    for path in (f"/v/{token}%2Fx", f"/v/x/{token}", f"/v/{token}/.json"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/v/{token}").status_code == 200


def test_a_malformed_token_is_answered_without_asking_the_database(app, client):
    """Is a 10 KB or odd token turned away before any query?"""
    with sql_statements() as statements:
        for token in ("z" * 10_240, "../../etc/passwd", "Ωmega"):
            assert client.get(f"/v/{token}").status_code == 404
    assert [s for s in statements if "cards" in s] == []


def test_a_well_formed_token_costs_two_queries(client, league, member):
    """One query reads the card, player, league, team and terms; one the age groups."""
    url = f"/v/{_card(league, member).token}"
    with sql_statements() as statements:
        assert client.get(url).status_code == 200
    assert len(selects(statements)) == 2


def test_guessing_tokens_is_rate_limited(client):
    codes = [client.get(f"/v/guess{n:020d}").status_code for n in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429


def test_guessing_tokens_with_slashes_is_rate_limited_too(client):
    """Do tokens with slashes count as guesses, page and JSON alike?"""
    codes = [client.get(f"/v/guess%2F{n:020d}").status_code for n in range(15)]
    codes += [client.get(f"/v/guess/{n:020d}.json").status_code for n in range(16)]
    assert codes[:30] == [404] * 30 and codes[30] == 429


def test_one_client_past_its_checks_a_minute_is_told_when_to_retry(
    client, league, member, monkeypatch
):
    """Does a client past the per-minute limit get 429 with Retry-After, as JSON too?"""
    monkeypatch.setattr(verify, "CHECKS_PER_CLIENT", "3 per minute")
    card = _card(league, member)
    codes = [client.get(f"/v/{card.token}").status_code for _ in range(3)]
    refused = client.get(f"/v/{card.token}.json")
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json["error"]["status"] == 429


def test_a_signed_in_referee_check_is_logged(client, login, league, member, referee):
    card = _card(league, member)
    login(referee)
    client.get(f"/v/{card.token}")
    with unscoped():
        (check,) = db.session.scalars(select(CardCheck)).all()
    assert (check.card_id, check.checked_by_id, check.result) == (card.id, referee.id, "valid")
    assert check.player_name == "Mia Parent"


def test_anonymous_checks_are_not_logged(client, league, member):
    card = _card(league, member)
    client.get(f"/v/{card.token}")
    with unscoped():
        assert db.session.scalars(select(CardCheck)).all() == []


def test_a_photo_gone_from_storage_shows_no_photo_rather_than_failing(client, league, member):
    """If the stored photo has gone, does the referee see "No photo on file" in its place
    (a 404 with a placeholder image), not a 500 and a broken image?"""
    card = _card(league, member)
    verify.verify_photo.cache_clear()
    get_storage().delete(member.photo_key)
    response = client.get(f"/v/{card.token}/photo")
    assert response.status_code == 404
    assert response.mimetype == "image/svg+xml"
    assert b"No photo on file" in response.data
    assert client.get(f"/v/{card.token}").status_code == 200  # the check still answers
