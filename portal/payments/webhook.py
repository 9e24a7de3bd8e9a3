"""POST /webhooks/stripe: verify, store, acknowledge. Processing happens in the worker.

CSRF-exempt (Stripe signs instead) and never rate-limited: Stripe retries
what we refuse, and refusing a genuine event only delays a payment.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from portal.core import ratelimit
from portal.core.errors import json_error
from portal.extensions import csrf, db
from portal.payments.intake import BadEvent, receive

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.post("/stripe")
@csrf.exempt
@ratelimit.skip_limiter  # not limit.exempt: that still runs Flask-Limiter's hooks (8% of a post)
def stripe_webhook():
    try:
        is_new = receive(request.get_data(), request.headers.get("Stripe-Signature"))
    except BadEvent:
        return json_error(
            400, "The event's signature is missing, wrong or too old.", code="bad_signature"
        )
    db.session.commit()
    return jsonify(received=True, duplicate=not is_new)
