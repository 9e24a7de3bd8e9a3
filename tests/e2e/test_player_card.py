"""On a phone, through the real server: a demo family opens a child's card from
"My players"; the clock ticks, the QR code is big enough to scan, a photo that does not
load leaves the initials, and the card still opens offline from the service worker's
copy, saying how old it is, and EXPIRED rather than VALID once its dates have passed."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, VENV_BIN
from tests.e2e.phone import assert_phone_friendly, screenshot, sign_in

# In the page: has the service worker kept this card page and all it loads?
KEPT_JS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration(location.href);
  if (!registration || !registration.active) return {page: false, assets: 0};
  const cache = await caches.open("lb-card-v1");
  const paths = (await cache.keys()).map((request) => new URL(request.url).pathname);
  const wanted = [...document.querySelectorAll("link[rel=stylesheet], script[src], img[src]")]
    .map((el) => new URL(el.href || el.src).pathname);
  return {
    page: paths.includes(location.pathname),
    assets: wanted.filter((path) => paths.includes(path)).length,
    missing: wanted.filter((path) => !paths.includes(path)),
  };
}"""


def find_card() -> None:
    """In the server's environment: a demo player with a card, a child rather than an
    adult if there is one. The demo makes cards for its paid, verified players; should it
    not (yet), the card of a player who deserves one is made here, as the worker would.
    Prints the guardian's email, the league and the player as JSON."""
    from sqlalchemy import select

    from portal import create_app
    from portal.cards import services
    from portal.cards.models import Card
    from portal.core.tenancy import league_scope, unscoped
    from portal.extensions import db
    from portal.players.models import PlayerProfile, ProfileStatus

    app = create_app()
    with app.app_context():
        with unscoped():
            cards = db.session.scalars(select(Card).where(Card.revoked_at.is_(None))).all()
            found = [card.profile for card in cards]
            if not found:
                verified = select(PlayerProfile).where(
                    PlayerProfile.status == ProfileStatus.VERIFIED
                )
                candidates = [p for p in db.session.scalars(verified) if services.deserves_card(p)]
        if not found:
            for profile in candidates:
                with league_scope(profile.league_id):
                    card = services.refresh(db.session.get(PlayerProfile, profile.id))
                    db.session.commit()
                    found.append(card.profile)
        with unscoped():
            if not found:
                print(json.dumps({}))
                return
            profile = sorted(found, key=lambda p: (p.is_self, p.id))[0]
            print(
                json.dumps(
                    {
                        "email": profile.guardian.email,
                        "league": profile.league.slug,
                        "id": profile.id,
                        "first_name": profile.first_name,
                        "last_name": profile.last_name,
                        "name": profile.full_name,
                    }
                )
            )


@pytest.fixture(scope="module")
def holder(live_server) -> dict:
    script = "from tests.e2e.test_player_card import find_card; find_card()"
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", script],
        cwd=ROOT,
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if not found:
        pytest.fail("no demo player has a verified profile and a paid membership", pytrace=False)
    return found


def test_family_opens_the_card_and_it_is_live(page: Page, browser_errors, holder):
    """From My players to the card: the clock ticks, the band moves, the QR is scannable."""
    sign_in(page, holder["email"])
    page.goto(f"/l/{holder['league']}/players/")
    page.get_by_role("link", name=f"Show {holder['first_name']}'s player card").click()
    expect(page).to_have_url(re.compile(rf"/players/{holder['id']}/card$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(holder["name"])

    clock = page.locator("[data-clock-time]")
    expect(clock).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    before = clock.inner_text()
    page.wait_for_timeout(1200)
    assert clock.inner_text() != before, "the clock did not tick"
    band = page.locator(".pcard-band")
    assert band.evaluate("el => getComputedStyle(el).animationName") == "pcard-slide"

    qr = page.locator(".pcard-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 200 and box["height"] >= 200  # ~7 px a module: scannable
    expect(page.locator(".pcard-status")).to_be_visible()
    photo = page.locator("img.pcard-photo")
    if photo.count():
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "player-card")


def _open_and_keep(page: Page, holder) -> str:
    """Open the card online and wait until the service worker has kept the page and its
    assets; the card's URL."""
    sign_in(page, holder["email"])
    card_url = f"/l/{holder['league']}/players/{holder['id']}/card"
    page.goto(card_url)
    for _ in range(60):
        kept = page.evaluate(KEPT_JS)
        if kept["page"] and not kept["missing"]:
            break
        page.wait_for_timeout(250)
    assert kept["page"] and not kept["missing"], kept
    return card_url


def test_a_photo_that_does_not_load_shows_the_initials(page: Page, browser_errors, holder):
    """A photo the server cannot give (missing from storage: an error) leaves no broken
    image on the card: the initials take its place, inside the photo's frame."""
    sign_in(page, holder["email"])
    page.route("**/v/*/photo*", lambda route: route.fulfill(status=500, body="error"))
    page.goto(f"/l/{holder['league']}/players/{holder['id']}/card")
    initials = holder["first_name"][:1] + holder["last_name"][:1]
    placeholder = page.locator(".pcard-photo-none")
    expect(placeholder).to_have_text(initials)
    expect(placeholder).to_have_attribute("aria-label", "Photo not available")
    assert page.locator("img.pcard-photo").count() == 0
    frame = placeholder.bounding_box()
    name = page.locator("#pcard-name").bounding_box()
    assert frame["x"] + frame["width"] <= name["x"]  # beside the name, never over it
    assert [m for m in browser_errors.take() if "500" not in m] == []


def test_the_card_opens_offline_from_the_saved_copy(page: Page, phone, browser_errors, holder):
    """Visited once online, does the card open without a connection, dated and marked?"""
    _open_and_keep(page, holder)
    expect(page.locator("[data-offline-banner]")).to_be_hidden()

    phone.set_offline(True)
    try:
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(holder["name"])
        banner = page.locator("[data-offline-banner]")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Offline")
        expect(banner).to_contain_text("last updated")
        # With the year: a copy kept from last season does not pass for this one's.
        expect(banner.locator("[data-offline-when]")).to_have_text(
            re.compile(rf"^\w{{3}} \d{{1,2}} \w{{3}} {date.today().year} \d\d:\d\d$")
        )
        assert page.locator("[data-card-page]").get_attribute("data-source") == "cache"
        expect(page.locator(".pcard-qr svg")).to_be_visible()
        assert page.locator("link[href*='card.css']").evaluate("l => !!l.sheet")  # styled
        clock = page.locator("[data-clock-time]")
        before = clock.inner_text()
        page.wait_for_timeout(1200)
        assert clock.inner_text() != before  # still live offline
        expect(page.get_by_role("link", name="Download the card (PDF)")).to_be_hidden()
        screenshot(page, "player-card-offline")
    finally:
        phone.set_offline(False)
    # Back online: the banner says this is a saved copy, with a way to load a fresh one.
    expect(banner).to_contain_text("Saved copy")
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    assert not [m for m in browser_errors.take() if "ERR_INTERNET_DISCONNECTED" not in m]


def _day(day: date) -> str:
    """A date as the card prints it: 01 Mar 2027."""
    return f"{day.day:02d} {day:%b %Y}"


def _noon(day: date) -> datetime:
    """Noon UTC of `day`: the same date in the league's zone (America/Chicago)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_a_saved_copy_past_its_dates_does_not_say_valid(page: Page, phone, browser_errors, holder):
    """Offline, with the phone's date after the card's last valid day, the saved copy says
    EXPIRED (not VALID) "as of" that date, with its year; before its first day, NOT YET
    VALID. Back online, the server's answer is shown again."""
    _open_and_keep(page, holder)
    card = page.locator("[data-card-status]")
    if card.get_attribute("data-card-status") != "valid":
        pytest.skip("the demo player's card is not valid today")
    through = date.fromisoformat(card.get_attribute("data-valid-through"))
    starts = date.fromisoformat(card.get_attribute("data-valid-from"))
    status = page.locator(".pcard-status")
    expect(status).to_have_text(re.compile("VALID"))

    later = through + timedelta(days=19)
    phone.set_offline(True)
    try:
        page.clock.install(time=_noon(later))
        page.reload()
        expect(status).to_have_text(re.compile(r"EXPIRED"))
        expect(status).to_have_class(re.compile(r"\bpcard-bad\b"))
        expect(page.locator(".pcard-valid")).to_have_text(
            f"Ended {_day(through)} \u00b7 as of {later:%a} {later.day} {later:%b %Y}"
        )
        expect(page.locator("[data-clock-date]")).to_have_text(f"{later:%a} {later.day} {later:%b}")
        screenshot(page, "player-card-offline-expired")

        # The phone's date set before the card's first day (the clock is the context's).
        early = starts - timedelta(days=3)
        page.clock.set_system_time(_noon(early))
        page.reload()
        expect(status).to_have_text(re.compile(r"NOT YET VALID"))
        expect(page.locator(".pcard-valid")).to_have_text(
            f"Starts {_day(starts)} \u00b7 as of {early:%a} {early.day} {early:%b %Y}"
        )
    finally:
        phone.set_offline(False)
    # Online again: the server's answer, fresh, is believed whatever the phone's date.
    page.reload()
    expect(page.locator("[data-card-page]")).to_have_attribute("data-source", "network")
    expect(status).to_have_text(re.compile(r"^\W*VALID\W*$"))
    expect(status).to_have_class(re.compile(r"\bpcard-ok\b"))
    assert not [m for m in browser_errors.take() if "ERR_INTERNET_DISCONNECTED" not in m]
