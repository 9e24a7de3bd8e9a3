"""What every page must be on a phone: no sideways scrolling, thumb-sized tap
targets, no console errors or CSP violations; and screenshots for the docs.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from portal.demo import DEMO_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (390, 320)  # a current iPhone, and the narrowest phone we support
MIN_TAP = 44  # px, Apple HIG / WCAG 2.5.5

# Elements allowed to be smaller than MIN_TAP, each with its reason.
# (Off-screen and invisible elements are not measured at all: the skip link
# sits off-screen until a keyboard user focuses it.)
TAP_EXEMPT: dict[str, str] = {}

# Runs in the page; returns human-readable problems, empty when all is well.
LAYOUT_PROBLEMS_JS = """
({minTap, exempt}) => {
  const vw = window.innerWidth;
  const problems = [];
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    const cls = el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    return `<${el.tagName.toLowerCase()}${cls}> "${text.slice(0, 40)}"`;
  };
  const rendered = (el) => {
    if (el.getClientRects().length === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  // Inside a box that scrolls or clips sideways on purpose (the league tabs).
  const inSidewaysBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };

  const root = document.documentElement;
  if (root.scrollWidth > vw) {
    problems.push(`the page scrolls sideways: scrollWidth ${root.scrollWidth} > ${vw}`);
  }
  // Also catch content that sticks out but is clipped away (so the user cannot reach it).
  for (const el of document.body.querySelectorAll("*")) {
    if (!rendered(el) || inSidewaysBox(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5 && r.left < vw) {
      problems.push(`${describe(el)} sticks out: right edge at ${Math.round(r.right)} > ${vw}`);
    }
  }

  const targets = document.querySelectorAll("a[href], button, input, select, textarea, summary");
  for (const el of targets) {
    if (el.type === "hidden" || !rendered(el)) continue;
    if (el.closest("details:not([open])") && el.tagName !== "SUMMARY") continue;
    if (exempt.some((selector) => el.matches(selector))) continue;
    // A checkbox or radio is tapped through its label.
    const box = ["checkbox", "radio"].includes(el.type) && el.closest("label")
      ? el.closest("label") : el;
    const r = box.getBoundingClientRect();
    if (r.right <= 0 || r.bottom <= 0 || r.left >= vw) continue;  // off-screen
    if (r.height < minTap - 0.5) {
      problems.push(`${describe(el)} is ${r.height.toFixed(1)}px tall, under ${minTap}px`);
    }
  }
  return problems;
}
"""


def layout_problems(page: Page) -> list[str]:
    """Sideways overflow and small tap targets on the page as it is now."""
    return page.evaluate(LAYOUT_PROBLEMS_JS, {"minTap": MIN_TAP, "exempt": list(TAP_EXEMPT)})


def assert_phone_friendly(page: Page, errors) -> None:
    """At 390 and 320 px wide, with the menu shut and open: no sideways scrolling,
    no tap target under 44 px, and no console errors or CSP violations so far."""
    original = page.viewport_size
    menu = page.locator("details.menu > summary")
    problems = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"]})
            problems += [f"{width}px: {p}" for p in layout_problems(page)]
            if menu.count():
                menu.click()
                page.locator("details.menu[open] .menu-panel").wait_for()
                problems += [f"{width}px, menu open: {p}" for p in layout_problems(page)]
                menu.click()
                page.locator("details.menu:not([open])").wait_for(state="attached")
    finally:
        page.set_viewport_size(original)
    problems += errors.take()
    assert not problems, f"{page.url} on a phone:\n  " + "\n  ".join(problems)


def screenshot(page: Page, name: str, width: int | None = None) -> Path:
    """Save a full-page screenshot to docs/screenshots/<name>.png (optionally at `width`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    original = page.viewport_size
    if width:
        page.set_viewport_size({"width": width, "height": original["height"]})
    try:
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    finally:
        page.set_viewport_size(original)
    return path


def sign_in(page: Page, email: str, password: str | None = None) -> None:
    """Sign in through the real form (demo password unless told) and land on the start page."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Your leagues")).to_be_visible()
