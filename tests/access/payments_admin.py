"""Access rows for the payments admin routes (see tests/access/__init__.py for the row
format): the league's payments pages for its admins, the platform's for the platform
admin. Another league's order is "not found" on league A's pages for everyone.

State-changing rows come last: "accept", "close" and "check again" on the paid order
change nothing (an unconfirmed "refund-flagged" is refused with 422 earlier), and
"Run now" creates reconciliation run 1, which the last row opens. The world's first
stored webhook event (id 1) is the completed checkout of the paid order {order}.
"""

from tests.access import ADMIN_ONLY, NOBODY, PLATFORM_ONLY, expect

FORM_REFUSED = expect(404, anonymous=302, admin=422, platform=422)  # an empty (refund) form

ROWS = [
    ("l.payments.index", "GET", "/l/{a}/payments/", ADMIN_ONLY),
    ("l.payments.index", "GET", "/l/{a}/payments/?status=paid&from=2026-01-01&page=2", ADMIN_ONLY),
    ("l.payments.export", "GET", "/l/{a}/payments/export.csv", ADMIN_ONLY),
    ("l.payments.detail", "GET", "/l/{a}/payments/{open_order}", ADMIN_ONLY),
    ("l.payments.refund", "POST", "/l/{a}/payments/{order}/refund", FORM_REFUSED),
    ("l.payments.refund", "POST", "/l/{a}/payments/{b_order}/refund", NOBODY),
    ("l.payments.recheck", "POST", "/l/{a}/payments/{b_order}/recheck", NOBODY),
    ("l.payments.accept", "POST", "/l/{a}/payments/{b_order}/accept", NOBODY),
    ("l.payments.close", "POST", "/l/{a}/payments/{b_order}/close", NOBODY),
    ("l.payments.refund_flagged", "POST", "/l/{a}/payments/{b_order}/refund-flagged", NOBODY),
    ("l.payments.refund_flagged", "POST", "/l/{a}/payments/{order}/refund-flagged", FORM_REFUSED),
    ("platform_payments.index", "GET", "/admin/payments/", PLATFORM_ONLY),
    ("platform_payments.event_list", "GET", "/admin/payments/events", PLATFORM_ONLY),
    ("platform_payments.event_list", "GET", "/admin/payments/events?status=failed", PLATFORM_ONLY),
    ("platform_payments.event", "GET", "/admin/payments/events/1", PLATFORM_ONLY),
    ("platform_payments.event", "GET", "/admin/payments/events/999999", NOBODY),
    ("platform_payments.runs", "GET", "/admin/payments/runs", PLATFORM_ONLY),
    ("platform_payments.run", "GET", "/admin/payments/runs/999999", NOBODY),
    # State-changing (or nearly): last.
    (
        "platform_payments.retry",
        "POST",
        "/admin/payments/events/1/retry",
        expect(404, anonymous=302, platform=303),
    ),
    (  # the order is paid, not flagged: nothing to accept, nothing changes
        "l.payments.accept",
        "POST",
        "/l/{a}/payments/{order}/accept",
        expect(404, anonymous=302, admin=303, platform=303),
    ),
    (  # paid, not flagged: nothing to close, the gateway is not asked
        "l.payments.close",
        "POST",
        "/l/{a}/payments/{order}/close",
        expect(404, anonymous=302, admin=303, platform=303),
    ),
    (
        "l.payments.recheck",
        "POST",
        "/l/{a}/payments/{order}/recheck",
        expect(404, anonymous=302, admin=303, platform=303),
    ),
    (
        "platform_payments.run_now",
        "POST",
        "/admin/payments/runs",
        expect(404, anonymous=302, platform=303),
    ),
    ("platform_payments.run", "GET", "/admin/payments/runs/1", PLATFORM_ONLY),
]
