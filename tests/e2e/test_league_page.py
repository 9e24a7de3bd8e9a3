"""On a phone, through the real server: sign in, find your league, invite people."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.demo import LEAGUES
from tests.e2e.phone import assert_phone_friendly, layout_problems, screenshot, sign_in

RIVERSIDE = next(spec for spec in LEAGUES if spec["slug"] == "riverside")


def rgb(hex_colour: str) -> str:
    """'#0f766e' as the browser's computed style spells it: 'rgb(15, 118, 110)'."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def invite(page: Page, email: str, role: str) -> None:
    """Send an invitation with the People page's form, checking it went by htmx."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(label=role)
    with page.expect_response(re.compile(r"/l/riverside/people/invite$")) as answer:
        page.get_by_role("button", name="Send invitation").click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#people .row", has_text=email)).to_be_visible()


def image_loaded(page: Page, selector: str) -> bool:
    return page.locator(selector).evaluate("img => img.complete && img.naturalWidth > 0")


def test_parent_signs_in_and_opens_league_page(page: Page, browser_errors, live_server):
    """Can a parent sign in on a phone, find their league and see its page in its colours?"""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Player registration")
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "welcome")

    page.get_by_role("link", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "sign-in")

    sign_in(page, "parent.pat@example.com")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Pat")
    card = page.locator(".card-link", has_text=RIVERSIDE["name"])
    expect(card).to_be_visible()
    expect(card).to_contain_text("Player / guardian")
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "home")

    card.click()
    expect(page).to_have_url(f"{live_server.url}/l/riverside/")
    expect(page).to_have_title(re.compile(RIVERSIDE["name"]))
    expect(page.get_by_role("heading", level=1)).to_have_text(RIVERSIDE["name"])
    expect(page.locator(".lead")).to_have_text(RIVERSIDE["description"])
    expect(page.get_by_role("link", name=RIVERSIDE["contact_email"])).to_be_visible()
    expect(page.locator(".brand")).to_contain_text(RIVERSIDE["name"])
    assert image_loaded(page, "img.league-logo"), "the league logo did not load"
    assert image_loaded(page, "img.brand-logo"), "the logo in the top bar did not load"
    topbar = page.locator(".topbar")
    background = topbar.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == rgb(RIVERSIDE["primary_color"]), "the league colour is not applied"
    accent = topbar.evaluate("el => getComputedStyle(el).borderBottomColor")
    assert accent == rgb(RIVERSIDE["secondary_color"])
    expect(page.locator(".subnav")).to_have_count(0)  # a player sees no staff tabs
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "league-page")
    screenshot(page, "league-page-320", width=320)


def test_admin_invites_someone_without_page_reload(page: Page, browser_errors, live_server):
    """Can a league admin invite someone by email on a phone, in place, without a reload?"""
    sign_in(page, "coach.maria@example.com")
    page.goto("/l/riverside/")
    page.locator(".subnav").get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{live_server.url}/l/riverside/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.locator(".row", has_text="Maria Lopez")).to_contain_text("League admin")
    assert_phone_friendly(page, browser_errors)

    email = "new.referee@example.com"
    page.evaluate("window.__sameDocument = true")
    invite(page, email, "Referee")

    invitation = page.locator("#people .row", has_text=email)
    expect(invitation).to_be_visible()
    expect(invitation).to_contain_text("Referee")
    expect(invitation).to_contain_text("Pending")
    expect(page.locator("#flashes")).to_contain_text(f"Invitation sent to {email}.")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "people")


def test_invite_form_is_empty_after_sending(page: Page, browser_errors):
    """After an invitation is sent, is the form ready for the next one (email cleared)?"""
    sign_in(page, "coach.maria@example.com")
    page.goto("/l/riverside/people/")
    invite(page, "second.invite@example.com", "Registrar")
    expect(page.get_by_label("Email")).to_have_value("", timeout=1_000)


def test_phone_check_notices_overflow_and_small_targets(page: Page):
    """Does the phone check itself catch a page that is too wide or a link too small to tap?"""
    page.goto("/")
    assert layout_problems(page) == []
    page.locator("main").evaluate(
        """main => {
            const wide = document.createElement("div");
            wide.className = "too-wide";
            wide.style.width = "600px";
            const tiny = document.createElement("a");
            tiny.href = "#";
            tiny.textContent = "tiny";
            main.append(wide, tiny);
        }"""
    )
    problems = "\n".join(layout_problems(page))
    assert '<div.too-wide> ""' in problems
    assert '<a> "tiny"' in problems
