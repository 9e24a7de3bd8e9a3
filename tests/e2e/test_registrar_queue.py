"""A registrar clears a review queue with the keyboard alone, on a phone and on a tablet.

The test makes its own league, registrar and submitted profiles (real photos and
PDF documents, through the app's own services) in the live server's database, so
it depends on nothing in the demo data.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, BrowserErrors
from tests.e2e.phone import assert_phone_friendly, layout_problems, screenshot, sign_in

PASSWORD = "queue-test-2026"
TABLET = {"width": 1024, "height": 768}

# Runs in the server's environment (its database and storage), through the services.
SETUP = r"""
import io, sys
from datetime import date, timedelta
from PIL import Image, ImageDraw, ImageFont
from portal import create_app
from portal.accounts import services as accounts
from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues import services as leagues
from portal.leagues.models import League
from portal.players import services, uploads
from portal.players.models import AgeGroup, DocumentKind, UploadKind

slug, email, password, *names = sys.argv[1:]
SHIRTS = ["#0f766e", "#b91c1c", "#1d4ed8", "#7c3aed", "#c2410c", "#047857"]
SKIN = ["#f1c27d", "#8d5524", "#e0ac69", "#c68642", "#ffdbac", "#a0522d"]

def photo(n):
    image = Image.new("RGB", (600, 750), "#cbd5e1")
    draw = ImageDraw.Draw(image)
    for y in range(750):  # a soft backdrop
        shade = 215 - y // 12
        draw.line([(0, y), (600, y)], fill=(shade, shade + 8, shade + 18))
    draw.ellipse((120, 560, 480, 920), fill=SHIRTS[n % 6])  # shoulders
    draw.rectangle((255, 430, 345, 600), fill=SKIN[n % 6])  # neck
    draw.ellipse((190, 170, 410, 470), fill=SKIN[n % 6])  # face
    draw.chord((180, 140, 420, 380), 180, 360, fill="#3f2a1d")  # hair
    for x in (255, 345):
        draw.ellipse((x - 12, 300, x + 12, 324), fill="#1f2937")
    draw.arc((255, 360, 345, 420), 20, 160, fill="#7f1d1d", width=6)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()

def certificate(first, last, born):
    page = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(page)
    big, mid = ImageFont.load_default(size=46), ImageFont.load_default(size=30)
    draw.rectangle((30, 30, 820, 1070), outline="#1e3a8a", width=8)
    draw.text((425, 130), "CERTIFICATE OF BIRTH", fill="#1e3a8a", font=big, anchor="mm")
    rows = [("Name", f"{first} {last}"), ("Date of birth", born.strftime("%d %B %Y")),
            ("Place of birth", "Riverside General Hospital"), ("Registered", "Riverside County")]
    for i, (label, value) in enumerate(rows):
        y = 300 + i * 130
        draw.text((90, y), label.upper(), fill="#6b7280", font=mid)
        draw.text((90, y + 40), value, fill="#111827", font=big)
        draw.line([(90, y + 100), (760, y + 100)], fill="#d1d5db", width=2)
    draw.ellipse((560, 820, 760, 1020), outline="#b91c1c", width=6)
    draw.text((660, 920), "SEAL", fill="#b91c1c", font=mid, anchor="mm")
    out = io.BytesIO()
    page.save(out, format="PDF")
    return out.getvalue()

app = create_app()
with app.app_context():
    with unscoped():
        league = db.session.query(League).filter_by(slug=slug).one_or_none()
        if league is None:
            league = leagues.create_league(slug, name="Queue Test League", sport="Soccer")
            for position, (name, low, high) in enumerate(
                    [("U10", 9, 10), ("U12", 11, 12), ("U14", 13, 14)]):
                db.session.add(AgeGroup(league_id=league.id, name=name, min_age=low,
                                        max_age=high, position=position))
        registrar = accounts.find_user_by_email(email)
        if registrar is None:
            registrar = accounts.create_user(email, password, "Rita Registrar", verified=True)
        parent = accounts.create_user(
            f"parent.{utcnow().timestamp():.0f}.{slug}@example.com", password, "Pat Queue",
            verified=True)
        db.session.flush()
    with league_scope(league.id):
        leagues.grant_role(league, registrar, Role.REGISTRAR)
        for n, name in enumerate(names):
            first, last = name.split()
            born = date(2014 + n % 4, 1 + 2 * n % 12, 3 + n)
            data = services.ProfileData(
                first_name=first, last_name=last, date_of_birth=born, phone="+1 555 0100",
                emergency_name="Pat Queue", emergency_phone="+1 555 0101",
                document_kind=DocumentKind.BIRTH_CERTIFICATE)
            staged_photo = uploads.stage(parent, UploadKind.PHOTO, photo(n), "photo.jpg")
            staged_document = uploads.stage(
                parent, UploadKind.DOCUMENT, certificate(first, last, born), "birth.pdf")
            profile = services.create_profile(
                league, parent, data, photo=staged_photo, document=staged_document)
            services.submit(profile, parent)
            profile.submitted_at = utcnow() - timedelta(minutes=len(names) - n)
    db.session.commit()
print("ok")
"""


def add_queue(live_server, slug: str, email: str, names: list[str]) -> None:
    """Create (or reuse) the league and registrar, and submit one profile per name."""
    result = subprocess.run(
        [sys.executable, "-c", SETUP, slug, email, PASSWORD, *names],
        env=live_server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def images_loaded(page: Page) -> None:
    """Wait until every image of the review item has loaded (through its redirect)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('#review-item img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )


def shows(page: Page, name: str, position: str, waiting: int) -> None:
    """The screen shows this profile, settled (keys are ignored while a profile slides)."""
    expect(page.locator("#review-name")).to_have_text(name)
    expect(page.locator("#review-item")).not_to_have_class(re.compile(r"htmx-"))
    expect(page.locator(".review-position")).to_have_text(position)
    expect(page.locator("#queue-count")).to_have_text(f"{waiting} waiting")


def same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"


def clear_queue_with_keys(page: Page, slug: str, names: list[str]) -> None:
    """'j'/'k' to move, 'a' on the first, 'r' + a reason + Enter on the second, 'a' on the last."""
    first, second, third = names
    page.keyboard.press("j")
    shows(page, second, "2 of 3", 3)
    page.keyboard.press("j")
    shows(page, third, "3 of 3", 3)
    page.keyboard.press("k")
    shows(page, second, "2 of 3", 3)
    page.keyboard.press("k")
    shows(page, first, "1 of 3", 3)
    expect(page).to_have_url(re.compile(rf"/l/{slug}/review/\d+$"))  # each move is linkable
    same_document(page)

    page.keyboard.press("a")
    shows(page, second, "1 of 2", 2)
    expect(page.locator("#flashes")).to_contain_text(f"Approved {first}")
    same_document(page)

    picker = page.locator(".reason-picker")
    page.keyboard.press("r")
    expect(picker).to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.name") == "reason"
    page.keyboard.press("Escape")  # changed my mind
    expect(picker).not_to_have_attribute("open", "")
    page.keyboard.press("r")
    page.keyboard.press("ArrowDown")  # the second common reason
    chosen = page.locator("input[name=reason]:checked").get_attribute("value")
    assert chosen == "The photo is too dark or blurred."
    page.keyboard.press("Enter")
    shows(page, third, "1 of 1", 1)
    expect(page.locator("#flashes")).to_contain_text(f"Changes requested for {second}")
    same_document(page)

    page.keyboard.press("a")
    expect(page.get_by_role("heading", name="All caught up")).to_be_visible()
    expect(page.locator("#queue-count")).to_have_text("0 waiting")
    expect(page.locator("#flashes")).to_contain_text(f"Approved {third}")
    expect(page).to_have_url(re.compile(rf"/l/{slug}/review/$"))
    same_document(page)


def test_registrar_clears_the_queue_by_keyboard_on_a_phone(
    page: Page, browser_errors: BrowserErrors, live_server
):
    """On a phone, can a registrar clear a queue of three with the keyboard, each next
    profile sliding in without a reload, and then find them in the list?"""
    names = ["Mia Alvarez", "Noah Brooks", "Ava Chen"]
    add_queue(live_server, "queue-test", "rita@queue-test.example.com", names)
    sign_in(page, "rita@queue-test.example.com", PASSWORD)
    page.goto("/l/queue-test/review/")
    shows(page, names[0], "1 of 3", 3)
    images_loaded(page)
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "review-queue")
    page.evaluate("window.__sameDocument = true")
    page.keyboard.press("r")  # the reason picker is thumb-friendly too
    expect(page.locator(".reason-picker")).to_have_attribute("open", "")
    assert_phone_friendly(page, browser_errors)
    page.keyboard.press("Escape")

    clear_queue_with_keys(page, "queue-test", names)
    assert_phone_friendly(page, browser_errors)

    # The list: three more waiting, found by name without a reload, approved in bulk.
    add_queue(
        live_server,
        "queue-test",
        "rita@queue-test.example.com",
        ["Liam Davis", "Emma Evans", "Lucas Fischer"],
    )
    page.get_by_role("link", name="See all profiles").click()
    expect(page.get_by_role("heading", name="Profiles")).to_be_visible()
    expect(page.locator(".profile-row")).to_have_count(6)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.profile-thumb')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "review-list")

    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Search by name").fill("emma")
    expect(page.locator(".profile-row")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=emma"))
    page.get_by_label("Select Emma Evans").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator("#flashes")).to_contain_text("Approved 1 profile")
    expect(page.locator(".profile-row", has_text="Emma Evans")).to_contain_text("Verified")
    same_document(page)
    assert browser_errors.take() == []


@pytest.fixture
def tablet(browser, live_server):
    """A tablet in landscape (1024x768, touch) with a keyboard attached."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=TABLET,
        screen=TABLET,
        has_touch=True,
        device_scale_factor=1,
        locale="en-US",
        timezone_id="America/Chicago",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_registrar_clears_the_queue_by_keyboard_on_a_tablet(tablet, live_server):
    """On a tablet, is the review screen two columns (photo and document beside the decision),
    and can the queue be cleared with the keyboard, sliding, without a reload?"""
    errors = BrowserErrors()
    page = tablet.new_page()
    errors.watch(page)
    names = ["Olivia Grant", "Ethan Hughes", "Sofia Ito"]
    add_queue(live_server, "queue-test-tablet", "rita@queue-tablet.example.com", names)
    sign_in(page, "rita@queue-tablet.example.com", PASSWORD)
    page.goto("/l/queue-test-tablet/review/")
    shows(page, names[0], "1 of 3", 3)
    images_loaded(page)

    media = page.locator(".review-media").bounding_box()
    side = page.locator(".review-side").bounding_box()
    assert side["x"] >= media["x"] + media["width"], "details are not beside the photos"
    photo = page.locator(".review-figure img").first.bounding_box()
    assert photo["width"] >= 250, "the photo is not large"
    approve = page.get_by_role("button", name=re.compile("^Approve"))
    assert approve.bounding_box()["y"] + approve.bounding_box()["height"] <= TABLET["height"], (
        "Approve is below the fold"
    )
    expect(page.locator(".review-keys")).to_be_visible()
    assert layout_problems(page) == []
    screenshot(page, "review-queue-tablet")
    page.evaluate("window.__sameDocument = true")

    clear_queue_with_keys(page, "queue-test-tablet", names)
    assert layout_problems(page) == []
    assert errors.take() == []
    page.close()
