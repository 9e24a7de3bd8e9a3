"""The family's side after paying: back from the checkout (confirmed at once, even
before the webhook arrives), and the memberships they hold, with what to renew.

Routes of the memberships blueprint (views.py registers and pays).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, g, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.core.db import utcnow
from portal.core.htmx import render
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships import eligibility, lifecycle, queries
from portal.memberships.models import Membership, MembershipStatus, TermKind
from portal.memberships.views import bp
from portal.payments import fulfilment
from portal.payments.checkout import SESSION_LIFETIME
from portal.payments.gateway import GatewayUnavailable
from portal.payments.models import Order, OrderStatus
from portal.players import queries as player_queries
from portal.players.models import PlayerProfile
from portal.players.services import today_in

# -- back from the checkout -------------------------------------------------------------


def _own_order(order_id: int) -> Order:
    order = get_or_404(Order, order_id)
    if order.guardian_id != current_user.id:
        abort(404)
    return order


@bp.get("/register/done/<int:order_id>")
@login_required
def checkout_done(order_id: int):
    """Back from the checkout: confirm now (the webhook may not have arrived yet)."""
    order = _own_order(order_id)
    if order.status in (OrderStatus.OPEN, OrderStatus.PROCESSING) and order.session_id:
        try:
            fulfilment.sync_order(order)
            db.session.commit()
        except GatewayUnavailable:
            db.session.rollback()  # the webhook will confirm it; the page says "on its way"
    return render("memberships/done.html", order=order)


@bp.get("/register/cancelled/<int:order_id>")
@login_required
def checkout_cancelled(order_id: int):
    """The payer left the checkout: nothing was charged; they may go back to it."""
    return render("memberships/cancelled.html", order=_own_order(order_id))


# -- the family's memberships ------------------------------------------------------------


@bp.app_template_global()
def starts_later(membership: Membership, league: League) -> bool:
    """A paid term that has not begun yet (a renewal, next season's): every page and mail
    the family reads (My memberships, the done page, the receipt) says "Paid · starts
    <day>" for it, never "Active". `league`: the membership's, whose day it is (passed,
    not read through the plan: the receipt is rendered where every read counts)."""
    return (
        membership.status == MembershipStatus.ACTIVE
        and membership.starts_on is not None
        and membership.starts_on > today_in(league)
    )


@dataclass(frozen=True)
class Term:
    """One plan's current term, the renewals of it already paid (each starting after the
    one before ends), and whether (or from when) the family can renew the last of them."""

    membership: Membership
    renewals: list[Membership]
    renew_url: str | None
    renewal_opens: date | None

    @property
    def last(self) -> Membership:
        return self.renewals[-1] if self.renewals else self.membership


@dataclass(frozen=True)
class PlayerTerms:
    """A player on "My memberships": the term their badge describes (the one running
    today, else the next to start), each plan's current terms (running first, then by
    start), and the ended ones."""

    profile: PlayerProfile
    now: Membership | None
    current: list[Term]
    history: list[Membership]


@bp.get("/memberships/")
@login_required
def mine():
    """The family's memberships here: what is active, until when, and what to renew."""
    today = today_in(g.league)
    terms = queries.memberships_of_guardian(current_user.id)
    players = [
        _player_terms(profile, [m for m in terms if m.profile_id == profile.id], today)
        for profile in player_queries.profiles_of(current_user.id)
    ]
    return render("memberships/mine.html", players=players, waiting=_waiting_orders(), today=today)


def _player_terms(profile: PlayerProfile, terms: list[Membership], today: date) -> PlayerTerms:
    """Group the current terms by plan: a term that starts after the last one of the same
    plan ends is its renewal (a second term with the same dates is not: it stands apart).

    The badge follows the term running today (a suspended one before an active one), not
    the one that ends last: a renewal paid early must not hide that today's term ends
    first."""
    current = sorted(
        (m for m in terms if m.status in lifecycle.CURRENT),
        key=lambda m: (m.starts_on or date.min, m.ends_on or date.max, m.id),
    )
    chains: list[list[Membership]] = []
    for membership in current:
        chain = next((c for c in chains if _renews(c[-1], membership)), None)
        if chain is None:
            chains.append([membership])
        else:
            chain.append(membership)
    running = [m for m in current if m.starts_on is None or m.starts_on <= today]
    if running:
        now = max(
            running,
            key=lambda m: (m.status == MembershipStatus.SUSPENDED, m.ends_on or date.max),
        )
    else:
        now = current[0] if current else None
    # Ended terms that once counted: a checkout abandoned or declined never started one
    # (and one still being paid shows under the checkouts under way).
    history = [m for m in terms if m.status not in lifecycle.CURRENT and m.activated_at is not None]
    return PlayerTerms(profile, now, [_term(profile, c, today) for c in chains], history)


def _renews(before: Membership, after: Membership) -> bool:
    return (
        before.plan_id == after.plan_id
        and before.ends_on is not None
        and after.starts_on is not None
        and after.starts_on > before.ends_on
    )


def _term(profile: PlayerProfile, chain: list[Membership], today: date) -> Term:
    """Only a rolling plan renews (its next term follows this one); a season's plan
    does not: next season is a plan of its own, and offering the same season again led
    the family to "already registered for this season"."""
    last, plan = chain[-1], chain[-1].plan
    renew_url = opens = None
    if plan.term == TermKind.ROLLING and last.ends_on is not None:
        opens = eligibility.renewal_opens_on(plan, last.ends_on)
        if today >= opens:
            renew_url = url_for(
                ".register", **({f"plan-{profile.id}": plan.id} if plan.is_open else {})
            )
    return Term(chain[0], chain[1:], renew_url, opens)


def _waiting_orders() -> list[Order]:
    """This family's checkouts still under way: a bank debit on its way, or a checkout
    left open within the last hour (its page still takes payment)."""
    recent = utcnow() - SESSION_LIFETIME - timedelta(minutes=5)
    return list(
        db.session.scalars(
            select(Order)
            .where(
                Order.guardian_id == current_user.id,
                (Order.status == OrderStatus.PROCESSING)
                | ((Order.status == OrderStatus.OPEN) & (Order.created_at > recent)),
            )
            .order_by(Order.id.desc())
        )
    )
