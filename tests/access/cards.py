"""Access rows for cards: the public check page, and a player's card for the family.

{card} is the current card of the player's verified profile ({verified_profile}).
The check page answers anyone (that is its purpose); the card page, its PDF, its
"making your card" widget and its home-screen manifest answer the family and league
staff who check cards. The card's service worker is a plain script: anyone may load it.
The reissue confirmation (a form; the reissue itself is in cards_staff.py) answers the
registrars and admins of the player's league.
The card for a print shop (with a bleed) is for league admins, who print cards.
"""

from tests.access import ADMIN_ONLY, NOBODY, REGISTRAR_ONLY, expect

FAMILY_OR_STAFF = expect(200, anonymous=302, other_admin=404)

ROWS = [
    ("check.verify", "GET", "/v/{card}", expect(200)),
    ("check.verify", "GET", "/v/not-a-card-token", expect(404)),
    ("check.verify", "GET", "/v/not%2Fa-card/token", expect(404)),
    ("check.verify_json", "GET", "/v/not/a-card-token.json", expect(404)),
    ("check.verify_json", "GET", "/v/{card}.json", expect(200)),
    ("check.photo", "GET", "/v/{card}/photo", expect(200)),
    ("l.cards.mine", "GET", "/l/{a}/players/{verified_profile}/card", FAMILY_OR_STAFF),
    ("l.cards.mine", "GET", "/l/{a}/players/{b_profile}/card", expect(404, anonymous=302)),
    (
        "l.cards.making",
        "GET",
        "/l/{a}/players/{verified_profile}/card/status",
        expect(286, anonymous=302, other_admin=404),
    ),
    (
        "l.cards.making",
        "GET",
        "/l/{a}/players/{b_profile}/card/status",
        expect(404, anonymous=302),
    ),
    (
        "l.cards.manifest",
        "GET",
        "/l/{a}/players/{verified_profile}/card.webmanifest",
        FAMILY_OR_STAFF,
    ),
    (
        "l.cards.manifest",
        "GET",
        "/l/{a}/players/{b_profile}/card.webmanifest",
        expect(404, anonymous=302),
    ),
    ("l.cards.service_worker", "GET", "/l/{a}/players/card-sw.js", expect(200)),
    (
        "l.card_staff.confirm_reissue",
        "GET",
        "/l/{a}/players/{verified_profile}/card/reissue",
        REGISTRAR_ONLY,
    ),
    ("l.card_staff.confirm_reissue", "GET", "/l/{a}/players/{b_profile}/card/reissue", NOBODY),
    # The world's payment made the card's PDF (huey runs at once in tests): the widget
    # answers 286 (stop polling) above, and the PDF is a redirect to a short-lived link.
    (
        "l.cards.pdf",
        "GET",
        "/l/{a}/players/{verified_profile}/card.pdf",
        expect(302, other_admin=404),
    ),
    ("l.cards.pdf", "GET", "/l/{a}/players/{b_profile}/card.pdf", expect(404, anonymous=302)),
    # The card for a print shop (bleed, crop marks), made on request: league admins only.
    (
        "l.cards.print_shop_pdf",
        "GET",
        "/l/{a}/players/{verified_profile}/card-for-print-shop.pdf",
        ADMIN_ONLY,
    ),
    (
        "l.cards.print_shop_pdf",
        "GET",
        "/l/{a}/players/{b_profile}/card-for-print-shop.pdf",
        NOBODY,
    ),
]
