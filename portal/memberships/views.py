"""The family's side of memberships: what the league offers, registering and paying,
coming back from the checkout, and the memberships they hold."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.core.htmx import render
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.memberships import eligibility, queries
from portal.payments import checkout, fulfilment
from portal.payments.checkout import CheckoutError, Selection
from portal.payments.gateway import GatewayError, GatewayUnavailable
from portal.payments.models import Order, OrderStatus
from portal.players import queries as player_queries
from portal.players.services import today_in

bp = Blueprint("memberships", __name__)
NOT_REGISTERING = "none"


@bp.get("/plans")
def plans():
    """What the league offers: programs, plans, prices and terms (public)."""
    return render("memberships/plans.html", programs=queries.offered_programs())


@bp.route("/register", methods=["GET", "POST"])
@login_required
def register():
    """Choose a plan for each of the family's players, accept agreements, and pay once."""
    profiles = player_queries.profiles_of(current_user.id)
    plans = queries.open_plans()
    if request.method == "GET":
        return _register_page(profiles, plans)
    try:
        selections, accepted = _parse_choices(profiles, plans)
        order = checkout.place_order(
            g.league,
            current_user._get_current_object(),
            selections,
            nonce=request.form.get("nonce") or secrets.token_urlsafe(16),
            accepted=accepted,
            today=today_in(g.league),
        )
        db.session.commit()
    except CheckoutError as error:
        db.session.rollback()
        return _register_page(profiles, plans, errors=error.messages, status=422)
    except IntegrityError:  # the same form sent twice at once: the first one won
        db.session.rollback()
        order = checkout.find_by_key(
            checkout.idempotency_key(g.league, current_user, request.form.get("nonce", ""))
        )
        if order is None:
            abort(409)
    return _pay(order)


def _pay(order: Order):
    """Send the payer to the order's checkout page (created now, or found again)."""
    if order.status != OrderStatus.OPEN:
        return redirect(url_for(".checkout_done", order_id=order.id), 303)
    try:
        url = checkout.open_session(order)
        db.session.commit()
    except (GatewayUnavailable, GatewayError):
        db.session.rollback()
        flash("The payment service did not answer. Nothing was charged; please try again.", "error")
        return redirect(url_for(".register"), 303)
    return redirect(url, 303)


def _parse_choices(profiles, plans) -> tuple[list[Selection], set[int]]:
    """The form's choices, read against our own lists: only this account's players and
    this league's open plans can be chosen, whatever the form says."""
    by_id = {plan.id: plan for plan in plans}
    selections = []
    for profile in profiles:
        choice = request.form.get(f"plan-{profile.id}", NOT_REGISTERING)
        if choice == NOT_REGISTERING:
            continue
        plan = by_id.get(int(choice)) if choice.isdigit() else None
        if plan is None:
            raise CheckoutError([f"The plan chosen for {profile.first_name} is not offered here."])
        selections.append(Selection(profile, plan))
    for name in request.form:
        owner = name.removeprefix("plan-")
        if name.startswith("plan-") and owner not in {str(p.id) for p in profiles}:
            raise CheckoutError(["You can only pay for players on your own account."])
    accepted = {int(v) for v in request.form.getlist("agree") if v.isdigit()}
    return selections, accepted


def _register_page(profiles, plans, errors=None, status=200):
    today = today_in(g.league)
    options = {
        profile.id: [(plan, eligibility.problems(profile, plan, today)) for plan in plans]
        for profile in profiles
    }
    return render(
        "memberships/register.html",
        profiles=profiles,
        plans=plans,
        options=options,
        errors=errors or [],
        chosen={k: v for k, v in request.form.items() if k.startswith("plan-")},
        agreed={int(v) for v in request.form.getlist("agree") if v.isdigit()},
        nonce=secrets.token_urlsafe(16),
        status=status,
    )


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
    return render("memberships/cancelled.html", order=_own_order(order_id))


@bp.get("/memberships/")
@login_required
def mine():
    """The family's memberships here: what is active, until when, and what to renew."""
    return render(
        "memberships/mine.html", memberships=queries.memberships_of_guardian(current_user.id)
    )
