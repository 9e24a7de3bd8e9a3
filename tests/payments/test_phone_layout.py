"""The payments pages as a phone lays them out: the league's tab bar shows the current
"Payments" tab whole (it used to be cut off at the right edge: "Paymen"), and on an
order's page only the ids are in monospace, not their labels.

The page the app renders, with its own stylesheets inlined, is laid out by Debian's
Chromium (the browser tests' one) at 390 px and at desktop width: no server, so it
runs with the unit tests.
"""

from __future__ import annotations

import re

from tests.payments.helpers import paid_order

PHONE, DESKTOP = (390, 844), (1280, 900)


def inlined(client, path: str) -> str:
    """The page at `path` with each stylesheet it links put inline (scripts left out)."""
    page = client.get(path).get_data(as_text=True)

    def style(match: re.Match) -> str:
        with client.get(match.group(1).replace("&amp;", "&")) as response:
            return f"<style>{response.get_data(as_text=True)}</style>"

    page = re.sub(r'<link rel="stylesheet" href="([^"]+)">', style, page)
    return re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)


def laid_out(browser, html: str, size: tuple[int, int]):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_content(html, wait_until="load")
    return context, page


CURRENT_TAB = """() => {
  const tab = document.querySelector('.subnav a[aria-current="page"]');
  const bar = tab.parentElement.getBoundingClientRect();
  const box = tab.getBoundingClientRect();
  const tops = [...tab.parentElement.children].map(
    (a) => Math.round(a.getBoundingClientRect().top));
  return {text: tab.textContent.trim(), left: box.left, right: box.right,
          barLeft: bar.left, barRight: bar.right, rows: new Set(tops).size,
          pageWidth: document.documentElement.scrollWidth};
}"""


def test_the_current_tab_is_whole_on_a_phone(browser, signed_in, league):
    """At 390 px is the "Payments" tab inside the screen and its bar, nothing scrolling
    sideways; at desktop width are the tabs still one row?"""
    html = inlined(signed_in, "/l/riverside/payments/")
    for size in (PHONE, DESKTOP):
        context, page = laid_out(browser, html, size)
        tab = page.evaluate(CURRENT_TAB)
        context.close()
        assert tab["text"] == "Payments"
        assert 0 <= tab["barLeft"] <= tab["left"] and tab["right"] <= tab["barRight"], tab
        assert tab["right"] <= size[0] and tab["pageWidth"] <= size[0], tab
        if size == DESKTOP:
            assert tab["rows"] == 1, tab


FONTS = """() => {
  const font = (el) => getComputedStyle(el).fontFamily;
  const facts = [...document.querySelectorAll('.pay-facts div')];
  const row = (label) => facts.find((div) => div.querySelector('dt').textContent === label);
  return Object.fromEntries(["Checkout session", "Payment"].flatMap((label) => [
    [label + " label", font(row(label).querySelector('dt'))],
    [label + " id", font(row(label).querySelector('.pay-ref'))],
  ]));
}"""


def test_only_the_ids_are_in_monospace(browser, signed_in, league, parent, kids, plan):
    """On an order's page, are "Checkout session" and "Payment" in the text font and
    the ids after them in monospace, on a phone and on a desktop?"""
    order = paid_order(league, parent, kids, plan)
    html = inlined(signed_in, f"/l/riverside/payments/{order.id}")
    for size in (PHONE, DESKTOP):
        context, page = laid_out(browser, html, size)
        fonts = page.evaluate(FONTS)
        context.close()
        for label in ("Checkout session", "Payment"):
            assert "monospace" not in fonts[f"{label} label"], fonts
            assert "monospace" in fonts[f"{label} id"], fonts
