"""Uploads through the upload widget's endpoint (uploads.js): files are judged by content,
refused ones leave nothing behind, and a staged file is only for its uploader."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.models import StagedUpload
from tests.images import heic, jpeg, pdf, webp
from tests.players.upload_helpers import (
    MB,
    REFUSED,
    REFUSED_IDS,
    _image,
    _staged_rows,
    _stored_files,
    _token,
    _upload,
)

# -- the upload endpoint (uploads.js) ------------------------------------------------------


def test_a_photo_upload_answers_the_done_widget(signed_in, league):
    """Does a good photo come back as the widget with preview, token and crop frame?"""
    response = _upload(signed_in, "photo", jpeg(1000, 800), "me.jpg")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div class="upload upload-photo')
    assert "<html" not in html
    token = _token(html, "photo")
    assert f'src="/l/riverside/players/uploads/{token}/preview"' in html
    assert 'class="crop-box"' in html and 'data-width="1000" data-height="800"' in html
    # The default crop: the largest 4:5 box, centred: 640 wide of 1000 -> x 0.18, w 0.64.
    assert 'name="crop_x" value="0.1800"' in html and 'name="crop_w" value="0.6400"' in html
    assert 'name="crop_y" value="0.0000"' in html
    with league_scope(league.id):
        staged = db.session.scalars(select(StagedUpload)).one()
        assert staged.token == token and staged.filename == "me.jpg"
        assert get_storage().exists(staged.key)


@pytest.mark.parametrize(("kind", "data", "name", "message"), REFUSED, ids=REFUSED_IDS)
def test_refused_uploads_say_why_and_leave_nothing(
    signed_in, league, storage_root, kind, data, name, message
):
    """Is a bad file refused (422) with a clear message, and nothing kept anywhere?"""
    response = _upload(signed_in, kind, data, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{kind}-upload"' in html and 'class="error upload-error"' in html
    assert f'name="{kind}_upload"' not in html
    assert _stored_files(storage_root) == []
    assert _staged_rows() == 0


def test_a_file_over_the_request_limit_is_413_with_a_clear_message(signed_in, league):
    """Does a 50 MB upload get 413 and a message naming the 10 MB limit?"""
    response = _upload(signed_in, "photo", b"\xff\xd8" + b"\0" * (50 * MB), "huge.jpg")
    assert response.status_code == 413
    assert "Files can be up to 10 MB" in response.get_data(as_text=True)
    assert _staged_rows() == 0


def test_an_upload_without_a_file_asks_for_one(signed_in, league):
    """Does an upload with no file ask for one (422)?"""
    response = signed_in.post("/l/riverside/players/uploads/document")
    assert response.status_code == 422
    assert "Choose a document to upload." in response.get_data(as_text=True)


def test_the_widget_follows_the_league_settings(signed_in, league):
    """Does the returned widget say "(optional)" only when the league does not need the file?"""
    html = _upload(signed_in, "photo", jpeg()).get_data(as_text=True)
    assert "(optional)" not in html and 'aria-required="true"' in html
    league.require_photo = False
    db.session.commit()
    html = _upload(signed_in, "photo", jpeg()).get_data(as_text=True)
    assert "(optional)" in html and "aria-required" not in html


def test_only_photos_and_documents_can_be_uploaded(signed_in, league):
    """Is any other kind of upload than photo or document not found?"""
    assert _upload(signed_in, "logo", jpeg()).status_code == 404


def test_heic_photos_are_converted(signed_in, league):
    """Is an iPhone HEIC photo accepted and kept as a JPEG?"""
    response = _upload(signed_in, "photo", heic(300, 400), "IMG_0001.HEIC")
    assert response.status_code == 200
    with league_scope(league.id):
        staged = db.session.scalars(select(StagedUpload)).one()
        assert staged.content_type == "image/jpeg" and staged.key.endswith(".jpg")
        assert _image(staged.key).format == "JPEG"
        assert (staged.width, staged.height) == (300, 400)


def test_webp_photos_are_accepted(signed_in, league):
    """Is a WebP photo accepted and kept as a JPEG?"""
    response = _upload(signed_in, "photo", webp(300, 400), "photo.webp")
    assert response.status_code == 200
    with league_scope(league.id):
        staged = db.session.scalars(select(StagedUpload)).one()
        assert _image(staged.key).format == "JPEG"


def test_a_pdf_document_gets_a_preview(signed_in, league):
    """Is a PDF kept as sent, with a first-page preview the uploader can open?"""
    response = _upload(signed_in, "document", pdf(2), "birth certificate.pdf")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    token = _token(html, "document")
    assert "birth certificate.pdf" in html and "PDF" in html
    preview = signed_in.get(f"/l/riverside/players/uploads/{token}/preview")
    assert preview.status_code == 302 and preview.headers["Cache-Control"] == "no-store"
    image = signed_in.get(preview.headers["Location"])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    with league_scope(league.id):
        staged = db.session.scalars(select(StagedUpload)).one()
        assert get_storage().get(staged.key).startswith(b"%PDF-")


def test_a_photo_of_a_document_is_accepted(signed_in, league):
    """Is a phone photo of a birth certificate accepted as proof of age?"""
    response = _upload(signed_in, "document", jpeg(1200, 900), "passport.jpg")
    assert response.status_code == 200 and "Photo" in response.get_data(as_text=True)


def test_a_staged_preview_is_only_for_its_uploader(client, login, make, league, parent):
    """Can anyone but the uploader open a staged upload's preview?"""
    login(parent)
    token = _token(_upload(client, "photo", jpeg()).get_data(as_text=True), "photo")
    own = client.get(f"/l/riverside/players/uploads/{token}/preview")
    assert own.status_code == 302 and own.headers["Cache-Control"] == "no-store"
    login(make.member(league, Role.REGISTRAR))
    assert client.get(f"/l/riverside/players/uploads/{token}/preview").status_code == 404
    assert client.get("/l/riverside/players/uploads/not-a-token/preview").status_code == 404


def test_uploads_need_the_csrf_header(signed_in, league, csrf_on):
    """Is an upload refused without the CSRF token, and accepted with the X-CSRFToken header?"""
    assert _upload(signed_in, "photo", jpeg()).status_code == 400
    page = signed_in.get("/l/riverside/players/new").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert _upload(signed_in, "photo", jpeg(), **{"X-CSRFToken": token}).status_code == 200
