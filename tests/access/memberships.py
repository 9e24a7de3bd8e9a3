"""Access rows for plans, registration and the family's memberships.

{order} is the player's paid order in league A, {open_order} their unpaid one,
{b_order} an order in league B. An order's pages answer only its payer.
"""

from tests.access import ANYONE_200, SIGNED_IN, expect

PAYER = expect(404, anonymous=302, player=200)

ROWS = [
    ("l.memberships.plans", "GET", "/l/{a}/plans", ANYONE_200),
    ("l.memberships.register", "GET", "/l/{a}/register", SIGNED_IN),
    ("l.memberships.mine", "GET", "/l/{a}/memberships/", SIGNED_IN),
    # The live order summary: anyone signed in gets a summary of their own choices only.
    ("l.memberships.summary", "POST", "/l/{a}/register/summary", SIGNED_IN),
    ("l.memberships.checkout_done", "GET", "/l/{a}/register/done/{order}", PAYER),
    (
        "l.memberships.checkout_done",
        "GET",
        "/l/{a}/register/done/{b_order}",
        expect(404, anonymous=302),
    ),
    ("l.memberships.checkout_cancelled", "GET", "/l/{a}/register/cancelled/{open_order}", PAYER),
    # Nothing chosen: the form comes back with a message, nothing is created.
    ("l.memberships.register", "POST", "/l/{a}/register", expect(422, anonymous=302)),
]
