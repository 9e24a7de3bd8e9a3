"""One player's problem never costs the whole print sheet: a card that cannot be made is
left out and named, with what to do, and the rest print."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from sqlalchemy import select

from portal.cards import sheets
from portal.cards.models import PrintJob, PrintStatus, TeamPlayer
from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from tests.cards.printing import carded, page_texts, team
from tests.images import jpeg

PAGE = "/l/riverside/admin/cards/print/"
MISSING = "their photo is missing; ask the family to upload it again"


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin")


@pytest.fixture
def hawks(make, league, parent):
    """Ann, Sam (Lee) and Cat of the Hawks, each with a card."""
    hawks = team(league, "Hawks")
    plan = make.plan(league, "Spring")
    return hawks, [
        carded(make, league, parent, "Ann", plan=plan, team=hawks, shirt="1"),
        carded(make, league, parent, "Sam", plan=plan, team=hawks, shirt="2", last_name="Lee"),
        carded(make, league, parent, "Cat", plan=plan, team=hawks, shirt="3"),
    ]


def test_a_missing_or_broken_photo_leaves_that_card_out(league, hawks):
    """With Sam's photo gone from storage and Cat's not an image, does the sheet print
    Ann's card (and her roster line), and name the other two with the reason?"""
    _, (ann, sam, cat) = hawks
    get_storage().delete(sam.photo_key)
    get_storage().put(cat.photo_key, b"not a photo", "image/jpeg")
    sheet = sheets.make_sheet(league, [ann.id, sam.id, cat.id], with_roster=True, double_sided=True)
    assert sheet.printed == 1
    assert [str(entry) for entry in sheet.left_out] == [
        f"Sam Lee \u2014 {MISSING}",
        "Cat Player \u2014 their photo cannot be opened; ask the family to upload it again",
    ]
    fronts, _, roster, blank = page_texts(sheet.pdf)
    assert "Ann Player" in fronts and "Sam" not in fronts and "Cat" not in fronts
    assert "Ann Player" in roster and "Sam Lee" not in roster and "Cat Player" not in roster
    assert "1 player with a card on this sheet" in roster and blank.strip() == ""


def test_a_photo_cut_short_is_not_printed_as_a_grey_box(league, hawks):
    _, (ann, sam, _) = hawks
    whole = jpeg(60, 75, "#336699")
    get_storage().put(sam.photo_key, whole[: len(whole) // 2], "image/jpeg")
    sheet = sheets.make_sheet(league, [ann.id, sam.id])
    assert sheet.printed == 1 and [entry.name for entry in sheet.left_out] == ["Sam Lee"]


def test_nothing_printable_fails_with_the_reasons(league, hawks):
    _, (_, sam, _) = hawks
    get_storage().delete(sam.photo_key)
    with pytest.raises(sheets.SheetError) as failure:
        sheets.make_sheet(league, [sam.id])
    assert str(failure.value) == f"No card could be printed. Left out: Sam Lee \u2014 {MISSING}."
    assert [entry.profile_id for entry in failure.value.left_out] == [sam.id]


def test_a_left_out_card_leaves_no_hole_in_the_grid(league, hawks, make, parent, monkeypatch):
    """With chunks of two cards, does the card after a left-out one take its slot, so the
    page still has its cards side by side in order?"""
    monkeypatch.setattr(sheets, "CHUNK_CARDS", 2)
    _, (ann, sam, cat) = hawks
    get_storage().delete(sam.photo_key)
    sheet = sheets.make_sheet(league, [ann.id, sam.id, cat.id])
    [page] = page_texts(sheet.pdf)
    row = next(line for line in page.splitlines() if "Ann Player" in line)
    assert "Cat Player" in row  # Cat moved up beside Ann, in the same row


@pytest.mark.parametrize("processes", [1, 2])
def test_a_card_weasyprint_cannot_draw_is_found_and_left_out(
    app, league, hawks, monkeypatch, processes
):
    """If a chunk fails in WeasyPrint (here Sam's card is drawn without its QR code's
    place, which stops the rendering), is the chunk drawn again card by card, Sam left
    out with the reason, and the others printed, in this process or in the workers?"""
    _, (ann, sam, cat) = hawks
    real = sheets._card_faces

    def faces(index, profile_id, content):
        front, back = real(index, profile_id, content)
        if profile_id == sam.id:
            front = Markup(str(front).replace('class="qr"', 'class="qr" style="display:none"'))
        return front, back

    monkeypatch.setattr(sheets, "_card_faces", faces)
    monkeypatch.setattr(sheets, "CHUNK_CARDS", 2)
    monkeypatch.setitem(app.config, "SHEET_PROCESSES", processes)
    seen = []
    sheet = sheets.make_sheet(
        league, [ann.id, sam.id, cat.id], progress=lambda done, total: seen.append(done)
    )
    assert sheet.printed == 2 and [entry.name for entry in sheet.left_out] == ["Sam Lee"]
    reason = sheet.left_out[0].reason
    assert reason.startswith("their card could not be drawn (RenderError: ")
    assert reason.endswith("try again, and report it if it happens again")
    text = "".join(page_texts(sheet.pdf))  # Ann alone on the redrawn chunk's page, then Cat
    assert "Ann Player" in text and "Cat Player" in text and "Sam Lee" not in text
    assert seen[-1] == 3  # every card accounted for: two printed, one left out


def test_a_fault_that_is_no_cards_own_still_fails_the_sheet(league, hawks, monkeypatch):
    """If every card of a failed chunk draws alone, the fault is not a card's: the error
    stands rather than leaving everyone out."""
    _, (ann, _, cat) = hawks
    real = sheets._cards_document

    def broken(entries, grid, double_sided, logo):
        html, assets, css, codes = real(entries, grid, double_sided, logo)
        if len(entries) > 1:
            codes = {**codes, "qr-nowhere": "https://example.com/"}
        return html, assets, css, codes

    monkeypatch.setattr(sheets, "_cards_document", broken)
    with pytest.raises(Exception, match="qr-nowhere"):
        sheets.make_sheet(league, [ann.id, cat.id])


def test_a_missing_logo_prints_the_cards_without_it(league, hawks):
    _, (ann, _, _) = hawks
    get_storage().delete(league.logo_key)
    sheet = sheets.make_sheet(league, [ann.id], with_roster=True)
    assert sheet.printed == 1 and sheet.notes == [sheets.LOGO_MISSING]


def test_the_job_succeeds_with_the_rest_and_names_who_was_left_out(
    client, login, league, admin, hawks
):
    """Printing the team with Sam's photo gone: is the job done with two cards, and does
    its page say, in words an admin can act on, that Sam was left out and why?"""
    squad, (_, sam, _) = hawks
    get_storage().delete(sam.photo_key)
    login(admin)
    response = client.post(PAGE, data={"team": squad.id, "paper": "letter"})
    with league_scope(league.id):
        job = db.session.scalars(select(PrintJob)).one()
        assert job.status == PrintStatus.DONE and job.pdf_key and job.error == ""
        assert job.selection["left_out"] == [
            {"profile_id": sam.id, "name": "Sam Lee", "reason": MISSING}
        ]
    # The whole page, and the fragment the page polls for while the job runs (the last
    # poll brings the finished job: the list must come with it, not need a reload).
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(response.headers["Location"], headers=headers).text
        assert "<strong>Ready.</strong> 2 cards on the sheet; 1 left out (listed below)." in page
        assert "Left out: their card could not be made (1)" in page
        assert (
            f'<span class="print-name">Sam Lee</span> — <span class="print-reason">{MISSING}</span>'
            in page
        )


def test_a_job_with_nothing_printable_fails_readably_then_prints_once_fixed(
    client, login, league, admin, hawks
):
    """A sheet of Sam alone, his photo gone: the job fails with the reason in words (no
    StorageError), and "Try again" after the family uploads a photo again prints it."""
    _, (_, sam, _) = hawks
    solo = team(league, "Solo")
    with league_scope(league.id):
        db.session.add(TeamPlayer(team_id=solo.id, profile_id=sam.id, number="9"))
        db.session.commit()
    photo = get_storage().get(sam.photo_key)
    get_storage().delete(sam.photo_key)
    login(admin)
    url = client.post(PAGE, data={"team": solo.id, "paper": "a4"}).headers["Location"]
    page = client.get(url).text
    assert f"No card could be printed. Left out: Sam Lee — {MISSING}." in page
    assert "StorageError" not in page and "Try again" in page
    get_storage().put(sam.photo_key, photo, "image/jpeg")
    client.post(url + "/retry")
    with league_scope(league.id):
        job = db.session.scalars(select(PrintJob)).one()
        assert job.status == PrintStatus.DONE and job.error == ""
        assert job.selection["left_out"] == [] and job.selection["printed"] == 1
    page = client.get(url).text
    assert "Left out" not in page and "1 card on the sheet." in page
