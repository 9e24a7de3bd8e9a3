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
from portal.payments.gateway import (
    CheckoutRequest,
    GatewayError,
    GatewayUnavailable,
    LineItem,
    get_gateway,
)
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
    seen, payable = set(), set()
    reads = eligibility.Reads(today)
    for selection in selections:
        profile, plan = selection.profile, selection.plan
        if profile.guardian_id != guardian.id:
            messages.append("You can only pay for players on your own account.")
            continue
        if (profile.id, plan.id) in seen:
            messages.append(f"{profile.first_name} is in the basket twice for {plan.name}.")
        seen.add((profile.id, plan.id))
        problems = eligibility.problems(profile, plan, today, reads)
        messages += [f"{profile.first_name}, {plan.name}: {p}" for p in problems]
        if not problems:
            payable.add(plan.id)
    # One agreement per plan, accepted once for all the players on it: asked for once,
    # and only for a plan someone can be paid for (the others are refused already).
    for plan in {s.plan.id: s.plan for s in selections}.values():
        if plan.has_agreement and plan.id in payable and plan.id not in accepted:
            messages.append(
                f"Please accept “{plan.agreement_title or 'the agreement'}” for {plan.name}."
            )
    messages += _places_left_for(selections, reads)
    if len({s.plan.currency for s in selections}) > 1:
        messages.append("Plans in different currencies must be paid separately.")
    if messages:
        raise CheckoutError(list(dict.fromkeys(messages)))


def _places_left_for(selections: list[Selection], reads: eligibility.Reads) -> list[str]:
    """Several players on one plan must all fit in the places it has left. A player who
    holds a place already (renewing, or starting their checkout again) needs no other."""
    messages = []
    wanted: dict[int, list[Selection]] = {}
    for selection in selections:
        wanted.setdefault(selection.plan.id, []).append(selection)
    for group in wanted.values():
        plan = group[0].plan
        if plan.capacity is None:
            continue
        holders = reads.holders(plan)
        newcomers = {s.profile.id for s in group} - holders
        if len(newcomers) < 2:
            continue  # one player: eligibility already said whether the plan is full
        left = max(plan.capacity - len(holders), 0)
        if len(newcomers) > left:
            messages.append(
                f"{plan.name} has {left} place{'' if left == 1 else 's'} left, "
                f"for {len(newcomers)} players."
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
    new order with its pending memberships. The view commits, then opens the session.

    The family's checkouts are started one at a time (two tabs sent at once wait for
    each other), and checked before an older checkout is ended: a refused attempt
    leaves the one the family may still be paying untouched."""
    _lock_family(guardian)
    key = idempotency_key(league, guardian, nonce)
    existing = find_by_key(key)
    if existing is not None:
        return existing
    check(guardian, selections, accepted, today)
    _release_open_orders(guardian, selections)
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


def _lock_family(guardian: User) -> None:
    """Hold the guardian's row until the transaction ends (PostgreSQL; SQLite lets one
    writer in at a time anyway), so two checkouts of one family never interleave: each
    sees the other's order and ends it rather than both staying payable."""
    db.session.execute(select(User.id).where(User.id == guardian.id).with_for_update())


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
    """Create (or find again) the order's checkout session; returns where to send the payer.

    The order is read again (and held) first: a newer checkout of the same players, in
    another tab, may have ended it since it was loaded, and a session opened for an
    ended order could still be paid."""
    order = _locked(order)
    if order.status != OrderStatus.OPEN:
        raise CheckoutError(
            [
                "This checkout was replaced by a newer one, so it cannot be paid. "
                "Nothing was charged."
            ]
        )
    if order.session_url:
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


def _locked(order: Order) -> Order:
    """The order as the database has it now, its row held until the transaction ends."""
    return db.session.scalars(
        select(Order)
        .where(Order.id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# A payment that the gateway shows for an older checkout: paying again would charge twice.
JUST_PAID = (
    "A payment for these players has just gone through. Check your memberships before paying again."
)


def _release_open_orders(guardian: User, selections: list[Selection]) -> None:
    """An unpaid checkout for the same player and plan is ended first, at the gateway
    too, so the family can never pay twice for one place. When the gateway cannot end
    it (unreachable, or it refuses and still shows it open), nothing new is started:
    the old checkout could still be paid. A flagged order with no payment seen has its
    checkout ended too; the order itself stays for the league's admin to close."""
    wanted = {(s.profile.id, s.plan.id) for s in selections}
    orders = db.session.scalars(
        select(Order)
        .where(
            Order.guardian_id == guardian.id,
            (Order.status == OrderStatus.OPEN)
            | ((Order.status == OrderStatus.NEEDS_ATTENTION) & Order.reported_minor.is_(None)),
        )
        .with_for_update()
    ).all()
    for order in orders:
        if not wanted & {(line.profile_id, line.plan_id) for line in order.lines}:
            continue
        if order.session_id:
            _end_checkout(order)
        if order.status == OrderStatus.OPEN:
            order.status = OrderStatus.EXPIRED
            for line in order.lines:
                lifecycle.cancel_unpaid(line.membership, "Replaced by a new checkout")


def _end_checkout(order: Order) -> None:
    """Expire the order's checkout at the gateway, or raise CheckoutError if it may still
    be paid (or just was)."""
    gateway = get_gateway()
    try:
        try:
            gateway.expire_session(order.session_id)
            return
        except GatewayError:
            # No longer open at the gateway (paid, or expired on its own): its state decides.
            outcome = fulfilment.sync_order(order)
        if outcome in ("paid", "processing") or order.reported_minor is not None:
            raise CheckoutError([JUST_PAID])
        still_open = (
            order.status in (OrderStatus.OPEN, OrderStatus.NEEDS_ATTENTION)
            and gateway.get_session(order.session_id).status == "open"
        )
    except GatewayUnavailable:
        raise CheckoutError(
            [
                "The payment service did not answer, so your earlier checkout could not be "
                "ended. Nothing was charged; please try again in a minute."
            ]
        ) from None
    except GatewayError:  # the gateway cannot say what became of it: assume it is payable
        still_open = True
    if still_open:  # the gateway refused to end it for another reason: it can still be paid
        raise CheckoutError(
            [
                "Your earlier checkout for these players could not be ended. "
                "Finish it or try again in a few minutes; nothing was charged."
            ]
        )
