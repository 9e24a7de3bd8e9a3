"""Print sheets: paper sizes, ten cards a page, crop marks, mirrored backs, rosters."""

from __future__ import annotations

import re
import subprocess

import pytest
from PIL import Image

from portal.cards import services, sheets, team_queries
from portal.cards.content import card_content
from portal.cards.models import Team
from portal.cards.render import CARD_SIZE_MM
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.services import today_in
from tests.cards.printing import carded, number, page_texts, pdf_info, team


@pytest.mark.parametrize(
    ("paper", "size"),
    [
        ("letter", "612 x 792 pts (letter)"),
        ("a4", "595.276 x 841.89 pts (A4)"),
    ],
)
def test_the_sheet_is_exactly_the_paper_chosen(make, league, parent, paper, size):
    """Is every page exactly US Letter (8.5 x 11 in) or A4 (210 x 297 mm)?"""
    mia = carded(make, league, parent, "Mia")
    pdf = sheets.build_sheet(league, [mia.id], paper=paper, double_sided=True)
    info = pdf_info(pdf)
    assert f"Page size:       {size}" in info and "Pages:           2" in info


def test_ten_cards_a_page_in_order_across_worker_processes(make, league, parent, monkeypatch):
    """Do twelve cards make two pages (ten, then two), in the order asked for, even when
    chunks are rendered by two processes and joined?"""
    monkeypatch.setattr(sheets, "CHUNK_CARDS", 10)
    monkeypatch.setattr(sheets, "PROCESSES", 2)
    plan = make.plan(league, "Spring")
    players = [carded(make, league, parent, f"P{i:02d}", plan=plan) for i in range(12)]
    seen = []
    pdf = sheets.build_sheet(
        league,
        [p.id for p in reversed(players)],
        progress=lambda done, total: seen.append((done, total)),
    )
    pages = page_texts(pdf)
    assert len(pages) == 2
    numbers = [number(p) for p in reversed(players)]
    first = [n for n in numbers if n in pages[0]]
    assert first == numbers[:10] and all(n in pages[1] for n in numbers[10:])
    # Row by row: the first line with names has cards 1 and 2, left to right.
    assert seen == [(10, 12), (12, 12)]


def test_backs_follow_each_page_with_the_columns_mirrored(make, league, parent):
    """Printed duplex and flipped on the long edge, is each back behind its own front?"""
    plan = make.plan(league, "Spring")
    one, two, three = (
        carded(make, league, parent, name, plan=plan) for name in ("Ann", "Bob", "Cat")
    )
    pages = page_texts(sheets.build_sheet(league, [one.id, two.id, three.id], double_sided=True))
    assert len(pages) == 2
    fronts, backs = pages
    row = next(line for line in fronts.splitlines() if "Ann" in line)
    assert row.index("Ann") < row.index("Bob")  # fronts: left to right
    row = next(line for line in backs.splitlines() if number(one) in line)
    assert number(two) in row and row.index(number(two)) < row.index(number(one))
    left_front = next(line for line in fronts.splitlines() if "Cat" in line).index("Cat")
    cat_back = next(line for line in backs.splitlines() if number(three) in line)
    ann_back = row.index(number(one))
    # Cat is alone on the second row: on the left in front, so on the right behind.
    assert left_front < len(cat_back) // 2 < cat_back.index(number(three))
    assert abs(cat_back.index(number(three)) - ann_back) < 4


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_each_card_on_a_sheet_has_its_own_qr_code_front_and_back(
    make, league, parent, tmp_path, paper
):
    """Rasterised at 300 dpi and cut at the crop marks, does each card's code (front, and
    back in the mirrored slot) open that card's own check page, on Letter and A4?"""
    plan = make.plan(league, "Spring")
    players = [carded(make, league, parent, name, plan=plan) for name in ("Ann", "Bob", "Cat")]
    with league_scope(league.id):
        urls = [
            card_content(services.current_card(p.id), today_in(league))["verify_url"]
            for p in players
        ]
    (tmp_path / "sheet.pdf").write_bytes(
        sheets.build_sheet(league, [p.id for p in players], paper=paper, double_sided=True)
    )
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", tmp_path / "sheet.pdf", tmp_path / "page"], check=True
    )
    grid, dots = sheets.layout(paper), 300 / 25.4
    width, height = CARD_SIZE_MM
    for page, slot_of in (("page-1.png", lambda i: i), ("page-2.png", sheets.mirrored)):
        with Image.open(tmp_path / page) as image:
            for index, url in enumerate(urls):
                left, top = grid.slots[slot_of(index)]
                box = (left * dots, top * dots, (left + width) * dots, (top + height) * dots)
                image.crop(tuple(round(v) for v in box)).save(tmp_path / "card.png")
                found = subprocess.run(
                    ["zbarimg", "-q", "--raw", tmp_path / "card.png"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
                assert found == [url], (page, index)


def test_players_without_a_card_are_left_out(make, league, parent):
    mia = carded(make, league, parent, "Mia")
    draft = make.profile(league, parent, first_name="Dee")
    pages = page_texts(sheets.build_sheet(league, [draft.id, mia.id]))
    assert len(pages) == 1 and "Mia" in pages[0] and "Dee" not in pages[0]
    with pytest.raises(ValueError):
        sheets.build_sheet(league, [draft.id])


def test_a_roster_page_per_team_for_the_referee(make, league, parent):
    """Does the game card list the team's players with shirt, member number, status and
    valid-through date, on a page of its own, in the on-screen roster's order (by shirt
    number, players without one last by last name)?"""
    hawks = team(league, "Red Hawks")
    plan = make.plan(league, "Spring")
    ten = carded(make, league, parent, "Ten", plan=plan, team=hawks, shirt="10")
    two = carded(make, league, parent, "Two", plan=plan, team=hawks, shirt="2")
    amy = carded(make, league, parent, "Amy", plan=plan, team=hawks, last_name="Zane")
    bea = carded(make, league, parent, "Bea", plan=plan, team=hawks, last_name="Abel")
    loner = carded(make, league, parent, "Solo", plan=plan)
    pdf = sheets.build_sheet(
        league,
        [ten.id, two.id, amy.id, bea.id, loner.id],
        with_roster=True,
        double_sided=True,
    )
    pages = page_texts(pdf)
    assert len(pages) == 4  # fronts, backs, the roster, a blank back for it
    roster = pages[2]
    assert "Red Hawks" in roster and "Riverside FC" in roster and "Solo" not in roster
    names = ["Two Player", "Ten Player", "Bea Abel", "Amy Zane"]
    assert sorted(names, key=roster.index) == names
    with league_scope(league.id):
        on_screen = team_queries.team_players(db.session.get(Team, hawks.id))
        assert [entry.profile.full_name for entry in on_screen] == names
    line = next(line for line in roster.splitlines() if "Ten Player" in line)
    assert re.search(r"10\s+Ten Player\s+" + number(ten) + r"\s+VALID\s+\d\d \w{3} \d{4}", line)
    assert pages[3].strip() == ""


def test_the_grid_is_centred_with_crop_marks_outside_every_card():
    for paper in sheets.PAPERS:
        grid = sheets.layout(paper)
        width, height = CARD_SIZE_MM
        assert len(grid.slots) == 10
        lefts = sorted({round(x, 3) for x, _ in grid.slots})
        tops = sorted({round(y, 3) for _, y in grid.slots})
        assert len(lefts) == 2 and len(tops) == 5
        assert lefts[0] == pytest.approx(grid.paper.width - lefts[1] - width)
        assert tops[0] == pytest.approx(grid.paper.height - tops[-1] - height)
        assert len(grid.marks) >= 16
        for x1, y1, x2, y2 in grid.marks:
            assert min(x1, x2) >= 0 and max(x1, x2) <= grid.paper.width
            assert min(y1, y2) >= 0 and max(y1, y2) <= grid.paper.height
            for left, top in grid.slots:  # no mark reaches into a card
                inside_x = min(x1, x2) < left + width - 0.01 and max(x1, x2) > left + 0.01
                inside_y = min(y1, y2) < top + height - 0.01 and max(y1, y2) > top + 0.01
                assert not (inside_x and inside_y)


def test_mirrored_slots_swap_columns_and_keep_rows():
    assert [sheets.mirrored(slot) for slot in range(10)] == [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]
    pages = sheets.sheet_pages(3, double_sided=True)
    assert pages == [
        [(0, "front", 0), (1, "front", 1), (2, "front", 2)],
        [(1, "back", 0), (0, "back", 1), (3, "back", 2)],
    ]
