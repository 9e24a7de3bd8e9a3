"""Access rows for review routes (see tests/access/__init__.py for the row format).

Only registrars and league admins (and the platform admin) review; everyone else,
the profile's own guardian included, gets "not found". Files answer 302: to a
short-lived link for staff, to the sign-in page for anonymous visitors.

Order matters: the reads and the refused request (no reason, 422) come first,
then the approval of {profile}; the unlock uses {verified_profile}.
"""

from tests.access import NOBODY, REGISTRAR_ONLY, expect

STAFF_REDIRECT = expect(404, anonymous=302, registrar=302, admin=302, platform=302)
STAFF_SEE_OTHER = expect(404, anonymous=302, registrar=303, admin=303, platform=303)
STAFF_422 = expect(404, anonymous=302, registrar=422, admin=422, platform=422)

ROWS: list = [
    ("l.review.queue", "GET", "/l/{a}/review/", REGISTRAR_ONLY),
    ("l.review.list", "GET", "/l/{a}/review/list?status=all", REGISTRAR_ONLY),
    ("l.review.item", "GET", "/l/{a}/review/{profile}", REGISTRAR_ONLY),
    ("l.review.item", "GET", "/l/{a}/review/{verified_profile}", REGISTRAR_ONLY),
    ("l.review.item", "GET", "/l/{a}/review/{b_profile}", NOBODY),
    ("l.review.document", "GET", "/l/{a}/review/{profile}/document", STAFF_REDIRECT),
    ("l.review.document", "GET", "/l/{a}/review/{b_profile}/document", NOBODY),
    (
        "l.review.document_preview",
        "GET",
        "/l/{a}/review/{profile}/document/preview",
        STAFF_REDIRECT,
    ),
    ("l.review.document_preview", "GET", "/l/{a}/review/{b_profile}/document/preview", NOBODY),
    ("l.review.photo", "GET", "/l/{a}/review/{profile}/photo?size=thumb", STAFF_REDIRECT),
    ("l.review.photo", "GET", "/l/{a}/review/{b_profile}/photo", NOBODY),
    # No reason given: refused, nothing changes.
    ("l.review.request_changes", "POST", "/l/{a}/review/{profile}/request-changes", STAFF_422),
    ("l.review.request_changes", "POST", "/l/{a}/review/{b_profile}/request-changes", NOBODY),
    ("l.review.approve", "POST", "/l/{a}/review/{b_profile}/approve", NOBODY),
    ("l.review.approve", "POST", "/l/{a}/review/{profile}/approve", STAFF_SEE_OTHER),
    ("l.review.unlock", "POST", "/l/{a}/review/{b_profile}/unlock", NOBODY),
    ("l.review.unlock", "POST", "/l/{a}/review/{verified_profile}/unlock", STAFF_SEE_OTHER),
    ("l.review.bulk_approve", "POST", "/l/{a}/review/bulk-approve", STAFF_SEE_OTHER),
]
