"""Access rows for the print sheets of cards (league admins only).

{print_job} is a finished job of league A with its PDF in storage,
{failed_print_job} a failed one (with no players, so a retry fails again fast),
{b_print_job} a finished job of league B: another league's job is "not found" on
league A's pages, its PDF included. Starting a print without choosing the paper
is refused with the form again (422), so no row renders a sheet.
"""

from portal.cards.models import PrintJob, PrintStatus
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from tests.access import ADMIN_ONLY, NOBODY, expect

PREFIX = "/l/{a}/admin/cards/print"
ADMIN_REDIRECT = expect(404, anonymous=302, admin=302, platform=302)


def world_ids(a, b, admin, other_admin) -> dict:
    """Print jobs for the world: a finished and a failed one in A, a finished one in B."""
    jobs = {}
    for name, league, user, status in (
        ("print_job", a, admin, PrintStatus.DONE),
        ("failed_print_job", a, admin, PrintStatus.FAILED),
        ("b_print_job", b, other_admin, PrintStatus.DONE),
    ):
        with league_scope(league.id):
            job = PrintJob(
                requested_by_id=user.id,
                title="All players",
                paper="letter",
                selection={"filters": {}, "profile_ids": [], "skipped": []},
                status=status,
                total=0,
                error="boom" if status == "failed" else "",
            )
            db.session.add(job)
            db.session.flush()
            if status == PrintStatus.DONE:
                job.pdf_key = f"private/leagues/{league.id}/prints/{job.id}-x.pdf"
                get_storage().put(job.pdf_key, b"%PDF-1.7\n%%EOF\n", "application/pdf")
            db.session.commit()
            jobs[name] = job.id
    return jobs


ROWS = [
    ("l.card_prints.index", "GET", PREFIX + "/", ADMIN_ONLY),
    ("l.card_prints.index", "GET", PREFIX + "/?status=valid&team=999999&program=x", ADMIN_ONLY),
    ("l.card_prints.job", "GET", PREFIX + "/jobs/{print_job}", ADMIN_ONLY),
    ("l.card_prints.job", "GET", PREFIX + "/jobs/{b_print_job}", NOBODY),
    ("l.card_prints.download", "GET", PREFIX + "/jobs/{print_job}/sheet.pdf", ADMIN_REDIRECT),
    ("l.card_prints.download", "GET", PREFIX + "/jobs/{b_print_job}/sheet.pdf", NOBODY),
    ("l.card_prints.download", "GET", PREFIX + "/jobs/{failed_print_job}/sheet.pdf", NOBODY),
    ("l.card_prints.retry", "POST", PREFIX + "/jobs/{b_print_job}/retry", NOBODY),
    # State-changing: last.
    (
        "l.card_prints.start",
        "POST",
        PREFIX + "/",
        expect(404, anonymous=302, admin=422, platform=422),
    ),
    (
        "l.card_prints.retry",
        "POST",
        PREFIX + "/jobs/{failed_print_job}/retry",
        expect(404, anonymous=302, admin=303, platform=303),
    ),
]
