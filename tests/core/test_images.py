"""Image and document checks, by content: what is refused, and what comes out."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.core.images import (
    CARD_PHOTO_SIZE,
    Crop,
    ImageError,
    card_photo,
    crop_box,
    normalise_logo,
    stage_photo,
)
from portal.players.documents import check_document
from tests import images


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, named photo.jpg", "not an image we can use"),
        (images.SVG_WITH_SCRIPT, "not an image we can use"),
        (images.jpeg(400, 400)[:300], "damaged or incomplete"),
        (b"", "empty"),
        (b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_bad_photos_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ImageError, match=message):
        stage_photo(data)


@pytest.mark.parametrize(
    ("side", "message"), [(20000, "too large"), (7000, r"\(7000x7000 pixels\)")]
)
def test_a_decompression_bomb_is_refused_before_decoding(side, message):
    """Is a huge PNG (400 MP in ~400 KB at 20000 px) refused by its header, before decoding?"""
    with pytest.raises(ImageError, match=message):
        stage_photo(images.png_bomb(side))


def test_exif_rotated_photo_comes_out_upright_without_metadata():
    """Is a phone photo turned by its EXIF orientation, and are EXIF and GPS gone?"""
    staged, width, height = stage_photo(images.exif_rotated_jpeg(400, 300))
    assert (width, height) == (300, 400)  # portrait after the 90° turn
    result = _open(staged)
    assert not result.getexif() and "exif" not in result.info
    top, bottom = result.getpixel((150, 20)), result.getpixel((150, 380))
    assert top[0] > 200 and top[2] < 60  # red is now on top
    assert bottom[2] > 200 and bottom[0] < 60  # blue below
    card, thumb = card_photo(staged, None)
    for data in (card, thumb):
        assert not _open(data).getexif()


@pytest.mark.parametrize("maker", [images.heic, images.webp, images.png, images.jpeg])
def test_accepted_photo_formats_become_jpeg(maker):
    staged, _, _ = stage_photo(maker())
    assert _open(staged).format == "JPEG"


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (100, 125), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    staged, _, _ = stage_photo(out.getvalue())
    assert _open(staged).getpixel((50, 60))[0] > 240


def test_card_photo_is_portrait_600x750_with_thumbnail():
    staged, _, _ = stage_photo(images.jpeg(1600, 1200))
    card, thumb = card_photo(staged, None)
    assert _open(card).size == CARD_PHOTO_SIZE
    assert _open(thumb).size == (240, 300)
    assert len(card) < 60_000  # small enough for a phone on a bad connection


def test_crop_box_follows_the_users_crop_and_stays_inside():
    assert crop_box(1000, 1000, Crop(0.2, 0.1, 0.4)) == (200, 100, 600, 600)
    # A crop running off the edge is slid back inside the image.
    assert crop_box(1000, 1000, Crop(0.9, 0.9, 0.4)) == (600, 500, 1000, 1000)
    # No crop: the largest 4:5 box, centred across, a little above centre down.
    assert crop_box(1000, 1000, None) == (100, 0, 900, 1000)
    assert crop_box(800, 2000, None) == (0, 400, 800, 1400)


@pytest.mark.parametrize("size", [(1600, 1007), (1001, 999), (3, 1000), (1000, 3), (4032, 3024)])
@pytest.mark.parametrize("crop", [None, Crop(0, 0, 1), Crop(0.5, 0.5, 0.9), Crop(0.999, 0, 0.02)])
def test_crop_box_never_leaves_the_image(size, crop):
    """Is every crop box inside the image, whatever the rounding (no black edge)?"""
    width, height = size
    left, top, right, bottom = crop_box(width, height, crop)
    assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_a_full_height_crop_is_kept_not_replaced_by_the_default():
    """Does a crop the full height of the photo survive rounding (1600x1007)?"""
    assert crop_box(1600, 1007, Crop(0.1, 0.0, 0.5034)) == (160, 0, 965, 1006)


@pytest.mark.parametrize(
    "values",
    [
        ("a", "0", "0.5"),
        ("-0.1", "0", "0.5"),
        ("0", "0", "1.5"),
        (None, None, None),
        ("0", "0", "0"),
    ],
)
def test_nonsense_crops_fall_back_to_the_default(values):
    assert Crop.parse(*values) is None


def test_pdf_document_is_kept_with_a_first_page_preview():
    document = check_document(images.pdf(pages=2))
    assert document.content_type == "application/pdf" and document.data.startswith(b"%PDF")
    preview = _open(document.preview)
    assert preview.format == "JPEG" and preview.width >= 600


def test_photo_document_is_re_encoded_without_metadata():
    document = check_document(images.exif_rotated_jpeg())
    assert document.content_type == "image/jpeg"
    assert not _open(document.data).getexif()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (images.pdf()[:150], "damaged or incomplete"),
        (images.SVG_WITH_SCRIPT, "Please choose a PDF"),
        (b"PK\x03\x04 a zip file", "Please choose a PDF"),
        (images.pdf(pages=21), "more than 20 pages"),
    ],
)
def test_bad_documents_are_refused(data, message):
    with pytest.raises(ImageError, match=message):
        check_document(data)


def test_logo_is_a_small_png():
    logo = _open(normalise_logo(images.jpeg(2000, 1000)))
    assert logo.format == "PNG" and max(logo.size) == 512


def test_damaged_images_stay_refused_after_weasyprint_is_loaded():
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; the card
    renderer turns it off again, so a process that made a card still refuses a
    truncated upload."""
    from PIL import ImageFile

    import portal.cards.render  # noqa: F401  (imports WeasyPrint)
    from portal.core.images import ImageError, normalise_logo

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(ImageError, match="damaged or incomplete"):
        normalise_logo(images.png()[:60])
