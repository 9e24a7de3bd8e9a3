"""What an outcome code means, in a sentence an admin can read.

Processing a webhook event, a reconciliation run and the admin's own actions each
return what happened "in a word" (`fulfilment.sync_order` and friends): "paid",
"already partially_refunded", "dispute lost, refunded", "ignored: ...". Those
codes are kept as they are (tests, logs and the stored events use them); the
pages show `describe(code)` instead, so no admin reads a raw status.
"""

from __future__ import annotations

from portal.payments.models import OrderStatus

SENTENCES = {
    "paid": "Payment received: the order is paid and its memberships are active.",
    "open": "The checkout is still open: nothing was paid yet.",
    "processing": "A bank payment is on its way: the memberships start when it arrives.",
    "expired": "The checkout was abandoned: the order was closed unpaid.",
    "failed": "The payment did not go through: the order was closed unpaid.",
    "closed": "The order was closed without payment.",
    "refunded": "Refunded in full: the memberships it paid for have ended.",
    "partially refunded": "Refunded in part: the memberships carry on.",
    "refund recorded": "The refund was recorded.",
    "no refund": "There was no refund to record.",
    "flagged": "Something did not match, so nothing was activated: the order needs attention.",
    "payment seen": "A payment has arrived for this order, so it was not closed.",
    "payment on its way": "A payment is on its way for this order, so it was not closed.",
    "dispute recorded": "The payer disputed the payment: answer it in Stripe's dashboard.",
    "dispute already recorded": "The dispute was already recorded.",
    "dispute won": "The dispute was closed in the league's favour: the payment stands.",
    "dispute lost": "The dispute was lost: the bank returned the money to the cardholder.",
}
DISPUTE_STATES = {
    "warning_needs_response": "an inquiry that needs an answer",
    "warning_under_review": "an inquiry under review",
    "warning_closed": "an inquiry that was closed",
    "needs_response": "waiting for the league's answer",
    "under_review": "under review by the bank",
    "open": "open",
}


def status_label(value: str | None) -> str:
    """An order status as the admin pages name it ("partially_refunded" -> "Partly
    refunded"); anything else in plain words."""
    try:
        return OrderStatus(value).label
    except ValueError:
        return _words(value or "").capitalize()


def describe(outcome: str | None) -> str:
    """The outcome code as a sentence; an empty code stays empty."""
    code = (outcome or "").strip()
    if not code:
        return ""
    if code in SENTENCES:
        return SENTENCES[code]
    if code.startswith("already "):
        return f"Nothing to do: the order was already “{status_label(code[8:])}”."
    if code.startswith("dispute lost, "):
        return f"{SENTENCES['dispute lost']} {describe(code[14:])}"
    if code.startswith("dispute already "):
        return f"Nothing to do: the dispute was already {_words(code[16:])}."
    if code.startswith("dispute "):
        state = code[8:]
        return f"The dispute is still open ({DISPUTE_STATES.get(state, _words(state))})."
    if code.startswith("ignored: "):
        return f"Ignored: {_sentence_end(code[9:])}"
    return _sentence_end(_words(code).capitalize())


def _words(code: str) -> str:
    return code.replace("_", " ")


def _sentence_end(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."
