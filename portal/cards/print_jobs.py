"""Starting and retrying print jobs. Flush, never commit (the view commits once).

A job stores the filters and the exact players chosen when the admin pressed
the button, so the sheet prints what the page showed even if a card changes
while the job waits; the worker starts only after the job is committed.
"""

from __future__ import annotations

from datetime import date, timedelta

from portal.cards.models import PrintJob, PrintStatus
from portal.cards.print_queries import ANY_STATUS, DEFAULT_STATUS, FilterOptions, Selection
from portal.cards.sheet_layout import PAPERS
from portal.core.db import utcnow
from portal.core.storage import download_name
from portal.core.transactions import after_commit
from portal.extensions import db

STUCK_AFTER = timedelta(minutes=15)  # a job not heard from this long may be started again
SKIPPED_KEPT = 500
OUTCOME = ("printed", "left_out", "left_out_count", "notes")  # what a run wrote on the job


class PrintError(ValueError):
    """The print could not start; the message is for the admin."""


# What a sheet of each status is called ("" is any status).
CARDS_OF = {
    "": "All cards",
    "valid": "Valid cards",
    "not_yet_valid": "Cards not yet valid",
    "pending": "Cards pending approval",
    "suspended": "Suspended cards",
    "expired": "Expired cards",
    "cancelled": "Refunded or cancelled cards",
}


def chosen_names(selection: Selection, options: FilterOptions) -> list[str]:
    """The names of the program, team and age group the filters chose, e.g. ["U12 Hawks"]."""
    filters = selection.filters
    names = [
        next((p.name for p in options.programs if p.id == filters.program_id), None),
        next((t.name for t in options.teams if t.id == filters.team_id), None),
        next((a.name for a in options.age_groups if a.id == filters.age_group_id), None),
    ]
    return [name for name in names if name]


def title_of(selection: Selection, options: FilterOptions) -> str:
    """What the sheet holds, from its filters, e.g. "Valid cards · U12 Hawks"."""
    cards = CARDS_OF.get(selection.filters.status, "Cards")
    return " · ".join([cards, *chosen_names(selection, options)])


def heading(job: PrintJob) -> str:
    """The job page's heading: what is printed and how, e.g.
    "Valid cards · U12 Hawks · Letter, double-sided"."""
    paper = PAPERS[job.paper].short if job.paper in PAPERS else job.paper
    return f"{job.title} · {paper}{', double-sided' if job.double_sided else ''}"


def sheet_filename(job: PrintJob, league, day: date) -> str:
    """The name the sheet is saved under, e.g. "U12-Hawks-cards-2026-11-21.pdf": the
    filters' names (else the league's), the status unless valid, and the day made."""
    names = job.selection.get("names") or [league.name]
    status = job.selection.get("filters", {}).get("status", DEFAULT_STATUS)
    cards = "cards" if status in (DEFAULT_STATUS, ANY_STATUS) else CARDS_OF.get(status, "cards")
    return download_name(*names, cards.lower(), day.isoformat())


def start(
    selection: Selection,
    options: FilterOptions,
    *,
    paper: str,
    double_sided: bool,
    with_roster: bool,
    user,
) -> PrintJob:
    """A queued job for the selection's players with a card; the worker runs it after commit."""
    if paper not in PAPERS:
        raise PrintError("Choose US Letter or A4.")
    if not selection.players:
        raise PrintError("None of the chosen players has a card to print.")
    job = PrintJob(
        requested_by_id=user.id,
        title=title_of(selection, options)[:200],
        selection={
            "filters": selection.filters.args(),
            "names": chosen_names(selection, options),
            "profile_ids": selection.profile_ids,
            "skipped": [
                {"id": s.profile_id, "name": s.name, "reason": s.reason}
                for s in selection.skipped[:SKIPPED_KEPT]
            ],
            "skipped_count": len(selection.skipped),
        },
        paper=paper,
        double_sided=double_sided,
        with_roster=with_roster,
        total=len(selection.players),
    )
    db.session.add(job)
    db.session.flush()
    _enqueue_after_commit(job)
    return job


def can_retry(job: PrintJob) -> bool:
    """A failed job, or one the worker has not touched for a long time (it died)."""
    if job.status == PrintStatus.FAILED:
        return True
    stale = job.updated_at and utcnow() - job.updated_at > STUCK_AFTER
    return job.status in (PrintStatus.QUEUED, PrintStatus.RUNNING) and bool(stale)


def retry(job: PrintJob) -> None:
    if not can_retry(job):
        raise PrintError("This print is not stuck or failed, so it was not started again.")
    job.status, job.error, job.done, job.finished_at = PrintStatus.QUEUED, "", 0, None
    job.selection = {key: value for key, value in job.selection.items() if key not in OUTCOME}
    job.updated_at = utcnow()
    db.session.flush()
    _enqueue_after_commit(job)


def _enqueue_after_commit(job: PrintJob) -> None:
    league_id, job_id = job.league_id, job.id

    def enqueue() -> None:
        from portal.cards.print_tasks import run_print_job

        run_print_job(league_id, job_id)

    after_commit(enqueue)
