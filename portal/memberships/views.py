"""The family's side of memberships: what the league offers, registering and paying,
coming back from the checkout, and the memberships they hold.

Every price a page shows is read from our plans, never from the form: the
summary a parent sees while choosing is computed by the server on each change
(htmx), and the checkout computes it once more before anything is charged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from portal.core.db import utcnow
from portal.core.htmx import render
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.memberships import eligibility, lifecycle, queries
from portal.memberships.models import Membership, Plan, Program, TermKind
from portal.payments import checkout, fulfilment
from portal.payments.checkout import SESSION_LIFETIME, CheckoutError, Selection
from portal.payments.gateway import GatewayError, GatewayUnavailable
from portal.payments.models import Order, OrderStatus
from portal.players import queries as player_queries
from portal.players.models import PlayerProfile
from portal.players.services import missing_for_submission, today_in

bp = Blueprint("memberships", __name__)
NOT_REGISTERING = "none"
# Where the admin side serves a plan's agreement PDF (absent until it exists: text only).
AGREEMENT_PDF_ENDPOINT = "l.programs.agreement_pdf"


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
    if request.method == "GET" or request.form.get("update"):  # "update": the no-JS total
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


@bp.post("/register/summary")
@login_required
def summary():
    """The order summary for what is chosen so far, re-drawn by htmx on every change."""
    profiles = player_queries.profiles_of(current_user.id)
    return render(
        "memberships/_summary_response.html",
        summary=_summary(profiles, queries.open_plans(), request.form),
        agreed=_agreed(request.form),
    )


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
    return selections, _agreed(request.form)


def _agreed(values) -> set[int]:
    return {int(v) for v in values.getlist("agree") if v.isdigit()}


# -- what the register page shows ------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One plan as offered to one player: why not (if so), and when the term would run."""

    plan: Plan
    problems: list[str]
    starts: date | None
    ends: date | None


@dataclass(frozen=True)
class PlayerCard:
    """A player on the register page, with the plans grouped by program."""

    profile: PlayerProfile
    current: Membership | None
    programs: list[tuple[Program, list[Option]]]

    @property
    def can_join(self) -> bool:
        return any(not o.problems for _, options in self.programs for o in options)

    @property
    def needs_profile(self) -> bool:
        """Is something missing from the profile itself (a photo, proof of age...)?"""
        return bool(missing_for_submission(self.profile))


@dataclass(frozen=True)
class Summary:
    """What would be paid for: a line per chosen player, and the agreements to accept."""

    lines: list[tuple[PlayerProfile, Plan]]

    @property
    def total(self) -> int:
        return sum(plan.price_minor for _, plan in self.lines)

    @property
    def currencies(self) -> list[str]:
        return sorted({plan.currency for _, plan in self.lines})

    @property
    def agreements(self) -> list[tuple[Plan, list[PlayerProfile]]]:
        """Each chosen plan's agreement once, with the players it is accepted for."""
        found: dict[int, tuple[Plan, list[PlayerProfile]]] = {}
        for profile, plan in self.lines:
            if plan.has_agreement:
                found.setdefault(plan.id, (plan, []))[1].append(profile)
        return list(found.values())


def _summary(profiles, plans, values) -> Summary:
    """The valid choices in `values` (unknown players or plans are left out: the
    checkout refuses them with a message when the form is sent)."""
    by_id = {str(plan.id): plan for plan in plans}
    lines = [
        (profile, by_id[values.get(f"plan-{profile.id}")])
        for profile in profiles
        if values.get(f"plan-{profile.id}") in by_id
    ]
    return Summary(lines)


def _player_card(profile: PlayerProfile, plans: list[Plan], today: date) -> PlayerCard:
    programs: dict[int, tuple[Program, list[Option]]] = {}
    for plan in plans:
        problems = eligibility.problems(profile, plan, today)
        if problems:
            starts = plan.season_start if plan.term == TermKind.FIXED else None
            ends = plan.season_end if plan.term == TermKind.FIXED else None
        else:
            starts, ends = lifecycle.term_dates(plan, profile.id, today)
            if plan.term == TermKind.ROLLING and starts <= today:
                starts = None  # "from the day you pay" reads better than today's date
        option = Option(plan, problems, starts, ends)
        programs.setdefault(plan.program_id, (plan.program, []))[1].append(option)
    return PlayerCard(profile, queries.current_term(profile.id), list(programs.values()))


def _register_page(profiles, plans, errors=None, status=200):
    today = today_in(g.league)
    values = request.form if request.method == "POST" else request.args
    return render(
        "memberships/register.html",
        profiles=profiles,
        plans=plans,
        cards=[_player_card(profile, plans, today) for profile in profiles],
        summary=_summary(profiles, plans, values),
        errors=errors or [],
        chosen={k: v for k, v in values.items() if k.startswith("plan-")},
        agreed=_agreed(values),
        nonce=secrets.token_urlsafe(16),
        today=today,
        status=status,
    )


def agreement_pdf_url(plan: Plan) -> str | None:
    """The link to a plan's agreement PDF, once the admin side serves one."""
    if not plan.agreement_key:
        return None
    try:
        return url_for(AGREEMENT_PDF_ENDPOINT, plan_id=plan.id)
    except BuildError:
        return None


bp.add_app_template_global(agreement_pdf_url)


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


@dataclass(frozen=True)
class Term:
    """A current term, and whether (or from when) the family can renew it."""

    membership: Membership
    renew_url: str | None
    renewal_opens: date | None


@dataclass(frozen=True)
class PlayerTerms:
    """A player on "My memberships": the current terms (the one ending last first), and
    the ended ones."""

    profile: PlayerProfile
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
    """`terms` come newest first; a term followed by a later one on the same plan (a
    renewal already paid) has nothing left to renew."""
    current, renewed_plans = [], set()
    for membership in (m for m in terms if m.status in lifecycle.CURRENT):
        renew_url = opens = None
        if membership.ends_on is not None and membership.plan_id not in renewed_plans:
            opens = eligibility.renewal_opens_on(membership.plan, membership.ends_on)
            if today >= opens:
                plan = membership.plan
                again = plan.is_open and plan.term == TermKind.ROLLING
                renew_url = url_for(
                    ".register", **({f"plan-{profile.id}": plan.id} if again else {})
                )
        renewed_plans.add(membership.plan_id)
        current.append(Term(membership, renew_url, opens))
    history = [m for m in terms if m.status not in lifecycle.CURRENT]
    return PlayerTerms(profile, current, history)


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
