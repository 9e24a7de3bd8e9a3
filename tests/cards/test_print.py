"""The print page: filters, starting a job, its progress widget, download and retry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.cards.models import PrintJob, PrintStatus, TeamPlayer
from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from tests.cards.printing import carded, page_texts, pdf_info, team

PAGE = "/l/riverside/admin/cards/print/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin")


@pytest.fixture
def roster(make, league, parent):
    """Two teams in two programs, players of two age groups, one player without a card."""
    u10 = make.age_group(league, "U10", max_age=9)
    u12 = make.age_group(league, "U12", min_age=10, max_age=11)
    spring = make.plan(league, "Spring")
    summer = make.plan(league, "Summer")
    hawks, owls = team(league, "Hawks"), team(league, "Owls")
    season = league.season_year
    young, older = date(season - 8, 1, 1), date(season - 11, 1, 1)
    players = {
        "ana": carded(make, league, parent, "Ana", plan=spring, team=hawks, shirt="4", born=young),
        "ben": carded(make, league, parent, "Ben", plan=spring, team=owls, born=older),
        "cy": carded(make, league, parent, "Cy", plan=summer, team=hawks, born=older),
    }
    draft = make.profile(league, parent, first_name="Dot", last_name="Player", date_of_birth=young)
    with league_scope(league.id):
        db.session.add(TeamPlayer(team_id=hawks.id, profile_id=draft.id))
        db.session.commit()
    players["dot"] = draft
    return {
        "u10": u10,
        "u12": u12,
        "spring": spring,
        "summer": summer,
        "hawks": hawks,
        "owls": owls,
        **players,
    }


def _names(html: str) -> set[str]:
    start = html.index('id="print-preview"')
    section = html[start : html.index("</section>", start)]
    return {
        name for name in ("Ana", "Ben", "Cy", "Dot", "Zed") if f"{name} Player</span>" in section
    }


def test_filters_choose_the_right_players(client, login, league, admin, roster):
    """Does each filter narrow the list, and a player without a card show as skipped?"""
    login(admin)
    every = client.get(PAGE, query_string={"status": "any"}).text
    assert _names(every) == {"Ana", "Ben", "Cy", "Dot"}
    assert "3 cards to print" in every and "1 player without a card will be skipped" in every
    assert "Profile not verified (draft)" in every
    hawks = client.get(PAGE, query_string={"team": roster["hawks"].id, "status": "any"}).text
    assert _names(hawks) == {"Ana", "Cy", "Dot"} and "Hawks #4" in hawks
    program = roster["summer"].program_id
    assert _names(client.get(PAGE, query_string={"program": program}).text) == {"Cy"}
    u10 = client.get(PAGE, query_string={"age_group": roster["u10"].id, "status": "any"})
    assert _names(u10.text) == {"Ana", "Dot"}
    both = client.get(
        PAGE, query_string={"age_group": roster["u12"].id, "team": roster["hawks"].id}
    )
    assert _names(both.text) == {"Cy"}
    assert _names(client.get(PAGE, query_string={"status": "none"}).text) == {"Dot"}
    assert _names(client.get(PAGE, query_string={"status": "expired"}).text) == set()


def test_another_leagues_players_never_match(client, login, make, league, admin, roster):
    """With league B's team id in the filter, or no filter, is any of B's players listed?"""
    other = make.league("other", name="Other League")
    stranger = make.user("stranger@example.com")
    zed = carded(make, other, stranger, "Zed", team=(b_team := team(other, "Bees")))
    login(admin)
    assert "Zed" not in client.get(PAGE).text
    page = client.get(PAGE, query_string={"team": b_team.id}).text
    assert _names(page) == set() and "No cards to print" in page
    assert zed.id  # B's player exists, just not here


def test_the_preview_is_a_fragment_for_htmx(client, login, league, admin, roster):
    login(admin)
    response = client.get(PAGE, query_string={"team": roster["owls"].id}, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="print-preview"')
    assert _names(response.text) == {"Ben"}
    # The filters travel into the print form with it.
    assert f'form="print-start" name="team" value="{roster["owls"].id}"' in response.text
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_a_job_runs_and_its_sheet_downloads(client, login, league, admin, roster):
    """Does "Make the print sheet" start a job for the players with a card, run it, and
    offer the PDF only through the league's page?"""
    login(admin)
    response = client.post(
        PAGE,
        data={
            "team": roster["hawks"].id,
            "status": "any",
            "paper": "a4",
            "double_sided": "1",
            "roster": "1",
        },
    )
    assert response.status_code == 303
    with league_scope(league.id):
        job = db.session.scalars(select(PrintJob)).one()
        assert job.status == PrintStatus.DONE and (job.done, job.total) == (2, 2)
        assert job.title == "All cards · Hawks"
        assert job.selection["skipped"][0]["name"] == "Dot Player"
        job_id = job.id
    assert response.headers["Location"].endswith(f"/admin/cards/print/jobs/{job_id}")
    page = client.get(response.headers["Location"]).text
    assert "Download the print sheet (PDF)" in page and "Dot Player" in page
    assert "<h1>All cards · Hawks · A4, double-sided</h1>" in page
    assert "hx-trigger" not in page
    download = client.get(f"{PAGE}jobs/{job_id}/sheet.pdf")
    assert download.status_code == 302 and download.headers["Cache-Control"] == "no-store"
    with client.get(download.headers["Location"]) as pdf:
        assert pdf.status_code == 200
        pages = page_texts(pdf.data)
        assert "595.276 x 841.89 pts (A4)" in pdf_info(pdf.data)
    assert len(pages) == 4 and "Ana Player" in pages[0] and "Hawks" in pages[2]
    assert "Hawks" in client.get(PAGE).text  # listed among the recent sheets


def test_nothing_to_print_or_no_paper_gives_the_form_back(client, login, league, admin, roster):
    login(admin)
    nobody = client.post(PAGE, data={"status": "expired", "paper": "letter"})
    assert nobody.status_code == 422 and "None of the chosen players has a card" in nobody.text
    no_paper = client.post(PAGE, data={"double_sided": "1"})
    assert no_paper.status_code == 422 and "Choose US Letter or A4" in no_paper.text
    assert 'name="double_sided" value="1" checked' in no_paper.text
    with league_scope(league.id):
        assert db.session.scalars(select(PrintJob)).all() == []


def _job(league, admin, **fields) -> int:
    """A print job made directly (its id: the test's session then holds no snapshot)."""
    with league_scope(league.id):
        job = PrintJob(
            requested_by_id=admin.id,
            title="All players",
            paper="letter",
            selection={"filters": {}, "profile_ids": fields.pop("ids", [])},
            total=3,
            **fields,
        )
        db.session.add(job)
        db.session.flush()
        job_id = job.id
        db.session.commit()
        return job_id


def test_the_progress_widget_polls_then_stops_with_286(client, login, league, admin):
    """While running: a progress bar that polls every second; once done, 286 (htmx stops
    polling) with the download button."""
    job_id = _job(league, admin, status=PrintStatus.RUNNING, done=1)
    login(admin)
    url = f"{PAGE}jobs/{job_id}"
    page = client.get(url).text
    assert 'hx-trigger="every 1s"' in page and '<progress max="3" value="1">' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    polling = client.get(url, headers=HTMX)
    assert polling.status_code == 200 and "1 of 3 cards done" in polling.text
    with league_scope(league.id):
        db.session.get(PrintJob, job_id).status = PrintStatus.DONE
        db.session.commit()
    done = client.get(url, headers=HTMX)
    assert done.status_code == 286 and "Download the print sheet" in done.text
    assert "hx-trigger" not in done.text
    assert client.get(url).status_code == 200  # the full page is a normal answer


def test_a_failed_job_shows_its_error_and_can_be_retried(client, login, league, admin, member):
    job_id = _job(
        league, admin, status=PrintStatus.FAILED, error="StorageError: no object", ids=[member.id]
    )
    with league_scope(league.id):
        from portal.cards import services

        services.issue(db.session.get(type(member), member.id))
        db.session.commit()
    login(admin)
    url = f"{PAGE}jobs/{job_id}"
    failed = client.get(url, headers=HTMX)
    assert failed.status_code == 286 and "StorageError: no object" in failed.text
    assert "Try again" in failed.text
    assert client.get(url + "/sheet.pdf").status_code == 404  # nothing to download
    response = client.post(url + "/retry")
    assert response.status_code == 303
    with league_scope(league.id):
        job = db.session.get(PrintJob, job_id)
        assert job.status == PrintStatus.DONE and job.error == "" and job.pdf_key
    again = client.post(url + "/retry")  # a finished job is not started again
    assert again.status_code == 303


def test_only_the_leagues_admins_print(client, login, make, league, admin, referee):
    """Can a referee, a registrar or another league's admin open the page or a job's PDF?"""
    job_id = _job(league, admin, status=PrintStatus.DONE, pdf_key="private/x.pdf")
    registrar = make.member(league, Role.REGISTRAR)
    other_admin = make.member(make.league("other"), Role.ADMIN)
    for person in (referee, registrar, other_admin):
        login(person)
        assert client.get(PAGE).status_code == 404
        assert client.get(f"{PAGE}jobs/{job_id}/sheet.pdf").status_code == 404
    login(admin)
    assert client.get(PAGE).status_code == 200


def test_the_cards_tab_is_for_admins(client, login, league, admin, referee):
    login(admin)
    assert 'href="/l/riverside/admin/cards/print/"' in client.get("/l/riverside/").text
    login(referee)
    assert "/admin/cards/print/" not in client.get("/l/riverside/").text


def test_a_job_the_worker_dropped_can_be_started_again(client, login, league, admin):
    """A job still "running" long after the worker last wrote to it (the worker died) offers
    "Try again"; a job that is moving does not."""
    moving = _job(league, admin, status=PrintStatus.RUNNING)
    stuck = _job(
        league, admin, status=PrintStatus.RUNNING, updated_at=utcnow() - timedelta(hours=1)
    )
    login(admin)
    assert "Try again" not in client.get(f"{PAGE}jobs/{moving}").text
    assert "Try again" in client.get(f"{PAGE}jobs/{stuck}").text
