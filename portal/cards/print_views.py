"""League admins: print sheets of cards, made in the background.

The page chooses players with filters (program, team, age group, card status);
the count and the list update as the filters change (htmx), or with the
"Show" button without JavaScript. "Make the print sheet" starts a job for the
players with a card and lands on the job's page, whose progress widget polls
until the server answers 286 (htmx stops polling), then offers the download.
The PDF is private: the download route checks the permission and redirects to
a short-lived link, which names the file after what it holds
("U12-Hawks-cards-2026-11-21.pdf").
"""

from __future__ import annotations

from flask import Blueprint, flash, g, request, url_for
from flask_login import current_user

from portal.cards import print_jobs, print_queries
from portal.cards.models import PrintJob, PrintStatus
from portal.cards.print_jobs import PrintError
from portal.cards.sheet_layout import PAPERS
from portal.core.htmx import hx_redirect, is_fragment_request, render
from portal.core.permissions import league_permission_required
from portal.core.storage import redirect_to_file
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.payments.admin_queries import league_time
from portal.players.services import today_in

bp = Blueprint("card_prints", __name__, url_prefix="/admin/cards/print")
FINISHED = (PrintStatus.DONE, PrintStatus.FAILED)


@bp.context_processor
def helpers() -> dict:
    """Times on the league's clock, for these templates."""
    league = g.get("league")
    return {"local": lambda moment: league_time(moment, league) if league else moment}


def _page(filters, status: int = 200, error: str = "", options: dict | None = None):
    """The print page (or, for htmx, the preview fragment) for these filters. The
    fragment shows only the selection: the form's choices and the recent jobs are read
    for the whole page alone."""
    page = not is_fragment_request()
    return render(
        "cards/print/index.html",
        "cards/print/_preview.html",
        status=status,
        filters=filters,
        selection=print_queries.select_players(filters, g.league, today_in(g.league)),
        choices=print_queries.filter_options() if page else None,
        statuses=print_queries.STATUS_CHOICES,
        papers=PAPERS.values(),
        options=options or {"paper": _default_paper(), "double_sided": False, "roster": False},
        jobs=print_queries.recent_jobs() if page else None,
        error=error,
    )


def _default_paper() -> str:
    """Letter in the Americas, A4 elsewhere, going by the league's time zone."""
    return "letter" if g.league.timezone.startswith("America/") else "a4"


@bp.get("/")
@league_permission_required("print_cards")
def index():
    return _page(print_queries.PrintFilters.read(request.args))


@bp.post("/")
@league_permission_required("print_cards")
def start():
    filters = print_queries.PrintFilters.read(request.form)
    options = {
        "paper": request.form.get("paper", ""),
        "double_sided": request.form.get("double_sided") == "1",
        "roster": request.form.get("roster") == "1",
    }
    selection = print_queries.select_players(filters, g.league, today_in(g.league))
    try:
        job = print_jobs.start(
            selection,
            print_queries.filter_options(),
            paper=options["paper"],
            double_sided=options["double_sided"],
            with_roster=options["roster"],
            user=current_user,
        )
    except PrintError as error:
        db.session.rollback()
        return _page(filters, 422, str(error), options)
    db.session.commit()
    return hx_redirect(url_for(".job", job_id=job.id))


@bp.get("/jobs/<int:job_id>")
@league_permission_required("print_cards")
def job(job_id: int):
    """The job's page; to the polling widget, its fragment, with 286 once finished."""
    job = get_or_404(PrintJob, job_id)
    finished = job.status in FINISHED
    return render(
        "cards/print/job.html",
        "cards/print/_job.html",
        status=286 if finished and is_fragment_request() else 200,
        job=job,
        heading=print_jobs.heading(job),
        can_retry=print_jobs.can_retry(job),
    )


@bp.get("/jobs/<int:job_id>/sheet.pdf")
@league_permission_required("print_cards")
def download(job_id: int):
    job = get_or_404(PrintJob, job_id)
    day = league_time(job.created_at, g.league).date()
    return redirect_to_file(
        job.pdf_key if job.status == PrintStatus.DONE else None,
        filename=print_jobs.sheet_filename(job, g.league, day),
    )


@bp.post("/jobs/<int:job_id>/retry")
@league_permission_required("print_cards")
def retry(job_id: int):
    job = get_or_404(PrintJob, job_id)
    try:
        print_jobs.retry(job)
        db.session.commit()
    except PrintError as error:
        db.session.rollback()
        flash(str(error), "error")
    return hx_redirect(url_for(".job", job_id=job_id))
