"""The built-in test gateway: Stripe's objects and events, kept in our database.

Used when no `STRIPE_SECRET_KEY` is set (the demo, development, the browser
tests). Its checkout page (see `test_checkout.py`) lets a user pay, decline
or "pay later"; each outcome changes the records here and sends a Stripe-
shaped event, signed with Stripe's scheme and `STRIPE_WEBHOOK_SECRET`, to our
own webhook endpoint. The portal then re-reads the records through this
gateway exactly as it re-reads Stripe.

The object builders are plain functions on dicts so the tests' loopback
Stripe server builds the very same shapes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.core.db import utcnow
from portal.core.tasks import app_task
from portal.core.transactions import after_commit
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.payments.gateway import (
    CheckoutRequest,
    DisputeInfo,
    GatewayError,
    PaymentInfo,
    RefundInfo,
    SessionInfo,
    dispute_info,
    payment_info,
    session_info,
)
from portal.payments.models import GatewayObject

API_VERSION = "2026-01-28"


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


# -- Stripe-shaped objects --------------------------------------------------------------


def session_object(request: CheckoutRequest, url_for_session) -> dict:
    """A new open Checkout Session for a request; `url_for_session(id)` gives its page."""
    session_id = new_id("cs")
    total = sum(line.amount_minor for line in request.lines)
    expires = request.expires_at or (utcnow() + timedelta(hours=1))
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "status": "open",
        "payment_status": "unpaid",
        "currency": request.currency,
        "amount_subtotal": total,
        "amount_total": total,
        "client_reference_id": str(request.order_id),
        "metadata": request.metadata,
        "payment_intent": None,
        "customer_email": request.customer_email,
        "allow_promotion_codes": request.allow_promotion_codes,
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "url": url_for_session(session_id),
        "created": int(time.time()),
        "expires_at": int(expires.timestamp()),
        "livemode": False,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "line_items": {
            "object": "list",
            "data": [
                {"description": line.description, "amount_total": line.amount_minor, "quantity": 1}
                for line in request.lines
            ],
        },
    }


def intent_object(session: dict, status: str) -> dict:
    """The PaymentIntent (with its charge) behind a completed session."""
    paid = status == "succeeded"
    amount = session["amount_total"]
    intent_id = new_id("pi")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "status": status,
        "amount": amount,
        "amount_received": amount if paid else 0,
        "currency": session["currency"],
        "metadata": dict(session["metadata"]),
        "created": int(time.time()),
        "latest_charge": {
            "id": new_id("ch"),
            "object": "charge",
            "payment_intent": intent_id,
            "amount": amount,
            "amount_refunded": 0,
            "currency": session["currency"],
            "paid": paid,
            "refunded": False,
            "disputed": False,
            "metadata": dict(session["metadata"]),
            "refunds": {"object": "list", "data": []},
        },
    }


def settle_intent(intent: dict, succeeded: bool) -> None:
    """A delayed payment arrives (or fails)."""
    charge = intent["latest_charge"]
    intent["status"] = "succeeded" if succeeded else "requires_payment_method"
    intent["amount_received"] = intent["amount"] if succeeded else 0
    charge["paid"] = succeeded


def add_refund(intent: dict, amount: int) -> dict:
    """Refund part or all of a payment; returns the refund."""
    charge = intent["latest_charge"]
    available = intent["amount_received"] - charge["amount_refunded"]
    if amount <= 0 or amount > available:
        raise GatewayError(f"refund of {amount} exceeds the {available} left to refund")
    refund = {
        "id": new_id("re"),
        "object": "refund",
        "amount": amount,
        "currency": intent["currency"],
        "payment_intent": intent["id"],
        "charge": charge["id"],
        "status": "succeeded",
        "created": int(time.time()),
    }
    charge["refunds"]["data"].insert(0, refund)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= intent["amount_received"]
    return refund


def event_object(event_type: str, obj: dict) -> dict:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's scheme: `t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# -- the gateway ----------------------------------------------------------------------


class TestGateway:
    """Stripe's API, answered from our own records (no network, no keys)."""

    __test__ = False  # not a pytest test class
    name = "test"

    def _get(self, object_id: str, kind: str) -> dict:
        row = db.session.get(GatewayObject, object_id)
        if row is None or row.kind != kind:
            raise GatewayError(f"No such {kind}: {object_id}")
        return dict(row.data)

    def _put(self, kind: str, data: dict) -> None:
        row = db.session.get(GatewayObject, data["id"])
        if row is None:
            db.session.add(GatewayObject(id=data["id"], kind=kind, data=data))
        else:
            row.data = data  # a new dict, so the JSON column sees the change
        db.session.flush()

    def create_session(self, request: CheckoutRequest) -> SessionInfo:
        key = f"idem:{request.idempotency_key}"
        existing = db.session.get(GatewayObject, key[:64])
        if existing is not None:  # the same request again: the same session
            return session_info(self._get(existing.data["session"], "checkout.session"))
        session = session_object(
            request, lambda sid: absolute_url("test_checkout.page", session_id=sid)
        )
        self._put("checkout.session", session)
        db.session.add(
            GatewayObject(id=key[:64], kind="idempotency", data={"session": session["id"]})
        )
        return session_info(session)

    def get_session(self, session_id: str) -> SessionInfo:
        return session_info(self._get(session_id, "checkout.session"))

    def raw_session(self, session_id: str) -> dict:
        return self._get(session_id, "checkout.session")

    def list_paid_sessions(self, since: datetime) -> list[SessionInfo]:
        rows = db.session.scalars(
            select(GatewayObject).where(
                GatewayObject.kind == "checkout.session", GatewayObject.created_at >= since
            )
        )
        sessions = [session_info(row.data) for row in rows]
        return [s for s in sessions if s.status == "complete" and s.payment_status == "paid"]

    def get_payment(self, payment_intent_id: str) -> PaymentInfo:
        return payment_info(self._get(payment_intent_id, "payment_intent"))

    def get_dispute(self, dispute_id: str) -> DisputeInfo:
        return dispute_info(self._get(dispute_id, "dispute"))

    def refund(
        self, payment_intent_id: str, amount_minor: int, idempotency_key: str, metadata: dict
    ) -> RefundInfo:
        key = f"idem:{idempotency_key}"[:64]
        existing = db.session.get(GatewayObject, key)
        if existing is not None:
            return RefundInfo(**existing.data["refund"])
        intent = self._get(payment_intent_id, "payment_intent")
        refund = add_refund(intent, amount_minor)
        refund["metadata"] = metadata
        self._put("payment_intent", intent)
        info = RefundInfo(refund["id"], refund["amount"], refund["status"])
        db.session.add(GatewayObject(id=key, kind="idempotency", data={"refund": info.__dict__}))
        send_event("charge.refunded", intent["latest_charge"])
        return info

    # -- what the test checkout page (and its "dashboard") can make happen ----------

    def complete(self, session_id: str, outcome: str) -> dict:
        """The customer pays now ("paid") or by a delayed method ("later")."""
        session = self._get(session_id, "checkout.session")
        if session["status"] != "open":
            raise GatewayError("This checkout is no longer open.")
        intent = intent_object(session, "succeeded" if outcome == "paid" else "processing")
        session.update(
            status="complete",
            payment_status="paid" if outcome == "paid" else "unpaid",
            payment_intent=intent["id"],
        )
        self._put("payment_intent", intent)
        self._put("checkout.session", session)
        send_event("checkout.session.completed", session)
        return session

    def settle(self, session_id: str, succeeded: bool) -> dict:
        """The delayed payment of a "pay later" checkout arrives, or fails."""
        session = self._get(session_id, "checkout.session")
        if session["status"] != "complete" or session["payment_status"] != "unpaid":
            raise GatewayError("This checkout has no payment waiting.")
        intent = self._get(session["payment_intent"], "payment_intent")
        settle_intent(intent, succeeded)
        if succeeded:
            session["payment_status"] = "paid"
        self._put("payment_intent", intent)
        self._put("checkout.session", session)
        kind = "succeeded" if succeeded else "failed"
        send_event(f"checkout.session.async_payment_{kind}", session)
        return session

    def expire_session(self, session_id: str) -> SessionInfo:
        """End an unpaid checkout (Stripe's "expire a session")."""
        session = self._get(session_id, "checkout.session")
        if session["status"] != "open":
            raise GatewayError("Only an open checkout can expire.")
        session["status"] = "expired"
        self._put("checkout.session", session)
        send_event("checkout.session.expired", session)
        return session_info(session)

    def dispute(self, payment_intent_id: str) -> dict:
        intent = self._get(payment_intent_id, "payment_intent")
        charge = intent["latest_charge"]
        charge["disputed"] = True
        self._put("payment_intent", intent)
        dispute = {
            "id": new_id("dp"),
            "object": "dispute",
            "amount": intent["amount_received"] - charge["amount_refunded"],
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "reason": "fraudulent",
            "status": "needs_response",
        }
        self._put("dispute", dispute)
        send_event("charge.dispute.created", dispute)
        return dispute

    def close_dispute(self, dispute_id: str, won: bool) -> dict:
        """The bank decides: for the league ("won") or for the cardholder ("lost")."""
        dispute = self._get(dispute_id, "dispute")
        if dispute["status"] in ("won", "lost"):
            raise GatewayError("This dispute is already closed.")
        dispute["status"] = "won" if won else "lost"
        self._put("dispute", dispute)
        send_event("charge.dispute.closed", dispute)
        return dispute

    def expire_due(self, now: datetime | None = None) -> list[str]:
        """Expire the open checkouts past their `expires_at`, as Stripe does on its own;
        each sends `checkout.session.expired` to our webhook once this commits. The rows
        are locked (on PostgreSQL) so a payment at that very moment is not overwritten."""
        moment = int((now or utcnow()).timestamp())
        due = db.session.scalars(
            select(GatewayObject.id)
            .where(
                GatewayObject.kind == "checkout.session",
                GatewayObject.data["status"].as_string() == "open",
                GatewayObject.data["expires_at"].as_integer() <= moment,
            )
            .order_by(GatewayObject.created_at)
            .with_for_update()
        ).all()
        for session_id in due:
            self.expire_session(session_id)
        return list(due)


# -- sending events to our own webhook -----------------------------------------------


def send_event(event_type: str, obj: dict) -> None:
    """Queue a signed event for our webhook once the change commits (as Stripe would)."""
    payload = json.dumps(event_object(event_type, json.loads(json.dumps(obj))))
    after_commit(lambda: deliver_test_event(payload))


@app_task(retries=5, retry_delay=5)
def deliver_test_event(payload: str) -> int:
    """POST a signed event to /webhooks/stripe, through the whole web stack.

    The request runs in a thread of its own, like a request from outside:
    it must not share this task's (or a view's) app context.
    """
    app = current_app._get_current_object()
    body = payload.encode()
    headers = {
        "Stripe-Signature": signature_header(body, app.config["STRIPE_WEBHOOK_SECRET"]),
        "Content-Type": "application/json",
    }
    result: dict = {}

    def post() -> None:
        response = app.test_client().post("/webhooks/stripe", data=body, headers=headers)
        result["status"] = response.status_code

    thread = threading.Thread(target=post, name="test-webhook")
    thread.start()
    thread.join(30)
    status = result.get("status", 0)
    if status >= 300:
        raise RuntimeError(f"webhook answered {status}")
    return status
