"""The built-in test checkout page: what Stripe Checkout is when no key is set.

It shows the order's lines and total from the test gateway's session, and
offers what can happen at a real checkout: pay, a declined card, or "pay
later" (a delayed method whose money arrives, or fails, afterwards). Each
outcome goes to our webhook as a signed Stripe event, like Stripe's would.
Anyone holding the unguessable session id can open it, as with Stripe.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from portal.core.htmx import render
from portal.extensions import db
from portal.payments.gateway import GatewayError, get_gateway
from portal.payments.testmode import TestGateway

bp = Blueprint("test_checkout", __name__, url_prefix="/checkout/test")
OUTCOMES = ("pay", "decline", "later")


def _gateway() -> TestGateway:
    gateway = get_gateway()
    if not isinstance(gateway, TestGateway):
        abort(404)  # a real Stripe account is configured: this page does not exist
    return gateway


def _session(session_id: str) -> dict:
    try:
        return _gateway().raw_session(session_id)
    except GatewayError:
        abort(404)


@bp.get("/<session_id>")
def page(session_id: str):
    return render("payments/test_checkout.html", session=_session(session_id), declined=False)


@bp.post("/<session_id>/<outcome>")
def act(session_id: str, outcome: str):
    """The payer's choice. A decline changes nothing (like a refused card at Stripe)."""
    if outcome not in OUTCOMES:
        abort(404)
    session = _session(session_id)
    if session["status"] != "open":
        return redirect(session["success_url"], 303)
    if outcome == "decline":
        return render("payments/test_checkout.html", session=session, declined=True, status=402)
    _gateway().complete(session_id, "paid" if outcome == "pay" else "later")
    db.session.commit()
    return redirect(session["success_url"], 303)


@bp.post("/<session_id>/settle")
def settle(session_id: str):
    """The delayed payment of a "pay later" checkout arrives (or fails): what a bank
    would do days later, on demand."""
    succeeded = request.form.get("result") == "succeeded"
    try:
        _gateway().settle(session_id, succeeded)
    except GatewayError:
        abort(409)
    db.session.commit()
    return redirect(_session(session_id)["success_url"], 303)
