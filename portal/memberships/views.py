"""The family's side of memberships: what the league offers, and registering and
paying (coming back from the checkout and the memberships held: family_views.py).

Every price a page shows is read from our plans, never from the form: the
summary a parent sees while choosing is computed by the server on each change
(htmx), and the checkout computes it once more before anything is charged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from portal.core.htmx import render
from portal.core.paging import positive_id
from portal.extensions import db
from portal.memberships import eligibility, queries
from portal.memberships.eligibility import Problem
from portal.memberships.models import Membership, Plan, Program, TermKind
from portal.payments import checkout
from portal.payments.checkout import CheckoutError, Selection
from portal.payments.gateway import GatewayError, GatewayUnavailable
from portal.payments.models import Order, OrderStatus
from portal.players import queries as player_queries
from portal.players.models import PlayerProfile
from portal.players.services import today_in

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
    reads = eligibility.Reads(today_in(g.league))
    return render(
        "memberships/_summary_response.html",
        summary=_summary(
            profiles,
            queries.open_plans(),
            request.form,
            lambda profile, plan: eligibility.problems(profile, plan, reads.today, reads),
        ),
        agreed=_agreed(request.form),
    )


def _pay(order: Order):
    """Send the payer to the order's checkout page (created now, or found again)."""
    if order.status != OrderStatus.OPEN:
        return redirect(url_for(".checkout_done", order_id=order.id), 303)
    try:
        url = checkout.open_session(order)
        db.session.commit()
    except CheckoutError as error:  # replaced meanwhile by a newer checkout (another tab)
        db.session.rollback()
        for message in error.messages:
            flash(message, "error")
        return redirect(url_for(".register"), 303)
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
        plan = by_id.get(positive_id(choice))
        if plan is None:
            raise CheckoutError([f"The plan chosen for {profile.first_name} is not offered here."])
        selections.append(Selection(profile, plan))
    for name in request.form:
        owner = name.removeprefix("plan-")
        if name.startswith("plan-") and owner not in {str(p.id) for p in profiles}:
            raise CheckoutError(["You can only pay for players on your own account."])
    return selections, _agreed(request.form)


def _agreed(values) -> set[int]:
    return {plan_id for plan_id in map(positive_id, values.getlist("agree")) if plan_id}


# -- what the register page shows ------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One plan as offered to one player: why not (if so), and when the term would run."""

    plan: Plan
    problems: list[Problem]
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

    def _problems(self) -> list[Problem]:
        return [p for _, options in self.programs for o in options for p in o.problems]

    @property
    def needs_profile(self) -> bool:
        """Is something missing from the profile (a photo, a field a plan asks for)? Only
        then does a link to the profile help."""
        return any(p.kind == Problem.PROFILE for p in self._problems())

    @property
    def why_nothing(self) -> str:
        """Why no plan is open to the player, briefly ("already registered for 2 plans,
        1 plan full"): each plan's own reason is shown beside it."""
        counts: dict[str, int] = {}
        for _, options in self.programs:
            for option in options:
                for kind in dict.fromkeys(p.kind for p in option.problems):
                    counts[kind] = counts.get(kind, 0) + 1
        parts = [REASONS[kind](n) for kind in REASONS if (n := counts.get(kind))]
        if len(parts) > 1:
            return ", ".join(parts[:-1]) + " and " + parts[-1]
        return parts[0] if parts else ""


def _plans(n: int) -> str:
    return f"{n} plan{'' if n == 1 else 's'}"


# What each sort of problem amounts to, in a few words, in the order the page lists
# them (missing profile details come with a link to the profile).
REASONS = {
    Problem.PROFILE: lambda n: "profile details missing",
    Problem.REGISTERED: lambda n: f"already registered for {_plans(n)}",
    Problem.RENEWAL: lambda n: "renewal not open yet",
    Problem.CLEARING: lambda n: "a payment still clearing",
    Problem.FULL: lambda n: f"{_plans(n)} full",
    Problem.AGE: lambda n: f"{_plans(n)} for other ages",
    Problem.CLOSED: lambda n: f"{_plans(n)} closed",
}


@dataclass(frozen=True)
class Summary:
    """What would be paid for: a line per chosen player, and the agreements to accept.
    `refused`: choices that cannot be bought (the plan filled meanwhile, a link to a plan
    the player cannot take), each with its reasons, shown apart and never in the total."""

    lines: list[tuple[PlayerProfile, Plan]]
    refused: list[tuple[PlayerProfile, Plan, list[str]]] = field(default_factory=list)

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


def _summary(profiles, plans, values, problems_of) -> Summary:
    """The valid choices in `values` (unknown players or plans are left out: the
    checkout refuses them with a message when the form is sent); those the player
    cannot take now (`problems_of(profile, plan)`) are set apart as refused."""
    by_id = {str(plan.id): plan for plan in plans}
    lines, refused = [], []
    for profile in profiles:
        plan = by_id.get(values.get(f"plan-{profile.id}"))
        if plan is None:
            continue
        if problems := problems_of(profile, plan):
            refused.append((profile, plan, problems))
        else:
            lines.append((profile, plan))
    return Summary(lines, refused)


def _player_card(profile: PlayerProfile, plans: list[Plan], reads: eligibility.Reads) -> PlayerCard:
    """`reads` is shared by every card of the page: what one player's checks read
    (places taken, age groups) is not read again for the next."""
    today = reads.today
    programs: dict[int, tuple[Program, list[Option]]] = {}
    for plan in plans:
        problems = eligibility.problems(profile, plan, today, reads)
        if problems:
            starts = plan.season_start if plan.term == TermKind.FIXED else None
            ends = plan.season_end if plan.term == TermKind.FIXED else None
        else:
            starts, ends = reads.term_dates(plan, profile.id)
            if plan.term == TermKind.ROLLING and starts <= today:
                starts = None  # "from the day you pay" reads better than today's date
        option = Option(plan, problems, starts, ends)
        programs.setdefault(plan.program_id, (plan.program, []))[1].append(option)
    return PlayerCard(profile, queries.current_term(profile.id), list(programs.values()))


def _register_page(profiles, plans, errors=None, status=200):
    """The page, with the choices in the form or link kept where they can still be made:
    a plan the player cannot take now (full since they chose it) falls back to "Not this
    time", and the summary says why instead of pricing it."""
    today = today_in(g.league)
    values = request.form if request.method == "POST" else request.args
    reads = eligibility.Reads(today)
    cards = [_player_card(profile, plans, reads) for profile in profiles]
    problems = {
        (card.profile.id, option.plan.id): option.problems
        for card in cards
        for _, options in card.programs
        for option in options
    }
    summary = _summary(profiles, plans, values, lambda pr, pl: problems[(pr.id, pl.id)])
    refused = {f"plan-{profile.id}" for profile, _, _ in summary.refused}
    return render(
        "memberships/register.html",
        profiles=profiles,
        plans=plans,
        cards=cards,
        summary=summary,
        errors=errors or [],
        chosen={k: v for k, v in values.items() if k.startswith("plan-") and k not in refused},
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
