"""Review across leagues and roles: league B's profiles, documents and photos are not
found under league A's address, for A's registrar and the platform admin alike; a
player (even the profile's own guardian) never gets the proof of age; a referee
has no queue. In the spirit of tests/test_id_swap.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.models import ProfileEvent, ProfileStatus
from tests.players.review_helpers import HX, fresh, submitted

# Every review route that names a profile: (method, path after /review/{id}, form).
PROFILE_ROUTES = [
    ("GET", "", None),
    ("POST", "/approve", None),
    ("POST", "/request-changes", {"reason": "The photo is too dark or blurred."}),
    ("POST", "/unlock", None),
    ("GET", "/document", None),
    ("GET", "/document/preview", None),
    ("GET", "/photo", None),
    ("GET", "/photo?size=thumb", None),
    ("GET", "/photo?which=previous", None),
]


@pytest.fixture
def two_leagues(make):
    a = make.league("alpha", name="Alpha League")
    b = make.league("bravo", name="Bravo League")
    guardian_a, guardian_b = make.user(name="Ann Guardian"), make.user(name="Ben Guardian")
    return {
        "a": a,
        "b": b,
        "registrar_a": make.member(a, Role.REGISTRAR),
        "admin_a": make.member(a, Role.ADMIN),
        "referee_a": make.member(a, Role.REFEREE),
        "registrar_b": make.member(b, Role.REGISTRAR),
        "platform": make.user(platform_admin=True),
        "guardian_a": guardian_a,
        "profile_a": submitted(a, guardian_a, "Alma"),
        "profile_b": submitted(b, guardian_b, "Bea"),
    }


def _events(profile) -> int:
    with league_scope(profile.league_id):
        return db.session.scalar(
            select(func.count())
            .select_from(ProfileEvent)
            .where(ProfileEvent.profile_id == profile.id)
        )


@pytest.mark.parametrize("who", ["registrar_a", "admin_a", "platform"])
@pytest.mark.parametrize(("method", "path", "form"), PROFILE_ROUTES)
def test_profile_of_league_b_under_league_a_is_404(
    client, login, two_leagues, who, method, path, form
):
    """Can league A's review address see or act on league B's profile, its document or photo?"""
    b_profile = two_leagues["profile_b"]
    before = _events(b_profile)
    login(two_leagues[who])
    for headers in ({}, HX):
        response = client.open(
            f"/l/alpha/review/{b_profile.id}{path}", method=method, data=form, headers=headers
        )
        assert response.status_code == 404, (path, headers)
        assert "Bea" not in response.get_data(as_text=True)
    after = fresh(b_profile)
    assert after.status == ProfileStatus.SUBMITTED and after.unlocked_at is None
    assert _events(b_profile) == before


def test_bulk_approve_ignores_league_b_ids(client, login, two_leagues, outbox):
    """Does "Approve selected" under league A leave league B's profile untouched?"""
    login(two_leagues["registrar_a"])
    b_profile, a_profile = two_leagues["profile_b"], two_leagues["profile_a"]
    response = client.post(
        "/l/alpha/review/bulk-approve", data={"ids": [b_profile.id, a_profile.id]}, headers=HX
    )
    assert response.status_code == 200
    assert "Approved 1 profile; 1 was not waiting" in response.get_data(as_text=True)
    assert fresh(b_profile).status == ProfileStatus.SUBMITTED
    assert fresh(a_profile).status == ProfileStatus.VERIFIED
    assert [m["To"] for m in outbox()] == [two_leagues["guardian_a"].email]


def test_league_a_queue_and_list_show_only_league_a(client, login, two_leagues):
    """Do league A's queue and list show only league A's profiles?"""
    login(two_leagues["registrar_a"])
    for url in ("/l/alpha/review/", "/l/alpha/review/list?status=all&q=bea"):
        page = client.get(url).get_data(as_text=True)
        assert "Bea Parent" not in page, url
    page = client.get("/l/alpha/review/list?status=all").get_data(as_text=True)
    assert "Alma Parent" in page and "Bea Parent" not in page


def test_registrar_of_league_b_cannot_use_league_a(client, login, two_leagues):
    """Is league B's registrar a stranger in league A's review screens?"""
    login(two_leagues["registrar_b"])
    a_profile = two_leagues["profile_a"]
    for url in ("/l/alpha/review/", "/l/alpha/review/list", f"/l/alpha/review/{a_profile.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/l/alpha/review/{a_profile.id}/approve").status_code == 404
    assert fresh(a_profile).status == ProfileStatus.SUBMITTED


@pytest.mark.parametrize("path", ["/document", "/document/preview", "/photo", ""])
def test_the_guardian_cannot_open_the_review_files(client, login, two_leagues, path):
    """Can a player, even the profile's own guardian, open the proof of age or the screen?"""
    a_profile = two_leagues["profile_a"]
    assert get_storage().exists(fresh(a_profile).document_key)
    login(two_leagues["guardian_a"])
    response = client.get(f"/l/alpha/review/{a_profile.id}{path}")
    assert response.status_code == 404
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "url", ["/l/alpha/review/", "/l/alpha/review/list", "/l/alpha/review/{id}/document"]
)
def test_a_referee_has_no_review_queue(client, login, two_leagues, url):
    """Can a referee of the league open the queue, the list or a document?"""
    login(two_leagues["referee_a"])
    assert client.get(url.format(id=two_leagues["profile_a"].id)).status_code == 404
    response = client.post(f"/l/alpha/review/{two_leagues['profile_a'].id}/approve")
    assert response.status_code == 404
    assert fresh(two_leagues["profile_a"]).status == ProfileStatus.SUBMITTED


def test_signed_out_visitors_are_sent_to_sign_in(client, two_leagues):
    """Does an anonymous visitor get the sign-in page rather than a file link?"""
    a_profile = two_leagues["profile_a"]
    response = client.get(f"/l/alpha/review/{a_profile.id}/document")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_malformed_and_huge_ids_are_404(client, login, two_leagues):
    """Do malformed and out-of-range ids answer 404 rather than 500?"""
    login(two_leagues["registrar_a"])
    for bad in ("abc", "99999999999999999999", "-1", "0"):
        assert client.get(f"/l/alpha/review/{bad}").status_code == 404, bad
        assert client.post(f"/l/alpha/review/{bad}/approve").status_code == 404, bad
