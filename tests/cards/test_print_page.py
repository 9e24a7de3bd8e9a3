"""The print page's choices: Valid cards unless the admin asks otherwise, what the job's
page says it printed, and the name the sheet downloads under."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.cards.models import PrintJob
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships.models import Membership
from tests.cards.printing import carded, team

PAGE = "/l/riverside/admin/cards/print/"


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin")


@pytest.fixture
def hawks(make, league, parent):
    """A team with a valid card (Val) and an expired one (Old)."""
    hawks = team(league, "U12 Hawks")
    carded(make, league, parent, "Val", team=hawks, shirt="1")
    old = carded(make, league, parent, "Old", team=hawks, shirt="2")
    last_year = date.today() - timedelta(days=400)
    with league_scope(league.id):
        for term in db.session.scalars(select(Membership).where(Membership.profile_id == old.id)):
            term.starts_on, term.ends_on = last_year, last_year + timedelta(days=30)
        db.session.commit()
    return hawks


def _listed(html: str) -> set[str]:
    start = html.index('id="print-preview"')
    section = html[start : html.index("</section>", start)]
    return {name for name in ("Val", "Old") if f"{name} Player</span>" in section}


def test_the_page_opens_on_valid_cards(client, login, league, admin, hawks):
    """Does the page choose Valid cards until the admin picks another status, "Any status"
    included, and does that choice travel into the print form?"""
    login(admin)
    page = client.get(PAGE).text
    assert '<option value="valid" selected>Valid</option>' in page
    assert _listed(page) == {"Val"}
    assert 'form="print-start" name="status" value="valid"' in page
    assert "Clear filters" not in page  # Valid is where the page starts: nothing to clear
    every = client.get(PAGE, query_string={"status": "any"}).text
    assert '<option value="any" selected>Any status</option>' in every
    assert _listed(every) == {"Val", "Old"} and "EXPIRED" in every
    assert 'form="print-start" name="status" value="any"' in every and "Clear filters" in every
    expired = client.get(PAGE, query_string={"status": "expired"}).text
    assert _listed(expired) == {"Old"}
    assert _listed(client.get(PAGE, query_string={"status": "bogus"}).text) == {"Val"}


def test_a_print_without_a_status_prints_valid_cards(client, login, league, admin, hawks):
    login(admin)
    client.post(PAGE, data={"team": hawks.id, "paper": "letter", "double_sided": "1"})
    client.post(PAGE, data={"team": hawks.id, "status": "any", "paper": "a4"})
    with league_scope(league.id):
        valid, every = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
        assert (valid.total, every.total) == (1, 2)
        assert valid.title == "Valid cards · U12 Hawks" and every.title == "All cards · U12 Hawks"
        ids = valid.id, every.id
    page = client.get(f"{PAGE}jobs/{ids[0]}").text
    assert "<h1>Valid cards · U12 Hawks · Letter, double-sided</h1>" in page
    assert "<title>Valid cards · U12 Hawks · Letter, double-sided · Print cards" in page
    assert "<h1>All cards · U12 Hawks · A4</h1>" in client.get(f"{PAGE}jobs/{ids[1]}").text


def test_the_sheet_downloads_under_a_name_that_says_what_it_is(client, login, league, admin, hawks):
    """Is the sheet saved as "<what>-cards-<day>.pdf", shown in the browser (inline)?"""
    login(admin)
    client.post(PAGE, data={"team": hawks.id, "paper": "letter"})
    client.post(PAGE, data={"status": "expired", "paper": "letter"})
    with league_scope(league.id):
        team_job, expired_job = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
        day = team_job.created_at.astimezone(ZoneInfo(league.timezone)).date()
        ids = team_job.id, expired_job.id
    redirect = client.get(f"{PAGE}jobs/{ids[0]}/sheet.pdf")
    with client.get(redirect.headers["Location"]) as pdf:
        disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert f'filename="U12-Hawks-cards-{day.isoformat()}.pdf"' in disposition
    redirect = client.get(f"{PAGE}jobs/{ids[1]}/sheet.pdf")
    with client.get(redirect.headers["Location"]) as pdf:
        assert 'filename="Riverside-FC-expired-cards-' in pdf.headers["Content-Disposition"]


def test_the_actual_size_note_is_about_the_whole_print(client, login, league, admin, hawks):
    """The note about printing at actual size stands apart after the options, not
    indented under the roster checkbox as its help."""
    login(admin)
    page = client.get(PAGE).text
    roster = page.index('name="roster"')
    note = page.index("Print at actual size")
    assert page.rindex('<p class="print-note">', 0, note) > roster
    assert 'class="help muted">Print at actual size' not in page
