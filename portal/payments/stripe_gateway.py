"""Stripe, through the official SDK.

Prices come from our database as inline `price_data`, one line per player,
so nothing about the amount ever comes from the browser. Our order and
league ids travel in the session's and the payment's metadata and in
`client_reference_id`; they are checked, never trusted, on the way back.
"""

from __future__ import annotations

from datetime import datetime

import stripe

from portal.payments.gateway import (
    CheckoutRequest,
    DisputeInfo,
    GatewayError,
    GatewayUnavailable,
    PaymentInfo,
    RefundInfo,
    SessionInfo,
    dispute_info,
    payment_info,
    session_info,
)

TEMPORARY = (
    stripe.APIConnectionError,
    stripe.RateLimitError,
    stripe.APIError,  # 5xx
)


def _call(function, *args, **kwargs):
    """Call the SDK, sorting failures into "try again" and "give up"."""
    try:
        return function(*args, **kwargs)
    except TEMPORARY as error:
        raise GatewayUnavailable(f"Stripe is unavailable: {error}") from error
    except stripe.StripeError as error:
        raise GatewayError(f"Stripe refused: {error}") from error


class StripeGateway:
    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None):
        base = {"api": api_base.rstrip("/")} if api_base else None
        self.client = stripe.StripeClient(api_key, base_addresses=base, max_network_retries=2)

    def create_session(self, request: CheckoutRequest) -> SessionInfo:
        params: dict = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency,
                        "unit_amount": line.amount_minor,
                        "product_data": {"name": line.description},
                    },
                }
                for line in request.lines
            ],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": str(request.order_id),
            "metadata": request.metadata,
            "payment_intent_data": {"metadata": request.metadata},
            "allow_promotion_codes": request.allow_promotion_codes,
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        if request.expires_at:
            params["expires_at"] = int(request.expires_at.timestamp())
        session = _call(
            self.client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": request.idempotency_key},
        )
        return session_info(session.to_dict())

    def get_session(self, session_id: str) -> SessionInfo:
        session = _call(self.client.v1.checkout.sessions.retrieve, session_id)
        return session_info(session.to_dict())

    def expire_session(self, session_id: str) -> SessionInfo:
        session = _call(self.client.v1.checkout.sessions.expire, session_id)
        return session_info(session.to_dict())

    def list_paid_sessions(self, since: datetime) -> list[SessionInfo]:
        page = _call(
            self.client.v1.checkout.sessions.list,
            params={"created": {"gte": int(since.timestamp())}, "status": "complete", "limit": 100},
        )
        sessions = []
        for session in page.auto_paging_iter():
            info = session_info(session.to_dict())
            if info.paid:
                sessions.append(info)
        return sessions

    def get_payment(self, payment_intent_id: str) -> PaymentInfo:
        intent = _call(
            self.client.v1.payment_intents.retrieve,
            payment_intent_id,
            params={"expand": ["latest_charge", "latest_charge.refunds"]},
        )
        return payment_info(intent.to_dict())

    def get_dispute(self, dispute_id: str) -> DisputeInfo:
        dispute = _call(self.client.v1.disputes.retrieve, dispute_id)
        return dispute_info(dispute.to_dict())

    def refund(
        self, payment_intent_id: str, amount_minor: int, idempotency_key: str, metadata: dict
    ) -> RefundInfo:
        refund = _call(
            self.client.v1.refunds.create,
            params={
                "payment_intent": payment_intent_id,
                "amount": amount_minor,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
        return RefundInfo(refund.id, int(refund.amount), refund.status or "")
