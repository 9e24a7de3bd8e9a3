"""On a phone, through the real server: a parent registers two children, each with a
photo (uploaded on its own with a progress bar, then framed with the crop box) and a
PDF birth certificate, submits both, and sees them waiting for review."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.phone import assert_phone_friendly, screenshot, sign_in
from tests.images import heic, pdf

PARENT = "parent.pat@example.com"


def phone_photo(
    shirt: str = "#0f766e", background: str = "#bae6fd", hair: str = "#78350f", fmt: str = "JPEG"
) -> bytes:
    """A landscape snapshot like a phone takes: a child standing a little right of centre."""
    image = Image.new("RGB", (1200, 900), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 640, 1200, 900), fill="#86efac")  # grass
    draw.ellipse((470, 520, 870, 1000), fill=shirt)  # shoulders
    draw.rectangle((630, 430, 710, 560), fill="#e0ac69")  # neck
    draw.ellipse((560, 200, 780, 470), fill="#e0ac69")  # head
    draw.chord((550, 180, 790, 400), 180, 360, fill=hair)  # hair
    for x in (630, 710):
        draw.ellipse((x - 11, 310, x + 11, 332), fill="#1f2937")  # eyes
    draw.arc((625, 330, 715, 405), 25, 155, fill="#7f1d1d", width=6)  # smile
    out = io.BytesIO()
    image.save(out, format=fmt, quality=88)
    return out.getvalue()


def certificate_pdf(name: str) -> bytes:
    """A one-page PDF that looks like a scanned birth certificate (for the screenshots)."""
    image = Image.new("RGB", (420, 595), "#fffdf5")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 408, 583), outline="#1e3a8a", width=5)
    draw.text((210, 70), "CERTIFICATE OF BIRTH", fill="#1e3a8a", anchor="mm", font_size=24)
    for row, (label, value) in enumerate([("Name", name), ("Born", "20 May 2016")]):
        draw.text((50, 160 + row * 70), label.upper(), fill="#6b7280", font_size=14)
        draw.text((50, 182 + row * 70), value, fill="#111827", font_size=20)
    draw.ellipse((290, 450, 380, 540), outline="#b91c1c", width=4)
    out = io.BytesIO()
    image.save(out, format="PDF")
    return out.getvalue()


def crop_values(page: Page) -> tuple[float, float, float]:
    return tuple(
        float(page.locator(f"#photo-upload input[name=crop_{axis}]").input_value())
        for axis in ("x", "y", "w")
    )


def choose(page: Page, kind: str, file: tuple[str, str, bytes]) -> None:
    """Pick a file in the widget, as a parent does from the phone's gallery."""
    name, mime, data = file
    label = "Choose a photo of the player" if kind == "photo" else "Choose the document"
    page.get_by_label(label).set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def expect_staged(page: Page, kind: str) -> None:
    """The widget shows the upload as done: preview loaded, token in the form."""
    widget = page.locator(f"#{kind}-upload")
    expect(widget.locator(".upload-done")).to_contain_text("uploaded")
    expect(widget.locator(f"input[type=hidden][name={kind}_upload]")).to_have_count(1)
    expect(widget.locator(".upload-error")).to_be_hidden()
    preview = widget.locator(".crop-image" if kind == "photo" else ".doc-preview img")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
    )


def upload(page: Page, kind: str, file: tuple[str, str, bytes]) -> None:
    """Choose a file and wait for uploads.js to stage it on its own, before any save."""
    with page.expect_response(re.compile(rf"/l/riverside/players/uploads/{kind}$")) as answer:
        choose(page, kind, file)
    assert answer.value.status == 200, answer.value.text()
    assert answer.value.request.headers.get("x-csrftoken"), "the upload carried no CSRF token"
    expect_staged(page, kind)


def upload_on_a_slow_line(page: Page, kind: str, file: tuple[str, str, bytes]) -> None:
    """While the file is on its way: a progress bar, and Save waits for it."""
    held = []
    pattern = f"**/l/riverside/players/uploads/{kind}"
    page.route(pattern, lambda route: held.append(route))
    choose(page, kind, file)
    widget = page.locator(f"#{kind}-upload")
    expect(widget.locator("progress")).to_be_visible()
    expect(widget.locator(".upload-progress-text")).to_contain_text("%")
    expect(page.get_by_role("button", name="Save player")).to_be_disabled()
    page.wait_for_timeout(50)  # lets the route handler run
    assert held, "the upload never left"
    held[0].continue_()
    page.unroute(pattern)
    expect_staged(page, kind)
    expect(widget.locator("progress")).to_be_hidden()
    expect(page.get_by_role("button", name="Save player")).to_be_enabled()


def upload_through_a_dropped_connection(page: Page, errors, kind: str, file) -> None:
    """The first try fails like a dropped connection: the widget says so, nothing typed is
    lost, and one tap tries again."""
    pattern = f"**/l/riverside/players/uploads/{kind}"
    page.route(pattern, lambda route: route.abort("internetdisconnected"))
    choose(page, kind, file)
    widget = page.locator(f"#{kind}-upload")
    expect(widget.locator(".upload-error")).to_contain_text("did not get through")
    retry = widget.get_by_role("button", name="Try the upload again")
    expect(retry).to_be_visible()
    expect(page.get_by_label("First name")).not_to_have_value("")
    page.unroute(pattern)
    with page.expect_response(re.compile(rf"/l/riverside/players/uploads/{kind}$")) as answer:
        retry.click()
    assert answer.value.status == 200
    expect_staged(page, kind)
    failures = errors.take()  # the browser logs the failed request itself
    assert failures and all("net::ERR_INTERNET_DISCONNECTED" in m for m in failures), failures


def register(page: Page, errors, first: str, born: str, photo: tuple, *, move_crop: bool):
    """Fill the form, stage a photo and a PDF, save, and submit from the profile page."""
    page.get_by_role("link", name="Add a player").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a player")
    page.get_by_label("My child, or someone I look after").check()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill("Testchild")
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label("Phone", exact=True).fill("+1 555 0142")
    page.get_by_label("Emergency contact's name").fill("Pat Parent")
    page.get_by_label("Emergency contact's phone").fill("+1 555 0143")

    if move_crop:
        upload_on_a_slow_line(page, "photo", photo)
    else:
        upload(page, "photo", photo)
    box = page.locator("#photo-upload .crop-box")
    expect(box).to_be_visible()
    before = crop_values(page)
    assert before[2] > 0.3, before  # the default frame: the largest 4:5 box
    if move_crop:
        box.scroll_into_view_if_needed()
        area = box.bounding_box()
        x, y = area["x"] + area["width"] / 2, area["y"] + area["height"] / 3
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 12, y + 4, steps=4)
        page.mouse.move(x + 25, y + 8, steps=4)
        page.mouse.up()
        after = crop_values(page)
        assert after[0] > before[0] and after[2] == before[2], (before, after)

    page.get_by_label("Type of document").select_option(label="Birth certificate")
    document = certificate_pdf(f"{first} Testchild") if not move_crop else pdf()
    certificate = ("birth-certificate.pdf", "application/pdf", document)
    if move_crop:
        upload(page, "document", certificate)
    else:
        upload_through_a_dropped_connection(page, errors, "document", certificate)
    expect(page.locator("#document-upload figcaption")).to_contain_text("birth-certificate.pdf")
    assert_phone_friendly(page, errors)
    if not move_crop:
        screenshot(page, "player-form")

    page.get_by_role("button", name="Save player").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{first} Testchild")
    expect(page.locator("#checklist-heading")).to_have_text("Ready to submit")
    expect(page.locator(".checklist .is-missing")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#profile .profile-head .pstatus")).to_have_text("Pending review")
    expect(page.locator("#flashes")).to_contain_text("sent for review")
    photo_on_page = page.locator("#profile img.player-photo-card")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo_on_page.element_handle()
    )


def test_parent_registers_two_children_on_a_phone(page: Page, browser_errors, live_server):
    """Can a parent on a phone register two children with photos and a birth certificate,
    submit both, and see both waiting for review?"""
    sign_in(page, PARENT)
    page.goto("/l/riverside/players/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My players")
    assert_phone_friendly(page, browser_errors)

    zoe = ("zoe.jpg", "image/jpeg", phone_photo())
    register(page, browser_errors, "Zoe", "2016-05-20", zoe, move_crop=False)
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "player-profile")

    page.get_by_role("link", name="My players").click()
    heic()  # registers Pillow's HEIC support, as in the unit tests
    iphone = phone_photo("#be185d", "#fde68a", "#1f2937", fmt="HEIF")
    max_photo = ("IMG_0042.HEIC", "image/heic", iphone)  # browsers can't show it; we convert
    register(page, browser_errors, "Max", "2018-09-02", max_photo, move_crop=True)
    assert_phone_friendly(page, browser_errors)

    page.get_by_role("link", name="My players").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My players")
    for name in ("Zoe Testchild", "Max Testchild"):
        row = page.locator(".player-row", has_text=name)
        expect(row).to_have_count(1)
        expect(row.locator(".pstatus")).to_have_text("Pending review")
        thumb = row.locator("img.player-photo")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
        )
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "players-list")
