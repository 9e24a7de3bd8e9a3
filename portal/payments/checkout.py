"""Starting a checkout: one order for one or more of a family's players.

The price of every line is read from our plans, never from the browser. The
order is saved first, under an idempotency key made from the form's one-time
nonce, so a double click finds the same order; the gateway session is then
created with a key made from the order id, so a retry finds the same session.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships import eligibility, lifecycle
from portal.memberships.models import AgreementAcceptance, Membership, Plan
from portal.payments import fulfilment
from portal.payments.gateway import CheckoutRequest, GatewayError, LineItem, get_gateway
from portal.payments.models import Order, OrderLine, OrderStatus
from portal.players.models import PlayerProfile

SESSION_LIFETIME = timedelta(hours=1)


class CheckoutError(ValueError):
    """Why the checkout cannot start: a list of messages, each for the family to read."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Selection:
    profile: PlayerProfile
    plan: Plan


def idempotency_key(league: League, guardian: User, nonce: str) -> str:
    digest = hashlib.sha256(f"{league.id}:{guardian.id}:{nonce}".encode()).hexdigest()
    return f"order-{digest[:40]}"


def find_by_key(key: str) -> Order | None:
    return db.session.scalars(select(Order).where(Order.idempotency_key == key)).first()


def check(guardian: User, selections: list[Selection], accepted: set[int], today: date) -> None:
    """Every reason the selection cannot be paid for, at once; raises CheckoutError."""
    messages: list[str] = []
    if not selections:
        raise CheckoutError(["Choose at least one player and a plan."])
    seen = set()
    for selection in selections:
        profile, plan = selection.profile, selection.plan
        if profile.guardian_id != guardian.id:
            messages.append("You can only pay for players on your own account.")
            continue
        if (profile.id, plan.id) in seen:
            messages.append(f"{profile.first_name} is in the basket twice for {plan.name}.")
        seen.add((profile.id, plan.id))
        messages += [
            f"{profile.first_name}, {plan.name}: {p}"
            for p in eligibility.problems(profile, plan, today)
        ]
        if plan.has_agreement and plan.id not in accepted:
            messages.append(
                f"Please accept “{plan.agreement_title or 'the agreement'}” for {plan.name}."
            )
    messages += _places_left_for(selections, today)
    if len({s.plan.currency for s in selections}) > 1:
        messages.append("Plans in different currencies must be paid separately.")
    if messages:
        raise CheckoutError(messages)


def _places_left_for(selections: list[Selection], today: date) -> list[str]:
    """Several players on one plan must all fit in the places it has left."""
    messages = []
    wanted: dict[int, list[Selection]] = {}
    for selection in selections:
        wanted.setdefault(selection.plan.id, []).append(selection)
    for group in wanted.values():
        plan = group[0].plan
        if plan.capacity is None or len(group) < 2:
            continue  # one player: eligibility already said whether the plan is full
        left = max(plan.capacity - eligibility.taken_places(plan, today), 0)
        if len(group) > left:
            messages.append(
                f"{plan.name} has {left} place{'' if left == 1 else 's'} left, "
                f"for {len(group)} players."
            )
    return messages


def place_order(
    league: League,
    guardian: User,
    selections: list[Selection],
    *,
    nonce: str,
    accepted: set[int],
    today: date,
) -> Order:
    """Check everything, release older unpaid checkouts of the same players, and save a
    new order with its pending memberships. The view commits, then opens the session."""
    key = idempotency_key(league, guardian, nonce)
    existing = find_by_key(key)
    if existing is not None:
        return existing
    _release_open_orders(guardian, selections)
    check(guardian, selections, accepted, today)
    order = Order(
        league_id=league.id,
        guardian_id=guardian.id,
        gateway=get_gateway().name,
        currency=selections[0].plan.currency,
        amount_minor=sum(s.plan.price_minor for s in selections),
        idempotency_key=key,
    )
    db.session.add(order)
    for selection in selections:
        membership = Membership(
            league_id=league.id, profile_id=selection.profile.id, plan_id=selection.plan.id
        )
        db.session.add(membership)
        order.lines.append(
            OrderLine(
                league_id=league.id,
                membership=membership,
                profile_id=selection.profile.id,
                plan_id=selection.plan.id,
                amount_minor=selection.plan.price_minor,
                description=f"{selection.profile.full_name}: {selection.plan.program.name}, "
                f"{selection.plan.name}"[:255],
            )
        )
        if selection.plan.has_agreement:
            _record_acceptance(selection, guardian)
    db.session.flush()
    return order


def _record_acceptance(selection: Selection, guardian: User) -> None:
    plan = selection.plan
    text = f"{plan.agreement_title}\n{plan.agreement_text}\n{plan.agreement_key or ''}"
    db.session.add(
        AgreementAcceptance(
            league_id=plan.league_id,
            plan_id=plan.id,
            version=plan.agreement_version,
            profile_id=selection.profile.id,
            user_id=guardian.id,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
    )


def open_session(order: Order) -> str:
    """Create (or find again) the order's checkout session; returns where to send the payer."""
    if order.session_url and order.status == OrderStatus.OPEN:
        return order.session_url
    slug = order.league.slug
    request = CheckoutRequest(
        order_id=order.id,
        league_id=order.league_id,
        currency=order.currency,
        lines=[LineItem(line.description, line.amount_minor) for line in order.lines],
        success_url=absolute_url(
            "l.memberships.checkout_done", league_slug=slug, order_id=order.id
        ),
        cancel_url=absolute_url(
            "l.memberships.checkout_cancelled", league_slug=slug, order_id=order.id
        ),
        idempotency_key=f"checkout-order-{order.id}",
        customer_email=order.guardian.email if order.guardian else None,
        allow_promotion_codes=order.league.allow_promotion_codes,
        expires_at=order.created_at + SESSION_LIFETIME,
    )
    session = get_gateway().create_session(request)
    order.session_id, order.session_url = session.id, session.url
    # What this checkout offered is what its payment is checked against later.
    order.allow_promotion_codes = request.allow_promotion_codes
    return session.url


def _release_open_orders(guardian: User, selections: list[Selection]) -> None:
    """An unpaid checkout for the same player and plan is ended first, at the gateway
    too, so the family can never pay twice for one place."""
    wanted = {(s.profile.id, s.plan.id) for s in selections}
    open_orders = db.session.scalars(
        select(Order).where(Order.guardian_id == guardian.id, Order.status == OrderStatus.OPEN)
    ).all()
    for order in open_orders:
        if not wanted & {(line.profile_id, line.plan_id) for line in order.lines}:
            continue
        if order.session_id:
            try:
                get_gateway().expire_session(order.session_id)
            except GatewayError:
                # Already completed (or expired) at the gateway: let its state decide.
                outcome = fulfilment.sync_order(order)
                if order.status != OrderStatus.OPEN and outcome in ("paid", "processing"):
                    raise CheckoutError(
                        [
                            "A payment for these players has just gone through. "
                            "Check your memberships before paying again."
                        ]
                    ) from None
        if order.status == OrderStatus.OPEN:
            order.status = OrderStatus.EXPIRED
            for line in order.lines:
                lifecycle.cancel_unpaid(line.membership, "Replaced by a new checkout")
