"""The registrar's review screens: queue, decisions, list, bulk approval, files."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from flask import g
from flask_login import login_user
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, select

from portal.core import storage as storage_module
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players import reviews, services, uploads
from portal.players.models import (
    DocumentKind,
    EventKind,
    PlayerProfile,
    ProfileEvent,
    ProfileStatus,
    UploadKind,
)
from tests.images import jpeg, pdf

HX = {"HX-Request": "true"}
BASE = "/l/riverside/review"


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", season_year=2026)


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def registrar(make, league):
    return make.member(league, Role.REGISTRAR, name="Sam Registrar")


@pytest.fixture
def scope(league):
    with league_scope(league.id):
        yield


def submitted(league, guardian, first_name="Mia", last_name="Parent", *, minutes_ago=0, **data):
    """A profile with a photo and a PDF, submitted `minutes_ago` minutes ago."""
    with league_scope(league.id):
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date(2016, 3, 14),
            "phone": "+1 555 0100",
            "emergency_name": "Pat Parent",
            "emergency_phone": "+1 555 0101",
            "document_kind": DocumentKind.BIRTH_CERTIFICATE,
        } | data
        photo = uploads.stage(guardian, UploadKind.PHOTO, jpeg(600, 750), "me.jpg")
        document = uploads.stage(guardian, UploadKind.DOCUMENT, pdf(), "birth.pdf")
        profile = services.create_profile(
            league, guardian, services.ProfileData(**values), photo=photo, document=document
        )
        services.submit(profile, guardian)
        profile.submitted_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        db.session.commit()
    return profile


def fresh(profile: PlayerProfile) -> PlayerProfile:
    """The profile as the database has it now (after a request changed it)."""
    db.session.expire_all()
    with league_scope(profile.league_id):
        return db.session.get(PlayerProfile, profile.id)


def events_of(profile: PlayerProfile) -> list[ProfileEvent]:
    with league_scope(profile.league_id):
        return db.session.scalars(
            select(ProfileEvent)
            .where(ProfileEvent.profile_id == profile.id)
            .order_by(ProfileEvent.id)
        ).all()


def heading(page: str) -> str:
    """The name on the review screen."""
    return re.search(r'<h2 id="review-name"[^>]*>([^<]+)</h2>', page).group(1)


@contextmanager
def counting_statements():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# -- the queue -------------------------------------------------------------------------


def test_queue_shows_the_oldest_submission_first(client, login, league, parent, registrar):
    """Does the queue open on the profile submitted longest ago, with the count waiting?"""
    submitted(league, parent, "Newest", minutes_ago=1)
    submitted(league, parent, "Oldest", minutes_ago=30)
    submitted(league, parent, "Middle", minutes_ago=10)
    login(registrar)
    response = client.get(f"{BASE}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert heading(page) == "Oldest Parent"
    assert "<strong>3</strong> waiting" in page
    assert "<strong>1</strong> of 3" in page
    assert "css/review.css" in page and "js/review.js" in page
    assert " style=" not in page and "<script>" not in page  # the CSP allows neither


def test_empty_queue_says_all_caught_up(client, login, league, registrar):
    """With nothing waiting, does the registrar see "All caught up" and a way to the list?"""
    login(registrar)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "All caught up" in page and "<strong>0</strong> waiting" in page
    assert f'href="{BASE}/list?status=all"' in page


def test_review_screen_shows_age_group_and_computed_age(
    client, login, league, parent, registrar, make
):
    """Does the screen show the age under the league's rule and the matching age group?"""
    make.age_group(league, "U10", min_age=9, max_age=10, position=1)
    make.age_group(league, "U12", min_age=11, max_age=12, position=2)
    profile = submitted(league, parent, date_of_birth=date(2016, 3, 14))
    login(registrar)
    page = client.get(f"{BASE}/{profile.id}").get_data(as_text=True)
    assert "14 Mar 2016" in page
    assert "<strong>10</strong>" in page and "on 31 Dec 2026" in page  # age on the cutoff
    assert "<strong>U10</strong>" in page and "ages 9-10" in page
    assert "Birth certificate" in page and "Open original (PDF)" in page
    assert "Pat Parent" in page and "parent@example.com" in page
    assert "Approve" in page and "Request changes" in page
    for reason in reviews.COMMON_REASONS:
        assert reason in page


def test_item_of_a_verified_profile_shows_no_decision(client, login, league, parent, registrar):
    """Opened from its page, does a verified profile show without Approve/Request buttons?"""
    profile = submitted(league, parent)
    with league_scope(league.id):
        reviews.approve(fresh(profile), registrar)
        db.session.commit()
    login(registrar)
    page = client.get(f"{BASE}/{profile.id}").get_data(as_text=True)
    assert "Not in the queue" in page and "nothing to decide" in page
    assert "/approve" not in page and "request-changes" not in page


def test_item_by_htmx_is_the_fragment(client, login, league, parent, registrar):
    """Does moving with j/k (an htmx GET) answer only the item, with the counter out of band?"""
    first = submitted(league, parent, "First", minutes_ago=5)
    second = submitted(league, parent, "Second", minutes_ago=1)
    login(registrar)
    page = client.get(f"{BASE}/{second.id}", headers=HX).get_data(as_text=True)
    assert "<html" not in page and page.lstrip().startswith('<section id="review-item"')
    assert "<strong>2</strong> of 2" in page
    assert f'href="{BASE}/{first.id}"' in page and 'rel="prev"' in page
    assert 'id="queue-count" class="queue-count" hx-swap-oob="true"' in page


# -- decisions ---------------------------------------------------------------------------


def test_approve_by_htmx_answers_the_next_profile(client, login, league, parent, registrar, outbox):
    """Does approving by htmx verify the profile (history, email) and answer with the next
    profile's fragment, the flash and the counter out of band?"""
    mia = submitted(league, parent, minutes_ago=10)
    leo = submitted(league, parent, "Leo", minutes_ago=5)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/approve", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page and heading(page) == "Leo Parent"
    assert re.search(r'id="flashes"[^>]*hx-swap-oob="true"', page)
    assert "Approved Mia Parent" in page
    assert "<strong>1</strong> waiting" in page and "<strong>1</strong> of 1" in page
    assert re.search(r'id="review-tab-count" hx-swap-oob="true">.*aria-label="1 waiting"', page)
    assert response.headers["HX-Replace-Url"] == f"{BASE}/{leo.id}"
    assert fresh(mia).status == ProfileStatus.VERIFIED
    assert fresh(mia).reviewed_by_id == registrar.id
    statuses = [
        (e.from_value, e.to_value, e.actor_id) for e in events_of(mia) if e.kind == EventKind.STATUS
    ]
    assert statuses[-1] == ("submitted", "verified", registrar.id)
    (mail,) = outbox()
    assert mail["To"] == "parent@example.com" and "verified" in mail["Subject"]


def test_approve_without_javascript_goes_back_to_the_queue(
    client, login, league, parent, registrar
):
    """Does a plain form post approve and redirect (303) to the queue, flash on the next page?"""
    mia = submitted(league, parent)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/approve")
    assert response.status_code == 303 and response.headers["Location"] == f"{BASE}/"
    assert fresh(mia).status == ProfileStatus.VERIFIED
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Approved Mia Parent" in page and "All caught up" in page


def test_approving_mid_queue_moves_to_the_one_after(client, login, league, parent, registrar):
    """After approving the 2nd of 3, is the next profile the 3rd (not back to the 1st)?"""
    submitted(league, parent, "One", minutes_ago=30)
    two = submitted(league, parent, "Two", minutes_ago=20)
    submitted(league, parent, "Three", minutes_ago=10)
    login(registrar)
    page = client.post(f"{BASE}/{two.id}/approve", headers=HX).get_data(as_text=True)
    assert heading(page) == "Three Parent"
    assert "<strong>2</strong> of 2" in page


def test_approving_the_last_goes_to_the_first_left_then_all_caught_up(
    client, login, league, parent, registrar
):
    """Approving the last in line goes to the first one skipped; the very last empties it."""
    one = submitted(league, parent, "One", minutes_ago=30)
    two = submitted(league, parent, "Two", minutes_ago=20)
    login(registrar)
    page = client.post(f"{BASE}/{two.id}/approve", headers=HX).get_data(as_text=True)
    assert heading(page) == "One Parent"
    response = client.post(f"{BASE}/{one.id}/approve", headers=HX)
    page = response.get_data(as_text=True)
    assert "All caught up" in page and "<strong>0</strong> waiting" in page
    assert response.headers["HX-Replace-Url"] == f"{BASE}/"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"reason": reviews.COMMON_REASONS[1]}, reviews.COMMON_REASONS[1]),
        (
            {"details": "  Please use a photo without sunglasses. "},
            "Please use a photo without sunglasses.",
        ),
        (
            {"reason": reviews.COMMON_REASONS[2], "details": "Page 2 is missing."},
            f"{reviews.COMMON_REASONS[2]} Page 2 is missing.",
        ),
    ],
    ids=["common", "typed", "both"],
)
def test_request_changes_with_a_common_or_typed_reason(
    client, login, league, parent, registrar, outbox, form, expected
):
    """Does the reason (chosen, typed, or both) reach the profile, its history and the email?"""
    mia = submitted(league, parent, minutes_ago=10)
    leo = submitted(league, parent, "Leo", minutes_ago=5)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/request-changes", data=form, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and heading(page) == "Leo Parent"
    assert "Changes requested for Mia Parent" in page
    assert response.headers["HX-Replace-Url"] == f"{BASE}/{leo.id}"
    profile = fresh(mia)
    assert profile.status == ProfileStatus.CHANGES_REQUESTED
    assert profile.change_reason == expected
    assert events_of(mia)[-1].reason == expected
    (mail,) = outbox()
    assert expected in mail.get_body().get_content()


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "no-js"])
def test_empty_reason_is_422_with_the_error_next_to_the_field(
    client, login, league, parent, registrar, outbox, headers
):
    """An empty reason: 422, the message beside the reason field, nothing changed or sent?"""
    mia = submitted(league, parent)
    before = len(events_of(mia))
    login(registrar)
    response = client.post(
        f"{BASE}/{mia.id}/request-changes", data={"reason": " ", "details": ""}, headers=headers
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in page) is (not headers)
    assert heading(page) == "Mia Parent"
    assert '<details class="reason-picker" open>' in page
    assert 'aria-describedby="reason-error"' in page
    assert re.search(r'<p class="error" id="reason-error"[^>]*>Choose or type the reason', page)
    assert fresh(mia).status == ProfileStatus.SUBMITTED
    assert len(events_of(mia)) == before and outbox() == []


@pytest.mark.parametrize("action", ["approve", "request-changes"])
def test_acting_on_a_profile_no_longer_waiting(
    client, login, league, parent, registrar, make, outbox, action
):
    """If someone else decided first, is the registrar told and moved on, nothing changed?"""
    mia = submitted(league, parent, minutes_ago=10)
    leo = submitted(league, parent, "Leo", minutes_ago=5)
    with league_scope(league.id):
        reviews.approve(fresh(mia), make.member(league, Role.ADMIN))
        db.session.commit()
    before, mails = len(events_of(mia)), len(outbox())
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/{action}", data={"reason": "Blurred"}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and heading(page) == "Leo Parent"
    assert "Mia Parent is no longer waiting for review (now verified)" in page
    assert fresh(mia).status == ProfileStatus.VERIFIED
    assert len(events_of(mia)) == before and len(outbox()) == mails
    assert fresh(leo).status == ProfileStatus.SUBMITTED
    plain = client.post(f"{BASE}/{mia.id}/{action}", data={"reason": "Blurred"})
    assert plain.status_code == 303 and plain.headers["Location"] == f"{BASE}/"


# -- the list and bulk approval ------------------------------------------------------------


def test_list_filters_and_search(client, login, league, parent, registrar, make):
    """Does the list filter by status, search by name, and count each status?"""
    mia = submitted(league, parent, "Mia", minutes_ago=10)
    submitted(league, parent, "Leo", minutes_ago=5)
    make.profile(league, parent, first_name="Ava", last_name="Draft")
    make.profile(league, parent, first_name="Zoe", last_name="Done", status=ProfileStatus.VERIFIED)
    login(registrar)
    page = client.get(f"{BASE}/list").get_data(as_text=True)  # default: waiting
    assert "Mia Parent" in page and "Leo Parent" in page
    assert "Ava Draft" not in page and "Zoe Done" not in page
    assert page.index("Mia Parent") < page.index("Leo Parent")  # oldest submission first
    assert f'name="ids" value="{mia.id}"' in page and "Approve selected" in page
    assert re.search(r'aria-current="page">Waiting <span class="tab-count">2</span>', page)
    assert re.search(r'>All <span class="tab-count">4</span>', page)

    verified = client.get(f"{BASE}/list?status=verified").get_data(as_text=True)
    assert "Zoe Done" in verified and "Mia Parent" not in verified
    assert 'name="ids"' not in verified and "Approve selected" not in verified

    found = client.get(f"{BASE}/list?status=all&q=MIA%20par", headers=HX).get_data(as_text=True)
    assert "<html" not in found and 'id="review-list"' in found
    assert "Mia Parent" in found and "Leo Parent" not in found and "Ava Draft" not in found
    assert 'id="review-status" name="status" value="all" hx-swap-oob="true"' in found

    nothing = client.get(f"{BASE}/list?q=nobody").get_data(as_text=True)
    assert "No profiles match" in nothing and "Search every status" in nothing
    assert "<html" in client.get(f"{BASE}/list?status=bogus").get_data(as_text=True)


def test_bulk_approve_only_approves_the_selected_waiting_ones(
    client, login, league, parent, registrar, make, outbox
):
    """Are only the ticked Submitted profiles approved, others (unticked, drafts) untouched?"""
    one = submitted(league, parent, "One", minutes_ago=30)
    two = submitted(league, parent, "Two", minutes_ago=20)
    three = submitted(league, parent, "Three", minutes_ago=10)
    draft = make.profile(league, parent, first_name="Ava", last_name="Draft")
    login(registrar)
    response = client.post(
        f"{BASE}/bulk-approve",
        data={"ids": [one.id, three.id, draft.id, "junk", "99999999999"], "status": "submitted"},
        headers=HX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="review-list"' in page and "<html" not in page
    assert "Approved 2 profiles; 1 was not waiting" in page
    assert [fresh(p).status for p in (one, two, three, draft)] == [
        ProfileStatus.VERIFIED,
        ProfileStatus.SUBMITTED,
        ProfileStatus.VERIFIED,
        ProfileStatus.DRAFT,
    ]
    assert "Two Parent" in page and "One Parent" not in page  # the waiting list, refreshed
    assert len(outbox()) == 2

    plain = client.post(f"{BASE}/bulk-approve", data={"ids": [two.id], "q": "two"})
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"{BASE}/list?status=submitted&q=two"
    assert fresh(two).status == ProfileStatus.VERIFIED
    empty = client.post(f"{BASE}/bulk-approve", data={}, headers=HX).get_data(as_text=True)
    assert "Tick the profiles to approve first." in empty


def test_list_of_200_profiles_takes_a_few_queries(client, login, league, parent, registrar, make):
    """Does the list of 200 profiles cost the same handful of queries as a list of 2?"""
    make.age_group(league, "U10", min_age=9, max_age=10)
    guardians = [make.user(name=f"Guardian {n}") for n in range(3)]

    def add(count: int, start: int) -> None:
        with league_scope(league.id):
            for n in range(start, start + count):
                db.session.add(
                    PlayerProfile(
                        league_id=league.id,
                        guardian_id=guardians[n % 3].id,
                        first_name=f"Player{n}",
                        last_name="Test",
                        date_of_birth=date(2016, 1, 1) + timedelta(days=n),
                        status=ProfileStatus.SUBMITTED,
                        submitted_at=datetime.now(UTC) - timedelta(minutes=n),
                        photo_key=f"leagues/{league.id}/players/{n}/photo.jpg",
                        photo_thumb_key=f"leagues/{league.id}/players/{n}/thumb.jpg",
                    )
                )
            db.session.commit()

    login(registrar)
    add(2, 0)
    with counting_statements() as small:
        assert client.get(f"{BASE}/list").status_code == 200
    add(198, 2)
    with counting_statements() as large:
        page = client.get(f"{BASE}/list?status=all").get_data(as_text=True)
    assert page.count('class="profile-row"') == 200
    assert len(large) == len(small) <= 8, large


# -- unlock and the staff actions on the profile page ---------------------------------------


def test_unlock_lets_the_player_change_locked_fields(client, login, league, parent, registrar):
    """Does unlocking a verified profile record it and go back to the profile page?"""
    mia = submitted(league, parent)
    with league_scope(league.id):
        reviews.approve(fresh(mia), registrar)
        db.session.commit()
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/unlock")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/l/riverside/players/{mia.id}"
    profile = fresh(mia)
    assert profile.unlocked_at is not None and profile.unlocked_by_id == registrar.id
    assert events_of(mia)[-1].kind == EventKind.UNLOCK
    with league_scope(league.id):
        assert not services.is_locked(profile)
    htmx = client.post(f"{BASE}/{mia.id}/unlock", headers=HX)  # again: harmless
    assert htmx.headers["HX-Redirect"] == f"/l/riverside/players/{mia.id}"
    assert [e.kind for e in events_of(mia)].count(EventKind.UNLOCK) == 1


def test_unlock_refuses_a_profile_that_is_not_verified(client, login, league, parent, registrar):
    """Is unlocking a waiting profile refused with a message, nothing recorded?"""
    mia = submitted(league, parent)
    login(registrar)
    response = client.post(f"{BASE}/{mia.id}/unlock", follow_redirects=False)
    assert response.status_code == 303
    assert fresh(mia).unlocked_at is None
    with client.session_transaction() as session:
        assert ("error", "Only a verified profile is locked.") in session["_flashes"]


def test_profile_actions_partial_offers_review_and_unlock(app, league, parent, registrar, make):
    """Does the profile page's staff partial offer Review when waiting and Unlock when
    verified, and nothing to a player?"""
    from flask import render_template

    mia = submitted(league, parent)

    def rendered(user, profile) -> str:
        with app.test_request_context("/l/riverside/players/1"):
            g.league = league
            login_user(user)
            with league_scope(league.id):
                return render_template(
                    "review/_profile_actions.html",
                    profile=db.session.get(PlayerProfile, profile.id),
                )

    assert f'href="{BASE}/{mia.id}"' in rendered(registrar, mia)
    assert rendered(parent, mia).strip() == ""
    with league_scope(league.id):
        reviews.approve(fresh(mia), registrar)
        db.session.commit()
    page = rendered(registrar, mia)
    assert f'action="{BASE}/{mia.id}/unlock"' in page
    assert "Unlock name, date of birth and photo" in page
    with league_scope(league.id):
        reviews.unlock(fresh(mia), registrar)
        db.session.commit()
    assert "unlock" not in rendered(registrar, mia)


# -- documents and photos -------------------------------------------------------------------


def _token_of(location: str) -> dict:
    from flask import current_app

    token = location.rsplit("/", 1)[1]
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="storage-link")
    return serializer.loads(token)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("document", "application/pdf"),
        ("document/preview", "image/jpeg"),
        ("photo", "image/jpeg"),
        ("photo?size=thumb", "image/jpeg"),
    ],
)
def test_file_links_are_short_lived_and_not_stored(
    client, login, league, parent, registrar, monkeypatch, path, content_type
):
    """Does each file route redirect, uncached, to a link that stops working after 5 minutes?"""
    mia = submitted(league, parent)
    login(registrar)
    response = client.get(f"{BASE}/{mia.id}/{path}")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = response.headers["Location"]
    assert location.startswith("/files/")
    assert _token_of(location)["e"] == 300
    served = client.get(location)
    assert served.status_code == 200 and served.mimetype == content_type
    if content_type == "application/pdf":
        assert served.data.startswith(b"%PDF-")

    class FiveMinutesLater(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(seconds=301)

    monkeypatch.setattr(storage_module, "datetime", FiveMinutesLater)
    assert client.get(location).status_code == 404


def test_file_links_on_s3_are_presigned_for_five_minutes(
    client, login, league, parent, registrar, use_s3
):
    """On S3, is the redirect a presigned link that expires in 300 seconds?"""
    mia = submitted(league, parent)
    login(registrar)
    for path in ("document", "document/preview", "photo"):
        response = client.get(f"{BASE}/{mia.id}/{path}")
        assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
        query = parse_qs(urlparse(response.headers["Location"]).query)
        assert query["X-Amz-Expires"] == ["300"], path


def test_missing_files_are_404(client, login, league, parent, registrar, make):
    """No document, no photo, or an unknown choice: is it 404 rather than a broken link?"""
    bare = make.profile(league, parent, status=ProfileStatus.SUBMITTED)
    mia = submitted(league, parent)
    login(registrar)
    for path in ("document", "document/preview", "photo", "photo?size=thumb"):
        assert client.get(f"{BASE}/{bare.id}/{path}").status_code == 404, path
    for query in ("which=previous", "which=other", "size=huge"):
        assert client.get(f"{BASE}/{mia.id}/photo?{query}").status_code == 404, query


def test_previous_photo_shown_when_the_photo_changed(client, login, league, parent, registrar):
    """After a verified player changes the photo, does the screen show old and new side by
    side, with the old one served from the verified snapshot?"""
    mia = submitted(league, parent)
    with league_scope(league.id):
        profile = fresh(mia)
        reviews.approve(profile, registrar)
        reviews.unlock(profile, registrar)
        db.session.commit()
        old_photo, old_thumb = profile.photo_key, profile.photo_thumb_key
        photo = uploads.stage(parent, UploadKind.PHOTO, jpeg(600, 750, "#aa3300"), "new.jpg")
        data = services.ProfileData(
            first_name="Mia",
            last_name="Parent",
            date_of_birth=date(2016, 3, 14),
            phone="+1 555 0100",
            emergency_name="Pat Parent",
            emergency_phone="+1 555 0101",
        )
        assert services.update_profile(profile, parent, data, photo=photo) == ["photo"]
        db.session.commit()
        assert profile.status == ProfileStatus.SUBMITTED
    login(registrar)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Changed since the last verification" in page
    assert "Verified before" in page
    assert f"{BASE}/{mia.id}/photo?which=previous&amp;size=thumb" in page
    for size, key in (("thumb", old_thumb), ("card", old_photo)):
        response = client.get(f"{BASE}/{mia.id}/photo?which=previous&size={size}")
        assert response.status_code == 302
        assert _token_of(response.headers["Location"])["k"] == key
    assert _token_of(client.get(f"{BASE}/{mia.id}/photo").headers["Location"])["k"] != old_photo


def test_a_new_date_of_birth_without_a_document_is_flagged(
    client, login, league, parent, registrar
):
    """If the date of birth changed after the document was deleted (in a league that does
    not insist on documents), does the screen say so rather than "date of birth checked"?"""
    mia = submitted(league, parent)
    with league_scope(league.id):
        profile = fresh(mia)
        profile.league.require_document = False
        reviews.approve(profile, registrar)  # the league keeps no documents: deleted now
        reviews.unlock(profile, registrar)
        data = services.ProfileData(
            first_name="Mia",
            last_name="Parent",
            date_of_birth=date(2015, 3, 14),
            phone="+1 555 0100",
            emergency_name="Pat Parent",
            emergency_phone="+1 555 0101",
        )
        services.update_profile(profile, parent, data)
        db.session.commit()
        assert profile.status == ProfileStatus.SUBMITTED and profile.document_key is None
    login(registrar)
    page = client.get(f"{BASE}/{mia.id}").get_data(as_text=True)
    assert "The date of birth changed and no document proves the new one." in page
    assert "Date of birth checked by" not in page
    assert "<del>14 Mar 2016</del>" in page and "<ins>14 Mar 2015</ins>" in page


def test_decision_forms_carry_the_csrf_token(client, login, league, parent, registrar, csrf_on):
    """With CSRF enforced, does a post without the token fail and the page's own form work?"""
    mia = submitted(league, parent)
    login(registrar)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert client.post(f"{BASE}/{mia.id}/approve").status_code == 400
    assert fresh(mia).status == ProfileStatus.SUBMITTED
    form = re.search(
        r'<form class="review-approve" method="post" action="([^"]+)".*?</form>', page, re.S
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)
    response = client.post(form.group(1), data={"csrf_token": token})
    assert response.status_code == 303 and fresh(mia).status == ProfileStatus.VERIFIED
