"""Access rows for player routes (see tests/access/__init__.py for the row format).

Any signed-in account may add players to a league (that is how a parent joins
it), so the list, the form and the upload endpoint answer everyone signed in.
A profile and its photo answer their owner and league staff who review
profiles; editing and submitting answer only the owner (staff decide, they do
not edit); a staged upload answers only its uploader. Everyone else gets
"not found".
"""

from tests.access import SIGNED_IN, expect

# In league A, other_admin (league B's admin) is neither the owner nor staff.
OWNER_OR_STAFF = expect(200, anonymous=302, other_admin=404)
OWNER_OR_STAFF_REDIRECT = expect(302, other_admin=404)  # the link, or sign-in first
OWNER = expect(404, anonymous=302, player=200)
SIGNED_IN_422 = expect(422, anonymous=302)

ROWS: list = [
    ("l.players.index", "GET", "/l/{a}/players/", SIGNED_IN),
    ("l.players.new", "GET", "/l/{a}/players/new", SIGNED_IN),
    ("l.players.new", "POST", "/l/{a}/players/new", SIGNED_IN_422),
    ("l.players.show", "GET", "/l/{a}/players/{profile}", OWNER_OR_STAFF),
    ("l.players.show", "GET", "/l/{a}/players/{b_profile}", expect(404, anonymous=302)),
    ("l.players.edit", "GET", "/l/{a}/players/{profile}/edit", OWNER),
    ("l.players.edit", "GET", "/l/{a}/players/{verified_profile}/edit", OWNER),
    (
        "l.players.edit",
        "POST",
        "/l/{a}/players/{profile}/edit",
        expect(404, anonymous=302, player=422),
    ),
    ("l.players.photo", "GET", "/l/{a}/players/{profile}/photo", OWNER_OR_STAFF_REDIRECT),
    (
        "l.players.photo",
        "GET",
        "/l/{a}/players/{verified_profile}/photo?size=thumb",
        OWNER_OR_STAFF_REDIRECT,
    ),
    ("l.players.photo", "GET", "/l/{a}/players/{b_profile}/photo", expect(404, anonymous=302)),
    ("l.players.upload", "POST", "/l/{a}/players/uploads/photo", SIGNED_IN_422),
    ("l.players.upload", "POST", "/l/{a}/players/uploads/document", SIGNED_IN_422),
    ("l.players.upload", "POST", "/l/{a}/players/uploads/other", expect(404, anonymous=302)),
    (
        "l.players.upload_preview",
        "GET",
        "/l/{a}/players/uploads/{upload}/preview",
        expect(404, anonymous=302, player=302),
    ),
    # Already waiting for review: the answer is a message and a redirect, nothing changes.
    (
        "l.players.submit",
        "POST",
        "/l/{a}/players/{profile}/submit",
        expect(404, anonymous=302, player=303),
    ),
    ("l.players.submit", "POST", "/l/{a}/players/{b_profile}/submit", expect(404, anonymous=302)),
]
