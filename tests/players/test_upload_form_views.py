"""Files on the profile form: staged uploads adopted with their crop, and the form's own
file fields (no JavaScript). Photos come out upright, cropped and without metadata, and
a replaced file is deleted."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.players.models import PlayerProfile
from tests.images import exif_rotated_jpeg, jpeg, pdf, png, webp
from tests.players.upload_helpers import (
    MB,
    REFUSED,
    REFUSED_IDS,
    _colour,
    _file,
    _halves,
    _image,
    _only_profile,
    _post_form,
    _staged_rows,
    _stored_files,
    _token,
    _upload,
)

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
