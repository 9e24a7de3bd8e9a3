"""Uploads through the real endpoints: the upload widget's endpoint (uploads.js) and the
profile form's own file fields (no JavaScript). Files are judged by content, refused
ones leave nothing behind, photos come out upright, cropped and without metadata, and
everything works the same on S3."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.players.models import PlayerProfile, ProfileStatus, StagedUpload
from tests.images import (
    SVG_WITH_SCRIPT,
    exif_rotated_jpeg,
    heic,
    jpeg,
    pdf,
    png,
    png_bomb,
    webp,
)

MB = 1024 * 1024


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def signed_in(client, login, parent):
    login(parent)
    return client


def _fields(**changes) -> dict:
    values = {
        "who": "child",
        "first_name": "Mia",
        "last_name": "Parent",
        "date_of_birth": "2016-03-14",
        "phone": "+1 555 0100",
        "emergency_name": "Pat Parent",
        "emergency_phone": "+1 555 0101",
        "document_kind": "passport",
    }
    values.update(changes)
    return values


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def _post(client, url: str, fields: dict, **headers):
    """A multipart POST built in memory: the test client's own encoder spools big bodies
    to a temporary file it never closes (a ResourceWarning, an error in this suite)."""
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def _upload(client, kind: str, data: bytes, name: str = "file.jpg", **headers):
    return _post(
        client, f"/l/riverside/players/uploads/{kind}", {"file": _file(data, name)}, **headers
    )


def _post_form(client, url="/l/riverside/players/new", **fields):
    return _post(client, url, _fields(**fields))


def _token(html: str, kind: str) -> str:
    return re.search(rf'name="{kind}_upload" value="([^"]+)"', html).group(1)


def _stored_files(root: Path) -> list[str]:
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


def _staged_rows() -> int:
    with unscoped():
        return db.session.scalar(select(db.func.count()).select_from(StagedUpload))


def _only_profile() -> PlayerProfile:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(PlayerProfile)).one()


def _image(key: str) -> Image.Image:
    image = Image.open(io.BytesIO(get_storage().get(key)))
    image.load()
    return image


def _colour(image: Image.Image, x: int, y: int) -> str:
    red, green, blue = image.convert("RGB").getpixel((x, y))[:3]
    if red > 200 and green < 60 and blue < 60:
        return "red"
    if blue > 200 and red < 60 and green < 60:
        return "blue"
    return f"rgb({red},{green},{blue})"


def _halves(width: int, height: int, left: str = "red", right: str = "blue") -> bytes:
    image = Image.new("RGB", (width, height), right)
    image.paste(Image.new("RGB", (width // 2, height), left), (0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


REFUSED = [
    ("photo", b"just some text, honestly\n" * 20, "notes.jpg", "not an image we can use"),
    ("photo", SVG_WITH_SCRIPT, "face.svg", "not an image we can use"),
    ("photo", jpeg(400, 400)[:300], "cut.jpg", "damaged or incomplete"),
    ("photo", b"\xff\xd8\xff\xe0" + b"\0" * (11 * MB), "huge.jpg", "larger than 10 MB"),
    ("photo", png_bomb(), "bomb.png", "under 40 megapixels"),
    ("document", b"just some text\n" * 20, "birth.pdf", "Please choose a PDF"),
    ("document", SVG_WITH_SCRIPT, "birth.svg", "Please choose a PDF"),
    ("document", b"%PDF-1.4\n" + b"garbage" * 50, "broken.pdf", "damaged or incomplete"),
    ("document", b"%PDF-1.4\n" + b"\0" * (11 * MB), "huge.pdf", "larger than 10 MB"),
]
REFUSED_IDS = [
    "text",
    "svg",
    "truncated",
    "11mb",
    "bomb",
    "doc-text",
    "doc-svg",
    "bad-pdf",
    "doc-11mb",
]


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


# -- the form, with files staged ahead (uploads.js) --------------------------------------


def test_form_adopts_a_staged_photo_with_the_chosen_crop(signed_in, league, storage_root):
    """Does the server apply the crop fractions the crop frame wrote into the form?"""
    html = _upload(signed_in, "photo", _halves(1000, 1000), "me.png").get_data(as_text=True)
    token = _token(html, "photo")
    # A 400 x 500 box in the right (blue) half; the default crop would straddle both.
    response = _post_form(signed_in, photo_upload=token, crop_x="0.55", crop_y="0.2", crop_w="0.4")
    assert response.status_code == 303
    profile = _only_profile()
    with league_scope(league.id):
        card = _image(profile.photo_key)
        thumb = _image(profile.photo_thumb_key)
    assert card.size == (600, 750) and thumb.size == (240, 300)
    assert {_colour(card, x, y) for x in (10, 300, 590) for y in (10, 740)} == {"blue"}
    assert _staged_rows() == 0
    assert not any(token in name for name in _stored_files(storage_root)), "staged copy left"


def test_default_crop_without_crop_fields(signed_in, league):
    """Without crop fractions, does the card use the centred default crop?"""
    html = _upload(signed_in, "photo", _halves(1000, 1000), "me.png").get_data(as_text=True)
    assert _post_form(signed_in, photo_upload=_token(html, "photo")).status_code == 303
    with league_scope(league.id):
        card = _image(_only_profile().photo_key)
    assert _colour(card, 20, 375) == "red" and _colour(card, 580, 375) == "blue"


def test_form_adopts_a_staged_document(signed_in, league):
    """Does saving the form take over a staged PDF as the profile's proof of age?"""
    html = _upload(signed_in, "document", pdf(), "birth.pdf").get_data(as_text=True)
    assert _post_form(signed_in, document_upload=_token(html, "document")).status_code == 303
    profile = _only_profile()
    assert profile.document_key.endswith(".pdf") and profile.document_preview_key
    assert profile.document_type == "application/pdf" and profile.document_uploaded_at
    assert _staged_rows() == 0


def test_staged_uploads_survive_a_form_error(signed_in, league):
    """After a form error, are the staged photo and document still there, shown and kept?"""
    photo = _token(_upload(signed_in, "photo", jpeg(800, 1000)).get_data(as_text=True), "photo")
    document = _token(_upload(signed_in, "document", pdf()).get_data(as_text=True), "document")
    response = _post_form(
        signed_in,
        first_name="",
        photo_upload=photo,
        document_upload=document,
        crop_x="0.1",
        crop_y="0.05",
        crop_w="0.7",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'name="photo_upload" value="{photo}"' in html
    assert f'name="document_upload" value="{document}"' in html
    assert f"/uploads/{photo}/preview" in html and f"/uploads/{document}/preview" in html
    assert 'name="crop_x" value="0.1"' in html and 'name="crop_w" value="0.7"' in html
    assert _staged_rows() == 2
    response = _post_form(signed_in, photo_upload=photo, document_upload=document)
    assert response.status_code == 303
    profile = _only_profile()
    assert profile.photo_key and profile.document_key


def test_another_users_staged_upload_is_refused(client, login, make, league, parent):
    """Can a form name someone else's staged upload?"""
    login(parent)
    token = _token(_upload(client, "document", pdf()).get_data(as_text=True), "document")
    login(make.user())
    response = _post_form(client, document_upload=token)
    assert response.status_code == 422
    assert "We no longer have that document" in response.get_data(as_text=True)
    assert token not in response.get_data(as_text=True)
    with unscoped():
        assert db.session.scalar(select(db.func.count()).select_from(PlayerProfile)) == 0
    assert _staged_rows() == 1


def test_an_expired_or_made_up_token_asks_for_the_file_again(signed_in, league):
    """Does an unknown upload token ask for the file again?"""
    response = _post_form(signed_in, photo_upload="made-up-token")
    assert response.status_code == 422
    assert "We no longer have that photo" in response.get_data(as_text=True)


# -- the form's own file fields (no JavaScript) ------------------------------------------


def test_without_javascript_files_post_with_the_form(signed_in, league):
    """With JavaScript off, are the photo and document staged and adopted in one go?"""
    response = _post_form(
        signed_in,
        photo=_file(jpeg(900, 1200), "me.jpg"),
        document=_file(pdf(), "birth.pdf"),
    )
    assert response.status_code == 303
    profile = _only_profile()
    assert profile.photo_key and profile.photo_thumb_key and profile.document_key
    assert _staged_rows() == 0


@pytest.mark.parametrize(("kind", "data", "name", "message"), REFUSED, ids=REFUSED_IDS)
def test_without_javascript_a_refused_file_must_be_chosen_again(
    signed_in, league, storage_root, kind, data, name, message
):
    """Is a bad file posted with the form refused clearly, typed values kept, nothing stored?"""
    response = _post_form(signed_in, address="1 High St", **{kind: _file(data, name)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f"That file was not kept, so please choose the {kind} again." in html
    assert 'value="Mia"' in html and "1 High St</textarea>" in html
    assert _stored_files(storage_root) == []
    assert _staged_rows() == 0
    with unscoped():
        assert db.session.scalar(select(db.func.count()).select_from(PlayerProfile)) == 0


def test_without_javascript_a_50mb_file_is_413(signed_in, league):
    """Does a 50 MB file posted with the form get 413 and the 10 MB message?"""
    response = _post_form(signed_in, photo=_file(b"\xff\xd8" + b"\0" * (50 * MB), "huge.jpg"))
    assert response.status_code == 413
    assert "Files can be up to 10 MB" in response.get_data(as_text=True)


def test_without_javascript_a_good_file_is_kept_through_a_form_error(signed_in, league):
    """If the rest of the form has a mistake, is the photo sent with it kept for next time?"""
    response = _post_form(signed_in, last_name="", photo=_file(jpeg(800, 1000), "me.jpg"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    token = _token(html, "photo")
    assert f"/uploads/{token}/preview" in html and "Photo uploaded" in html
    assert _post_form(signed_in, photo_upload=token).status_code == 303
    assert _only_profile().photo_key


def test_without_javascript_a_file_lost_to_a_refused_save_is_asked_for_again(
    signed_in, make, league, parent, storage_root
):
    """When the save itself is refused (a duplicate), is a file sent with it asked for again?"""
    make.profile(
        league, parent, first_name="Mia", last_name="Parent", date_of_birth=date(2016, 3, 14)
    )
    response = _post_form(signed_in, photo=_file(jpeg(800, 1000), "me.jpg"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "already added Mia Parent" in html
    assert "please choose the photo again" in html and 'name="photo_upload"' not in html
    assert _stored_files(storage_root) == []


def test_exif_rotated_photo_comes_out_upright_without_metadata(signed_in, league, storage_root):
    """Is a sideways phone photo turned upright, and is every bit of EXIF (GPS too) gone?"""
    original = exif_rotated_jpeg()
    assert b"PhoneMaker" in original
    assert _post_form(signed_in, photo=_file(original, "IMG_1234.jpg")).status_code == 303
    profile = _only_profile()
    with league_scope(league.id):
        for key, (width, height) in (
            (profile.photo_key, (600, 750)),
            (profile.photo_thumb_key, (240, 300)),
        ):
            raw = get_storage().get(key)
            image = _image(key)
            assert image.size == (width, height)
            # Turned 90° clockwise, the red left half is on top and the blue below.
            assert _colour(image, width // 2, height // 10) == "red"
            assert _colour(image, width // 2, height * 9 // 10) == "blue"
            assert not image.getexif() and "exif" not in image.info
            assert b"Exif" not in raw and b"PhoneMaker" not in raw


def test_photo_endpoint_links_to_the_card_photo_and_thumbnail(signed_in, league):
    """Does the photo link lead to the 600x750 card photo, or the 240x300 thumbnail?"""
    assert _post_form(signed_in, photo=_file(jpeg(900, 1200), "me.jpg")).status_code == 303
    profile = _only_profile()
    for query, size in (("", (600, 750)), ("?size=thumb", (240, 300))):
        response = signed_in.get(f"/l/riverside/players/{profile.id}/photo{query}")
        assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
        image = signed_in.get(response.headers["Location"])
        assert Image.open(io.BytesIO(image.data)).size == size


def test_no_photo_is_404(signed_in, make, league, parent):
    """Is the photo of a profile without one not found?"""
    profile = make.profile(league, parent)
    assert signed_in.get(f"/l/riverside/players/{profile.id}/photo").status_code == 404


def test_replacing_a_photo_deletes_the_old_one(signed_in, league):
    """Does a new photo (by either path) delete the old card photo and thumbnail?"""
    assert _post_form(signed_in, photo=_file(jpeg(900, 1200), "one.jpg")).status_code == 303
    profile = _only_profile()
    first = (profile.photo_key, profile.photo_thumb_key)
    edit = f"/l/riverside/players/{profile.id}/edit"
    assert _post_form(signed_in, edit, photo=_file(png(800, 1000), "two.png")).status_code == 303
    second = (_only_profile().photo_key, _only_profile().photo_thumb_key)
    html = _upload(signed_in, "photo", webp(800, 1000)).get_data(as_text=True)
    assert _post_form(signed_in, edit, photo_upload=_token(html, "photo")).status_code == 303
    third = _only_profile().photo_key
    with league_scope(league.id):
        storage = get_storage()
        assert not any(storage.exists(key) for key in (*first, *second))
        assert storage.exists(third)


def test_replacing_the_document_deletes_the_old_one(signed_in, league):
    """Does a new proof of age delete the old file and its preview?"""
    assert _post_form(signed_in, document=_file(pdf(), "one.pdf")).status_code == 303
    profile = _only_profile()
    old = (profile.document_key, profile.document_preview_key)
    edit = f"/l/riverside/players/{profile.id}/edit"
    assert _post_form(signed_in, edit, document=_file(jpeg(900, 700), "two.jpg")).status_code == 303
    profile = _only_profile()
    with league_scope(league.id):
        assert not any(get_storage().exists(key) for key in old)
        assert get_storage().exists(profile.document_key)
    assert profile.document_type == "image/jpeg"


# -- the same on S3 --------------------------------------------------------------------------


def _bucket_keys(s3) -> list[str]:
    listing = s3.client.list_objects_v2(Bucket=s3.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_on_s3_documents_are_tagged_and_encrypted(signed_in, league, use_s3):
    """On S3, is a proof-of-age document (and its preview) tagged governmentid and encrypted?"""
    html = _upload(signed_in, "document", pdf(), "birth.pdf").get_data(as_text=True)
    keys = _bucket_keys(use_s3)
    assert len(keys) == 2 and all(key.startswith("prefix/private/") for key in keys)
    for key in keys:
        tags = use_s3.client.get_object_tagging(Bucket=use_s3.bucket, Key=key)["TagSet"]
        assert {"Key": "governmentid", "Value": "true"} in tags
        head = use_s3.client.head_object(Bucket=use_s3.bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
    token = _token(html, "document")
    preview = signed_in.get(f"/l/riverside/players/uploads/{token}/preview")
    assert preview.status_code == 302 and use_s3.bucket in preview.headers["Location"]
    assert _post_form(signed_in, document_upload=token).status_code == 303
    profile = _only_profile()
    assert f"prefix/{profile.document_key}" in _bucket_keys(use_s3)
    head = use_s3.client.head_object(Bucket=use_s3.bucket, Key=f"prefix/{profile.document_key}")
    assert head["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize(("kind", "data", "name", "message"), REFUSED[:3], ids=REFUSED_IDS[:3])
def test_on_s3_a_refused_upload_leaves_the_bucket_empty(
    signed_in, league, use_s3, kind, data, name, message
):
    """On S3, does a refused upload (either path) leave the bucket empty?"""
    assert _upload(signed_in, kind, data, name).status_code == 422
    assert _post_form(signed_in, **{kind: _file(data, name)}).status_code == 422
    assert _bucket_keys(use_s3) == []


def test_on_s3_staging_adoption_and_replacement(signed_in, league, use_s3):
    """On S3, does a staged photo become the card photo, and a replacement delete the old?"""
    html = _upload(signed_in, "photo", _halves(1000, 1000), "me.png").get_data(as_text=True)
    token = _token(html, "photo")
    response = _post_form(signed_in, photo_upload=token, crop_x="0.55", crop_y="0.2", crop_w="0.4")
    assert response.status_code == 303
    profile = _only_profile()
    first = {f"prefix/{profile.photo_key}", f"prefix/{profile.photo_thumb_key}"}
    assert set(_bucket_keys(use_s3)) == first  # the staged copy is gone
    with league_scope(league.id):
        assert _colour(_image(profile.photo_key), 300, 375) == "blue"
    for key in first:
        head = use_s3.client.head_object(Bucket=use_s3.bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
    link = signed_in.get(f"/l/riverside/players/{profile.id}/photo")
    assert link.status_code == 302 and "X-Amz-Expires" in link.headers["Location"]

    edit = f"/l/riverside/players/{profile.id}/edit"
    assert _post_form(signed_in, edit, photo=_file(jpeg(800, 1000), "new.jpg")).status_code == 303
    profile = _only_profile()
    assert set(_bucket_keys(use_s3)) == {
        f"prefix/{profile.photo_key}",
        f"prefix/{profile.photo_thumb_key}",
    }
    assert profile.status == ProfileStatus.DRAFT
