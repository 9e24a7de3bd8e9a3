"""A league admin picks the players to print by team, on a phone-sized screen: the
preview follows the filter without a page reload and names who is printed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.phone import assert_phone_friendly, screenshot, sign_in

ADMIN = "coach.maria@example.com"


def test_admin_chooses_a_team_to_print(page: Page, browser_errors):
    sign_in(page, ADMIN)
    page.goto("/l/riverside/")
    page.get_by_role("link", name="Cards", exact=True).first.click()
    expect(page.get_by_role("heading", name="Print cards")).to_be_visible()
    page.get_by_label("Team", exact=True).select_option(label="U12 Riverside Hawks")
    preview = page.locator("#print-preview")
    expect(preview).to_contain_text("Mia Parent")
    expect(page).to_have_url(re.compile(r"team=\d+"))  # the filter is in the address
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "print-cards")
