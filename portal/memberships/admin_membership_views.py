"""League admins: the memberships list, its actions, and a printable roster per plan.

Routes of the `programs` blueprint (imported by `admin_views`). Each action
(suspend, lift, cancel) is one small form in its row: htmx swaps the row in
place; without JavaScript the form posts and the answer is a redirect back
to the list with its filters, or the list again (422) with the message in
the row. Who did what, and when, is kept with the reason on the membership
itself and written to the log; a refund is made from the payment, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, g, redirect, request, url_for
from flask_login import current_user

from portal.core.htmx import is_fragment_request, render
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.memberships import admin_forms as forms
from portal.memberships import admin_queries
from portal.memberships import admin_services as services
from portal.memberships.admin_queries import Filters
from portal.memberships.admin_views import bp
from portal.memberships.lifecycle import MembershipError
from portal.memberships.models import Membership, Plan
from portal.players.queries import age_groups
from portal.players.services import today_in

LIST = "memberships/admin/memberships.html"
LIST_FRAGMENT = "memberships/admin/_membership_list.html"
ROW = "memberships/admin/_membership_row.html"
ROSTER = "memberships/admin/roster.html"


@dataclass
class Problem:
    """An action that was refused, shown in its row: which form, its messages, what was typed."""

    membership_id: int
    action: str  # "suspend" or "cancel"
    errors: dict[str | None, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def _admin():
    return current_user._get_current_object()


def _list(filters: Filters, problem: Problem | None = None, status: int = 200):
    """The whole page, or (for htmx) the list; a problem off this page becomes a message."""
    page = admin_queries.memberships(filters)
    if problem and problem.membership_id not in {m.id for m in page.rows}:
        for message in problem.errors.values():
            flash(message, "error")
    return render(
        LIST,
        LIST_FRAGMENT,
        status=status,
        page=page,
        filters=filters,
        plans=admin_queries.all_plans(),
        counts=admin_queries.status_counts(),
        orders=admin_queries.order_ids([m.id for m in page.rows]),
        status_filters=admin_queries.STATUS_FILTERS,
        problem=problem,
        today=today_in(g.league),
    )


def _answer(membership: Membership, problem: Problem | None = None):
    """After an action: the row for htmx; otherwise back to the list (422 with a problem)."""
    filters = Filters.read(request.form)
    status = 422 if problem else 200
    if is_fragment_request():
        return render(
            LIST,
            ROW,
            status=status,
            membership=membership,
            order_id=admin_queries.order_ids([membership.id]).get(membership.id),
            filters=filters,
            problem=problem,
            today=today_in(g.league),
        )
    if problem:
        return _list(filters, problem, status=422)
    return redirect(url_for(".memberships", **filters.args()), 303)


def _done(membership: Membership, message: str):
    db.session.commit()
    flash(message, "success")
    return _answer(membership)


def _refused(membership: Membership, action: str, error: MembershipError, values: dict):
    db.session.rollback()
    problem = Problem(membership.id, action, {getattr(error, "field", None): str(error)}, values)
    return _answer(membership, problem)


@bp.get("/memberships")
@league_permission_required("manage_league")
def memberships():
    """Every membership of the league by plan, status and player name, newest first."""
    return _list(Filters.read(request.args))


@bp.post("/memberships/<int:membership_id>/suspend")
@league_permission_required("manage_league")
def suspend_membership(membership_id: int):
    """Suspend with a reason, until a date (lifted the day after) or until lifted by hand."""
    membership = get_or_404(Membership, membership_id)
    form = forms.SuspendForm()
    form.validate()
    values = {"reason": request.form.get("reason", ""), "until": request.form.get("until", "")}
    if form.until.errors:
        error = services.ActionError(form.until.errors[0], "until")
        return _refused(membership, "suspend", error, values)
    name = membership.profile.full_name
    try:
        services.suspend_membership(
            membership, _admin(), form.reason.data, form.until.data, today_in(g.league)
        )
    except MembershipError as error:
        return _refused(membership, "suspend", error, values)
    until = membership.suspended_until
    when = f"until {admin_queries.day(until)}" if until else "until you lift it"
    return _done(membership, f"{name} is suspended {when}.")


@bp.post("/memberships/<int:membership_id>/lift")
@league_permission_required("manage_league")
def lift_suspension(membership_id: int):
    """Make a suspended membership active again now (a dated one also lifts itself)."""
    membership = get_or_404(Membership, membership_id)
    name = membership.profile.full_name
    try:
        services.lift_suspension(membership, _admin())
    except MembershipError as error:
        db.session.rollback()
        flash(str(error), "info")
        return _answer(membership)
    return _done(membership, f"{name}'s suspension is lifted: the membership is active again.")


@bp.post("/memberships/<int:membership_id>/cancel")
@league_permission_required("manage_league")
def cancel_membership(membership_id: int):
    """End the term now. Money is refunded from the payment, separately."""
    membership = get_or_404(Membership, membership_id)
    form = forms.CancelForm()
    form.validate()
    name = membership.profile.full_name
    try:
        services.cancel_membership(membership, _admin(), form.reason.data, today_in(g.league))
    except MembershipError as error:
        return _refused(membership, "cancel", error, {"reason": request.form.get("reason", "")})
    return _done(
        membership,
        f"{name}'s membership is cancelled. No money was refunded: "
        "refund from the payment if you need to.",
    )


@bp.get("/plans/<int:plan_id>/roster")
@league_permission_required("manage_league")
def roster(plan_id: int):
    """The plan's current players with photo and age group, ready to print."""
    plan = get_or_404(Plan, plan_id)
    today = today_in(g.league)
    return render(
        ROSTER,
        plan=plan,
        rows=admin_queries.roster(plan, today),
        facts=admin_queries.describe(plan, today, age_groups()),
        today=today,
    )
