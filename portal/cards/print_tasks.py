"""The worker's side of a print job: build the sheet, store it, say how far it got.

The job commits its progress as each chunk of cards is rendered, so the page's
progress bar moves while the sheet is made. A failure is kept on the job with
its message, for the admin to read and retry; the task itself does not retry
(a sheet that failed once, e.g. a missing photo, would fail again the same way).
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import update

from portal.cards import sheets
from portal.cards.models import PrintJob, PrintStatus
from portal.core.db import utcnow
from portal.core.storage import store
from portal.core.tasks import app_task
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.leagues.models import League

log = logging.getLogger(__name__)


@app_task()
def run_print_job(league_id: int, job_id: int) -> str:
    with league_scope(league_id):
        job = db.session.get(PrintJob, job_id)
        if job is None or job.status != PrintStatus.QUEUED:
            return "nothing to do"
        job.status, job.done = PrintStatus.RUNNING, 0
        db.session.commit()
        try:
            league = db.session.get(League, league_id)
            pdf = sheets.build_sheet(
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
                pdf,
                "application/pdf",
            )
            job.status, job.done, job.finished_at = PrintStatus.DONE, job.total, utcnow()
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("print job %s failed", job_id)
            job = db.session.get(PrintJob, job_id)
            job.status, job.finished_at = PrintStatus.FAILED, utcnow()
            job.error = f"{type(error).__name__}: {error}"[:2000]
            db.session.commit()
            return "failed"
    return "done"


def _progress(job_id: int, done: int, total: int) -> None:
    """Write how many cards are rendered, in a transaction of its own."""
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id)
        .values(done=done, total=total, updated_at=utcnow())
    )
    db.session.commit()
