"""Access rows for staff acting on a player's card (reissue).

Reissuing revokes {card}, so these rows run after every other module's (just
before foundation.FINAL_ROWS). Registrars and admins of league A may; a family
may not; league B's player is not found through league A.
"""

from tests.access import expect

ROWS = [
    (
        "l.card_staff.reissue",
        "POST",
        "/l/{a}/players/{b_profile}/card/reissue",
        expect(404, anonymous=302),
    ),
    (
        "l.card_staff.reissue",
        "POST",
        "/l/{a}/players/{verified_profile}/card/reissue",
        expect(404, anonymous=302, registrar=303, admin=303, platform=303),
    ),
]
