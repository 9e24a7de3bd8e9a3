"""A referee at the field, on a phone: check a card by its printed member number, see a
team's cards, and (without JavaScript) still get the answer; the admin sees the checks.

Uses the demo league Riverside and its demo referee (ref.jordan@example.com). The test
adds, through the app's own services in the server's database, a family with three
verified players on a demo team: one paid (VALID), one paid then suspended, one not paid
(no card yet), so the roster shows each kind of answer.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import segno
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, ROOT
from tests.e2e.phone import assert_phone_friendly, screenshot, sign_in

REFEREE = "ref.jordan@example.com"
ADMIN = "coach.maria@example.com"

# Runs in the server's environment (its database and storage), through the services.
SETUP = r"""
import json
from datetime import date, timedelta
from sqlalchemy import select
from portal import create_app, demo, demo_cards
from portal.accounts import services as accounts
from portal.cards import services as cards, team_services
from portal.cards.content import member_number
from portal.cards.models import Team
from portal.core.money import parse_money
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships import admin_services
from portal.memberships.models import DurationUnit, TermKind
from portal.memberships.plan_rules import PlanData
from portal.memberships.queries import current_term
from portal.payments import checkout, fulfilment
from portal.payments.gateway import get_gateway
from portal.players import reviews, services, uploads
from portal.players.models import DocumentKind, Gender, PlayerProfile, UploadKind
from portal.players.services import today_in

# first, last, shirt, look; the first two pay, the second is then suspended
PLAYERS = [("Emma", "Santos", "21", 2, Gender.FEMALE), ("Omar", "Haddad", "23", 3, Gender.MALE),
           ("Lily", "Nakamura", "30", 4, Gender.FEMALE)]

app = create_app()
with app.app_context():
    with unscoped():
        league = db.session.scalars(select(League).where(League.slug == "riverside")).one()
        registrar = accounts.find_user_by_email("registrar.sam@example.com")
        admin = accounts.find_user_by_email("coach.maria@example.com")
        guardian = accounts.create_user("family.santos@example.com", demo.DEMO_PASSWORD,
                                        "Rosa Santos", verified=True)
        db.session.flush()
    with league_scope(league.id):
        today = today_in(league)
        if db.session.scalar(select(Team.id).limit(1)) is None:  # the demo has no teams yet
            everyone = db.session.scalars(select(PlayerProfile)).all()
            demo_cards.seed_teams(league, {p.first_name: p for p in everyone})
        team = db.session.scalars(select(Team).order_by(Team.id)).first()
        program = admin_services.create_program(league, "Referee demo", "")
        plan = admin_services.create_plan(program, PlanData(
            name="Monthly", price_minor=parse_money("20.00", "usd"), currency="usd",
            term=TermKind.ROLLING, duration=1, duration_unit=DurationUnit.MONTHS), today)
        profiles = []
        for n, (first, last, shirt, look, gender) in enumerate(PLAYERS):
            born = date(today.year - 11, 4, 2 + n)
            data = services.ProfileData(
                first_name=first, last_name=last, date_of_birth=born, gender=gender,
                phone="+1 555 0150", emergency_name="Rosa Santos", emergency_phone="+1 555 0151",
                document_kind=DocumentKind.BIRTH_CERTIFICATE)
            photo = uploads.stage(guardian, UploadKind.PHOTO, demo.avatar(
                first[0] + last[0], look, long_hair=gender == Gender.FEMALE), "photo.jpg")
            document = uploads.stage(guardian, UploadKind.DOCUMENT, demo.certificate(
                "BIRTH CERTIFICATE", f"{first} {last}", born, 90 + n), "birth.pdf")
            profile = services.create_profile(league, guardian, data, photo=photo,
                                              document=document)
            services.submit(profile, guardian)
            reviews.approve(profile, registrar)
            profiles.append(profile)
        paid = profiles[:2]
        order = checkout.place_order(league, guardian, [checkout.Selection(p, plan) for p in paid],
                                     nonce="e2e-referee", accepted=set(), today=today)
        checkout.open_session(order)
        get_gateway().complete(order.session_id, "paid")
        fulfilment.sync_order(order)
        admin_services.suspend_membership(current_term(profiles[1].id), admin,
                                          "Red card: one-match ban.", today + timedelta(days=6),
                                          today)
        tokens = [cards.issue(p).token for p in paid]
        for profile, spec in zip(profiles, PLAYERS):
            team_services.add_player(team, profile, spec[2])
        db.session.commit()
        print(json.dumps({"member": member_number(profiles[0]), "token": tokens[0],
                          "team": team.name}))
"""


@pytest.fixture(scope="module")
def field(live_server) -> dict:
    """The family and team made for this module: Emma's member number and card token."""
    result = subprocess.run(
        [sys.executable, "-c", SETUP],
        env=live_server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_referee_checks_a_card_and_a_roster(page: Page, browser_errors, field):
    """Can a referee check a card by its member number and see it VALID in place, then
    open a team's roster with each card's status?"""
    sign_in(page, REFEREE)
    page.goto("/l/riverside/")
    page.get_by_role("link", name="Check cards").click()
    expect(page.get_by_role("heading", name="Check cards")).to_be_visible()
    expect(page.get_by_role("button", name="Scan a card")).to_be_visible()  # a camera API

    page.get_by_label("Card link or member number").fill(field["member"])
    page.get_by_role("button", name="Check", exact=True).click()
    result = page.locator(".result")
    expect(result.locator(".result-word")).to_have_text(re.compile(r"VALID$"))
    expect(result).to_have_class(re.compile(r"tone-ok"))
    expect(result.locator(".result-name")).to_have_text("Emma Santos")
    page.wait_for_function(
        "() => { const img = document.querySelector('.result-photo');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert page.url.endswith("/l/riverside/check/")  # answered in place
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "referee-scanner")

    page.get_by_role("link", name=re.compile(field["team"])).click()
    expect(page.get_by_role("heading", name=field["team"])).to_be_visible()
    rows = page.locator(".roster-player")
    expect(rows.filter(has_text="Emma Santos")).to_contain_text("VALID")
    expect(rows.filter(has_text="Omar Haddad")).to_contain_text("SUSPENDED")
    expect(rows.filter(has_text="Lily Nakamura")).to_contain_text("no card issued")
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.thumb')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "referee-roster")


def test_without_javascript_the_form_still_checks(browser, live_server, field):
    """With JavaScript off, does typing the member number open the card's check page?"""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, REFEREE)
        page.goto("/l/riverside/check/")
        expect(page.get_by_role("button", name="Scan a card")).to_be_hidden()
        page.get_by_label("Card link or member number").fill(field["member"])
        page.get_by_role("button", name="Check", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/v/{field['token']}$"))
        expect(page.locator(".verdict")).to_contain_text("VALID")
    finally:
        context.close()


def test_admin_sees_the_referees_checks(page: Page, browser_errors, field):
    """Are the referee's checks in the league's check log, with who made them?"""
    sign_in(page, ADMIN)
    page.goto("/l/riverside/check/log")
    first = page.locator(".check-row").first
    expect(first).to_contain_text("Emma Santos")
    expect(first).to_contain_text("Jordan Lee")
    page.get_by_label("Result").select_option("expired")
    expect(page.locator("#check-list")).to_contain_text("No checks with these filters")
    expect(page).to_have_url(re.compile(r"result=expired"))
    assert_phone_friendly(page, browser_errors)


def qr_video(path: Path, text: str) -> Path:
    """A one-frame Y4M "camera" showing the QR code of `text` (Chromium loops it)."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=8, border=4)
    frame = Image.new("RGB", (640, 480), "#8a8f98")  # a grey table under the card
    code = Image.open(png).convert("RGB")
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        out.write(b"FRAME\n")
        out.write(y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes())
    return path


def test_the_camera_reads_a_cards_qr_code(browser, live_server, field, tmp_path):
    """Pointed at a card's QR code, does the scanner decode it (jsQR here: Linux Chromium has
    no BarcodeDetector) and show VALID with the player's name, without reloading?"""
    video = qr_video(tmp_path / "card.y4m", f"https://cards.example.com/v/{field['token']}")
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
        )
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, REFEREE)
        page.goto("/l/riverside/check/")
        page.get_by_role("button", name="Scan a card").click()
        expect(page.locator("#camera")).to_be_visible()
        expect(page.locator(".result .result-word")).to_have_text(re.compile(r"VALID$"))
        expect(page.locator(".result .result-name")).to_have_text("Emma Santos")
        assert page.evaluate("typeof window.jsQR") == "function"  # loaded only when needed
        page.get_by_role("button", name="Scan the next card").click()
        # The fake camera still shows the same card, so the next scan may come back before
        # an empty state could be seen: only the new result is asserted.
        expect(page.locator(".result .result-word")).to_have_text(re.compile(r"VALID$"))
        page.get_by_role("button", name="Stop camera").click()
        expect(page.get_by_role("button", name="Scan a card")).to_be_visible()
        assert not errors
    finally:
        camera_browser.close()


def choose_player(page: Page, name: str) -> None:
    option = page.locator("#add-profile option", has_text=name)
    page.get_by_label("Player", exact=True).select_option(option.get_attribute("value"))


def test_admin_builds_a_team_in_place(page: Page, browser_errors, field):
    """Can an admin add a team, then add players with numbers, each change in place, with a
    taken number explained beside the player?"""
    sign_in(page, ADMIN)
    page.goto("/l/riverside/")
    page.get_by_role("link", name="Teams").click()
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Name").fill("U10 Riverside Owls")
    page.get_by_role("button", name="Add team").click()
    expect(page.locator("#flashes")).to_contain_text("Added U10 Riverside Owls")
    assert page.evaluate("window.__sameDocument") is True  # swapped in place
    page.get_by_role("link", name=re.compile("^U10 Riverside Owls")).click()

    page.evaluate("window.__sameDocument = true")
    choose_player(page, "Santos, Emma")
    page.get_by_label("Shirt number", exact=True).fill("8")
    page.get_by_role("button", name="Add to U10 Riverside Owls").click()
    players = page.locator("#team-players")
    expect(players.locator(".player-row")).to_have_count(1)
    choose_player(page, "Haddad, Omar")
    page.get_by_label("Shirt number", exact=True).fill("8")
    page.get_by_role("button", name="Add to U10 Riverside Owls").click()
    expect(players.locator(".error")).to_contain_text("#8 is already Emma Santos's")
    # The refused post (422) is the only error the browser reports.
    assert [e for e in browser_errors.take() if "422" not in e] == []
    page.get_by_label("Shirt number", exact=True).fill("12")
    page.get_by_role("button", name="Add to U10 Riverside Owls").click()
    expect(players.locator(".player-row")).to_have_count(2)
    assert page.evaluate("window.__sameDocument") is True
    expect(players.locator(".shirt")).to_have_text(["8", "12"])
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "teams")
