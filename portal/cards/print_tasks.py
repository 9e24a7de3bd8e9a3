"""The worker's side of a print job: build the sheet, store it, say how far it got.

The job commits its progress as each chunk of cards is rendered, so the page's
progress bar moves while the sheet is made. Players whose card could not be
made (a photo gone from storage, say) are left out of the sheet and named on
the job's page with the reason and what to do (sheets.LeftOut), and the job
still succeeds with the rest. It fails only if nothing could be printed, or
on an error that is no one card's; the message is kept on the job for the
admin to read, then retry. The task itself does not retry: a sheet that failed
once would most likely fail again the same way.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import asdict

from sqlalchemy import update

from portal.cards.models import PrintJob, PrintStatus
from portal.core.db import utcnow
from portal.core.storage import store
from portal.core.tasks import app_task
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.leagues.models import League

log = logging.getLogger(__name__)
LEFT_OUT_KEPT = 500
UNEXPECTED = (
    "The print sheet could not be made because of an unexpected error ({error}). "
    "Try again; if it fails again, report it."
)


@app_task()
def run_print_job(league_id: int, job_id: int) -> str:
    # Here, not at the top: sheets loads WeasyPrint (over a second), which the worker
    # then needs only when it makes its first sheet, not to start.
    from portal.cards import sheets

    with league_scope(league_id):
        job = db.session.get(PrintJob, job_id)
        if job is None or job.status != PrintStatus.QUEUED:
            return "nothing to do"
        job.status, job.done = PrintStatus.RUNNING, 0
        db.session.commit()
        try:
            league = db.session.get(League, league_id)
            sheet = sheets.make_sheet(
                league,
                job.selection["profile_ids"],
                paper=job.paper,
                double_sided=job.double_sided,
                with_roster=job.with_roster,
                progress=lambda done, total: _progress(job_id, done, total),
            )
            job = db.session.get(PrintJob, job_id)
            job.pdf_key = store(
                f"private/leagues/{league_id}/prints/{job_id}-{secrets.token_hex(8)}.pdf",
                sheet.pdf,
                "application/pdf",
            )
            _outcome(job, sheet.left_out, sheet.notes, printed=sheet.printed)
            job.status, job.done, job.finished_at = PrintStatus.DONE, job.total, utcnow()
            db.session.commit()
        except sheets.SheetError as error:
            _failed(job_id, str(error), error.left_out)
            return "failed"
        except Exception as error:
            log.exception("print job %s failed", job_id)
            _failed(job_id, UNEXPECTED.format(error=f"{type(error).__name__}: {error}"), [])
            return "failed"
    return "done"


def _failed(job_id: int, message: str, left_out: list) -> None:
    db.session.rollback()
    job = db.session.get(PrintJob, job_id)
    _outcome(job, left_out, [], printed=0)
    job.status, job.finished_at, job.error = PrintStatus.FAILED, utcnow(), message[:2000]
    db.session.commit()


def _outcome(job: PrintJob, left_out: list, notes: list[str], printed: int) -> None:
    """Who was left out and why, and the notes about the sheet, for the job's page (a
    new dict: the JSON column sees a change only when it is given one)."""
    job.selection = {
        **job.selection,
        "printed": printed,
        "left_out": [asdict(entry) for entry in left_out[:LEFT_OUT_KEPT]],
        "left_out_count": len(left_out),
        "notes": notes,
    }


def _progress(job_id: int, done: int, total: int) -> None:
    """Write how many cards are rendered, in a transaction of its own."""
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id)
        .values(done=done, total=total, updated_at=utcnow())
    )
    db.session.commit()
