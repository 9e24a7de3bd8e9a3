"""Access rows for payments: the admin pages, the webhook and the test checkout.

The test checkout, like Stripe's, answers whoever holds the session id; the
webhook answers only signed events (400 here: these requests are unsigned).
"""

from tests.access import ADMIN_ONLY, expect

ROWS = [
    ("l.payments.detail", "GET", "/l/{a}/payments/{order}", ADMIN_ONLY),
    ("l.payments.detail", "GET", "/l/{a}/payments/{b_order}", expect(404, anonymous=302)),
    ("webhooks.stripe_webhook", "POST", "/webhooks/stripe", expect(400)),
    ("test_checkout.page", "GET", "/checkout/test/{session}", expect(200)),
    ("test_checkout.page", "GET", "/checkout/test/cs_test_nope", expect(404)),
    ("test_checkout.act", "POST", "/checkout/test/{session}/nonsense", expect(404)),
    ("test_checkout.settle", "POST", "/checkout/test/{session}/settle", expect(409)),
    # Paying last: later rows would see the order paid.
    ("test_checkout.act", "POST", "/checkout/test/{session}/decline", expect(402)),
    ("test_checkout.act", "POST", "/checkout/test/{session}/pay", expect(303)),
]
