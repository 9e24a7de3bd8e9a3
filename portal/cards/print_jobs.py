"""Starting and retrying print jobs. Flush, never commit (the view commits once).

A job stores the filters and the exact players chosen when the admin pressed
the button, so the sheet prints what the page showed even if a card changes
while the job waits; the worker starts only after the job is committed.
"""

from __future__ import annotations

from datetime import timedelta

from portal.cards.models import PrintJob, PrintStatus
from portal.cards.print_queries import STATUS_CHOICES, FilterOptions, Selection
from portal.cards.sheets import PAPERS
from portal.core.db import utcnow
from portal.core.transactions import after_commit
from portal.extensions import db

STUCK_AFTER = timedelta(minutes=15)  # a job not heard from this long may be started again
SKIPPED_KEPT = 500


class PrintError(ValueError):
    """The print could not start; the message is for the admin."""


def title_of(selection: Selection, options: FilterOptions) -> str:
    """A short name for the job from its filters, e.g. "Red Hawks · U12 · Valid"."""
    filters = selection.filters
    names = [
        next((p.name for p in options.programs if p.id == filters.program_id), None),
        next((t.name for t in options.teams if t.id == filters.team_id), None),
        next((a.name for a in options.age_groups if a.id == filters.age_group_id), None),
        dict(STATUS_CHOICES).get(filters.status) if filters.status else None,
    ]
    return " · ".join(name for name in names if name) or "All players"


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
    job.updated_at = utcnow()
    db.session.flush()
    _enqueue_after_commit(job)


def _enqueue_after_commit(job: PrintJob) -> None:
    league_id, job_id = job.league_id, job.id

    def enqueue() -> None:
        from portal.cards.print_tasks import run_print_job

        run_print_job(league_id, job_id)

    after_commit(enqueue)
