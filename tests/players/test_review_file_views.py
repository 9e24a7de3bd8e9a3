"""The review screens' files: short-lived links to the documents and photos, the previous
photo beside a changed one, and a new date of birth without a document."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from itsdangerous import URLSafeTimedSerializer

from portal.core import storage as storage_module
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players import reviews, services, uploads
from portal.players.models import ProfileStatus, UploadKind
from tests.images import jpeg
from tests.players.review_helpers import BASE, fresh, submitted

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
