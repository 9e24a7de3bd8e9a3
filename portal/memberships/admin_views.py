"""League admins: programs and plans, and the memberships players hold.

Programs and plans are edited on their own pages (plain posts: save, then
redirect; 422 with every message beside its field). The programs list
changes in place with htmx (reorder, archive, open or close a plan), and
each of those buttons is also a plain form that works without JavaScript:
then the answer is a redirect back to the list. The memberships list, its
actions and the rosters are in `admin_membership_views`, on this blueprint.

Template globals serve the public side, whose views are not ours: the league
page's "Seasons and plans" panel and the plans page show what `plan_offers()`
returns, and the agreement PDF route here is public.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from portal.core.forms import add_error
from portal.core.htmx import is_fragment_request, render
from portal.core.permissions import league_permission_required
from portal.core.storage import redirect_to_file
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.memberships import admin_forms as forms
from portal.memberships import admin_queries, queries
from portal.memberships import admin_services as services
from portal.memberships.admin_queries import PlanFacts
from portal.memberships.admin_services import ProgramError
from portal.memberships.models import Plan, Program
from portal.memberships.plan_rules import PlanError
from portal.players import rules
from portal.players.queries import age_groups
from portal.players.services import today_in

bp = Blueprint("programs", __name__, url_prefix="/programs")

INDEX = "memberships/admin/index.html"
PROGRAMS = "memberships/admin/_programs.html"
PROGRAM_FORM = "memberships/admin/program_form.html"
PLAN_FORM = "memberships/admin/plan_form.html"
MOVES = ("up", "down")


# -- for the public pages --------------------------------------------------------------


@bp.app_template_global()
def offered_programs() -> list[Program]:
    """Programs with an open plan (the league page has no view of ours to pass them)."""
    return queries.offered_programs()


@bp.app_template_global()
def plan_offers(programs: list[Program] | None = None) -> list[tuple[Program, list]]:
    """What families can register for now: [(program, [(plan, PlanFacts)])], leaving out
    closed plans, seasons that are over, and programs with nothing left to offer."""
    if g.get("league") is None:
        return []
    today, groups = today_in(g.league), age_groups()
    offers = []
    for program in queries.offered_programs() if programs is None else programs:
        if program.archived:
            continue
        plans = [
            (plan, admin_queries.describe(plan, today, groups, count=False))
            for plan in program.plans
            if plan.is_open
        ]
        plans = [(plan, facts) for plan, facts in plans if not facts.over]
        if plans:
            offers.append((program, plans))
    return offers


@bp.app_template_global()
def league_age_cutoff() -> date:
    """The day ages are counted on, so families can tell which group a child is in."""
    league = g.league
    return rules.cutoff_date(league.season_year, league.age_cutoff_month, league.age_cutoff_day)


@bp.get("/plans/<int:plan_id>/agreement.pdf")
def agreement_pdf(plan_id: int):
    """A plan's agreement PDF, public like the plans page: families read it before paying.
    Through a short-lived link, so no page ever carries a lasting link to a file."""
    return redirect_to_file(get_or_404(Plan, plan_id).agreement_key)


# -- the programs list ---------------------------------------------------------------------


def _index(fragment: str | None = None):
    """The whole page, or (for htmx) the list of programs and plans."""
    programs = admin_queries.programs_with_plans()
    today, groups = today_in(g.league), age_groups()
    facts: dict[int, PlanFacts] = {
        plan.id: admin_queries.describe(plan, today, groups)
        for program in programs
        for plan in program.plans
    }
    return render(
        INDEX,
        fragment,
        programs=[p for p in programs if not p.archived],
        archived=[p for p in programs if p.archived],
        facts=facts,
    )


def _changed(message: str | None = None, category: str = "success"):
    """Commit, then answer htmx with the new list and a plain post with a redirect."""
    db.session.commit()
    if message:
        flash(message, category)
    if is_fragment_request():
        return _index(PROGRAMS)
    return redirect(url_for(".index"), 303)


def _direction() -> str:
    direction = request.form.get("direction", "")
    if direction not in MOVES:
        abort(400)
    return direction


@bp.get("/")
@league_permission_required("manage_league")
def index():
    """Programs with their plans: price, term, places taken, open or closed."""
    return _index()


# -- programs ---------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@league_permission_required("manage_league")
def new_program():
    """A program is what families sign up for; its first plan comes right after."""
    form = forms.ProgramForm()
    if form.validate_on_submit():
        try:
            program = services.create_program(g.league, form.name.data, form.description.data)
        except ProgramError as error:
            db.session.rollback()
            add_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(f"Added {program.name}. Now add its first plan.", "success")
            return redirect(url_for(".new_plan", program_id=program.id), 303)
    return render(PROGRAM_FORM, form=form, program=None, status=422 if form.errors else 200)


@bp.route("/<int:program_id>/edit", methods=["GET", "POST"])
@league_permission_required("manage_league")
def edit_program(program_id: int):
    """Rename or describe a program (its plans and memberships are not touched)."""
    program = get_or_404(Program, program_id)
    form = forms.ProgramForm(obj=program)
    if form.validate_on_submit():
        try:
            services.update_program(program, form.name.data, form.description.data)
        except ProgramError as error:
            db.session.rollback()
            add_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash(f"Saved {program.name}.", "success")
            return redirect(url_for(".index"), 303)
    return render(PROGRAM_FORM, form=form, program=program, status=422 if form.errors else 200)


@bp.post("/<int:program_id>/archive")
@league_permission_required("manage_league")
def archive_program(program_id: int):
    """Hide a finished program from families; its memberships and rosters stay."""
    program = get_or_404(Program, program_id)
    services.set_archived(program, True)
    return _changed(f"Archived {program.name}: families no longer see it.", "info")


@bp.post("/<int:program_id>/unarchive")
@league_permission_required("manage_league")
def unarchive_program(program_id: int):
    """Show an archived program to families again (its open plans take players again)."""
    program = get_or_404(Program, program_id)
    services.set_archived(program, False)
    return _changed(f"{program.name} is back: families see its open plans again.")


@bp.post("/<int:program_id>/move")
@league_permission_required("manage_league")
def move_program(program_id: int):
    """Programs show in this order on the plans page and the registration form."""
    program = get_or_404(Program, program_id)
    services.move_program(program, _direction())
    return _changed()


# -- plans ------------------------------------------------------------------------------


def _plan_page(form, program: Program, plan: Plan | None, status: int = 200):
    return render(
        PLAN_FORM,
        form=form,
        program=program,
        plan=plan,
        acceptances=admin_queries.acceptance_counts(plan) if plan else [],
        league_window=g.league.renewal_window_days,
        has_groups=bool(form.age_group_ids.choices),
        status=status,
    )


def _submit_plan(form, save):
    """Read the form, then save through the service, which checks every rule.

    On any problem nothing is saved (not even the PDF) and every message goes
    beside its field; returns None then, else what `save` returned.
    """
    form.validate()
    pdf = form.pdf()
    try:
        result = save(form.plan_data(), pdf, form.unreadable())
    except PlanError as error:
        db.session.rollback()
        for field, message in error.errors.items():
            add_error(form, field, message)
        if pdf is not None and "agreement_pdf" not in error.errors:
            add_error(form, "agreement_pdf", "Not saved yet: choose the PDF again.")
        return None
    db.session.commit()
    return result


@bp.route("/<int:program_id>/plans/new", methods=["GET", "POST"])
@league_permission_required("manage_league")
def new_plan(program_id: int):
    """A new plan in the program: every field at once, every problem shown at once."""
    program = get_or_404(Program, program_id)
    form = forms.PlanForm.for_plan(None, age_groups(), admin_queries.default_currency())
    if form.is_submitted():
        plan = _submit_plan(
            form,
            lambda data, pdf, unreadable: services.create_plan(
                program, data, today_in(g.league), pdf, unreadable=unreadable
            ),
        )
        if plan is not None:
            flash(f"Added {plan.name} to {program.name}.", "success")
            return redirect(url_for(".index", _anchor=f"plan-{plan.id}"), 303)
        return _plan_page(form, program, None, status=422)
    return _plan_page(form, program, None)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@league_permission_required("manage_league")
def edit_plan(plan_id: int):
    """Change a plan for new registrations; a new agreement text or PDF is a new version."""
    plan = get_or_404(Plan, plan_id)
    form = forms.PlanForm.for_plan(plan, age_groups())
    if form.is_submitted():
        change = _submit_plan(
            form,
            lambda data, pdf, unreadable: services.update_plan(
                plan,
                data,
                today_in(g.league),
                pdf=pdf,
                remove_pdf=bool(form.remove_pdf.data),
                unreadable=unreadable,
            ),
        )
        if change is not None:
            message = f"Saved {plan.name}."
            if change.bumped and change.version > 1:
                message += (
                    f" The agreement is now version {change.version}: "
                    "families registering from now on accept this one."
                )
            elif change.removed:
                message += " It no longer has an agreement."
            flash(message, "success")
            return redirect(url_for(".index", _anchor=f"plan-{plan.id}"), 303)
        return _plan_page(form, plan.program, plan, status=422)
    return _plan_page(form, plan.program, plan)


@bp.post("/plans/<int:plan_id>/open")
@league_permission_required("manage_league")
def open_plan(plan_id: int):
    """Take registrations again (within its capacity and dates)."""
    plan = get_or_404(Plan, plan_id)
    services.set_plan_open(plan, True)
    return _changed(f"{plan.name} is open for registration.")


@bp.post("/plans/<int:plan_id>/close")
@league_permission_required("manage_league")
def close_plan(plan_id: int):
    """Stop new registrations; memberships already paid are not affected."""
    plan = get_or_404(Plan, plan_id)
    services.set_plan_open(plan, False)
    return _changed(f"{plan.name} is closed: no new registrations.", "info")


@bp.post("/plans/<int:plan_id>/move")
@league_permission_required("manage_league")
def move_plan(plan_id: int):
    """Plans show in this order inside their program, for families too."""
    plan = get_or_404(Plan, plan_id)
    services.move_plan(plan, _direction())
    return _changed()


from portal.memberships import admin_membership_views  # noqa: E402, F401  (routes on `bp`)
