"""A small Stripe-compatible HTTP server on loopback, for testing the real StripeGateway
through the official SDK (`STRIPE_API_BASE`).

It speaks the parts of Stripe's API the portal uses: Checkout Sessions
(create, retrieve, list, expire), PaymentIntents (retrieve, with the charge
expanded), Refunds (create) and Events (list); form-encoded requests with
bracketed keys, JSON answers, Stripe's error shape and idempotency keys. The
objects are built by the same functions as the built-in test gateway's
(`portal.payments.testmode`). Control routes under /_control let a test pay a
session, settle a delayed payment, or take the whole API down and up again.
A test in the same process can also hold requests open (`stall`), as a Stripe that
stopped answering mid-request, and run code of its own as a request comes in
(`before`), at a known point of the caller's work.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.payments import testmode


def nested(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (`a[b][0][c]=1`) back into dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                if part == "" or (isinstance(node, list)):
                    node.append(value)
                else:
                    node[part] = value
                break
            child_is_list = following.isdigit()
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append([] if child_is_list else {})
                node = node[index]
            else:
                node = node.setdefault(part, [] if child_is_list else {})
    return root


class FakeStripe:
    """State and routing; `serve()` runs it on a free loopback port in a thread."""

    STALL_LIMIT = 60  # seconds a held request waits at most, should a test forget it

    def __init__(self):
        self.lock = threading.Lock()
        self.stalled = threading.Event()  # set once a request is being held
        self.unstalled = threading.Event()
        self.stall_pattern: str | None = None
        self.reset()

    def reset(self) -> None:
        """Forget everything (a fresh Stripe account for the next test)."""
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.events: list[dict] = []
        self.idempotent: dict[str, tuple[str, Response]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.down = False
        self.unstall()
        self.before: Callable[[str, str], None] | None = None

    def stall(self, pattern: str) -> None:
        """Hold open, unanswered, every API request whose path fully matches `pattern`
        until `unstall()`; `stalled` is set once one is held. Held outside the state
        lock, so the other requests are answered meanwhile."""
        self.unstalled.clear()
        self.stalled.clear()
        self.stall_pattern = pattern

    def unstall(self) -> None:
        """Let the held requests go on (answered as usual), and hold no more."""
        self.stall_pattern = None
        self.unstalled.set()

    # -- HTTP -------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        if not request.path.startswith("/_control/"):
            pattern = self.stall_pattern
            if pattern and re.fullmatch(pattern, request.path):
                self.stalled.set()
                self.unstalled.wait(self.STALL_LIMIT)
            if self.before is not None:
                self.before(request.method, request.path)
        with self.lock:
            response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_control/"):
            return self.control(path, request)
        if self.down:
            return self.error(503, "api_error", "Stripe is down (fake).")
        if request.headers.get("Authorization", "") != "Bearer sk_test_fake":
            return self.error(401, "invalid_request_error", "Invalid API Key provided.")
        params = nested(
            parse_qsl(
                request.get_data(as_text=True) or request.query_string.decode(),
                keep_blank_values=True,
            )
        )
        self.requests.append((request.method, path, params))
        key = request.headers.get("Idempotency-Key")
        if key and request.method == "POST":
            fingerprint = json.dumps([path, params], sort_keys=True)
            if key in self.idempotent:
                seen, response = self.idempotent[key]
                if seen != fingerprint:
                    return self.error(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the "
                        "same parameters they were first used with.",
                    )
                return response
            response = self.route(request.method, path, params)
            if response.status_code < 500:
                self.idempotent[key] = (fingerprint, response)
            return response
        return self.route(request.method, path, params)

    def route(self, method: str, path: str, params: dict) -> Response:
        routes = [
            ("POST", r"/v1/checkout/sessions", self.create_session),
            ("GET", r"/v1/checkout/sessions", self.list_sessions),
            ("GET", r"/v1/checkout/sessions/(?P<sid>[^/]+)", self.get_session),
            ("POST", r"/v1/checkout/sessions/(?P<sid>[^/]+)/expire", self.expire_session),
            ("GET", r"/v1/payment_intents/(?P<pid>[^/]+)", self.get_intent),
            ("POST", r"/v1/refunds", self.create_refund),
            ("GET", r"/v1/events", self.list_events),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                return handler(params, **match.groupdict())
        return self.error(404, "invalid_request_error", f"Unrecognized request URL ({path}).")

    @staticmethod
    def json(data: dict, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def error(self, status: int, kind: str, message: str) -> Response:
        return self.json({"error": {"type": kind, "message": message}}, status)

    # -- the API ----------------------------------------------------------------

    def create_session(self, params: dict) -> Response:
        items = params.get("line_items") or []
        amounts = [
            int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1)) for item in items
        ]
        currency = items[0]["price_data"]["currency"] if items else "usd"
        session_id = testmode.new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "currency": currency,
            "amount_subtotal": sum(amounts),
            "amount_total": sum(amounts),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "payment_intent": None,
            "customer_email": params.get("customer_email"),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "allow_promotion_codes": params.get("allow_promotion_codes") == "true",
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "created": int(time.time()),
            "expires_at": int(params.get("expires_at") or time.time() + 86400),
            "livemode": False,
            "line_items": {
                "object": "list",
                "data": [
                    {
                        "description": item["price_data"]["product_data"]["name"],
                        "amount_total": amount,
                        "quantity": 1,
                    }
                    for item, amount in zip(items, amounts, strict=True)
                ],
            },
        }
        self.sessions[session_id] = session
        return self.json(session)

    def get_session(self, params: dict, sid: str) -> Response:
        session = self.sessions.get(sid)
        if session is None:
            return self.error(404, "invalid_request_error", f"No such checkout.session: '{sid}'")
        return self.json(session)

    def list_sessions(self, params: dict) -> Response:
        since = int((params.get("created") or {}).get("gte") or 0)
        status = params.get("status")
        data = [
            s
            for s in self.sessions.values()
            if s["created"] >= since and (status is None or s["status"] == status)
        ]
        data.sort(key=lambda s: s["created"], reverse=True)
        return self.json(
            {"object": "list", "data": data, "has_more": False, "url": "/v1/checkout/sessions"}
        )

    def expire_session(self, params: dict, sid: str) -> Response:
        session = self.sessions.get(sid)
        if session is None or session["status"] != "open":
            return self.error(
                400,
                "invalid_request_error",
                "Only Checkout Sessions with a status of `open` can be expired.",
            )
        session["status"] = "expired"
        self.emit("checkout.session.expired", session)
        return self.json(session)

    def get_intent(self, params: dict, pid: str) -> Response:
        intent = self.intents.get(pid)
        if intent is None:
            return self.error(404, "invalid_request_error", f"No such payment_intent: '{pid}'")
        return self.json(intent)

    def create_refund(self, params: dict) -> Response:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return self.error(400, "invalid_request_error", "No such payment_intent.")
        amount = int(params.get("amount") or intent["amount_received"])
        try:
            refund = testmode.add_refund(intent, amount)
        except Exception as error:
            return self.error(400, "invalid_request_error", str(error))
        refund["metadata"] = params.get("metadata") or {}
        self.emit("charge.refunded", intent["latest_charge"])
        return self.json(refund)

    def list_events(self, params: dict) -> Response:
        return self.json(
            {
                "object": "list",
                "data": list(reversed(self.events)),
                "has_more": False,
                "url": "/v1/events",
            }
        )

    # -- what a test makes happen -------------------------------------------------

    def emit(self, event_type: str, obj: dict) -> dict:
        event = testmode.event_object(event_type, json.loads(json.dumps(obj)))
        self.events.append(event)
        return event

    def complete(self, session_id: str, outcome: str = "paid") -> dict:
        session = self.sessions[session_id]
        intent = testmode.intent_object(session, "succeeded" if outcome == "paid" else "processing")
        self.intents[intent["id"]] = intent
        session.update(
            status="complete",
            payment_status="paid" if outcome == "paid" else "unpaid",
            payment_intent=intent["id"],
        )
        return self.emit("checkout.session.completed", session)

    def control(self, path: str, request: Request) -> Response:
        if path == "/_control/down":
            self.down = True
        elif path == "/_control/up":
            self.down = False
        else:
            return self.error(404, "invalid_request_error", path)
        return self.json({"ok": True})


class Server:
    """The fake running on 127.0.0.1:<port> in a background thread."""

    def __init__(self):
        self.fake = FakeStripe()
        self.httpd = make_server("127.0.0.1", 0, self.fake, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
