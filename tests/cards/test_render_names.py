"""Long names on the printed card, and the league's name in the band, as poppler reads them.

A name shrinks and takes more lines of its box (the column between the photo and the
QR code, 14.6 mm tall) until it fits; the longest name the form allows always fits,
and only a longer one is cut, with an ellipsis.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wtforms.validators import Length

from portal.cards import services
from portal.cards.content import card_content
from portal.cards.render import card_pdf, name_size_pt
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.forms import ProfileForm
from portal.players.services import today_in
from tests.cards.test_render import SIXTY, _card_pdf, _player, _run, _words

# The name column, mm from the card's left edge: it ends at the QR code's quiet zone.
COLUMN = (27.5 - 0.3, 85.6 - 22 + 0.3)
BOX = (12.0, 13.4 + 36 * 1.15 * 25.4 / 72 + 0.6)  # below the band; three lines of 12 pt
# Poppler's word boxes run from the font's ascent to its descent: a CJK font's reach
# further below the line than Noto Sans's (by 0.2 mm when eight lines fill the box).
CJK_BELOW = 0.3


def _bottom_limit(word: str) -> float:
    return BOX[1] + (CJK_BELOW if any(ord(char) >= 0x2E80 for char in word) else 0.0)


def _form_limit(field) -> int:
    """The longest text the profile form accepts in `field`."""
    return next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))


FIRST, LAST = _form_limit(ProfileForm.first_name), _form_limit(ProfileForm.last_name)


def _longest(words: str, length: int) -> str:
    """`words` repeated and cut to `length` letters (no space at either end)."""
    text = (words + " ") * (length // len(words) + 1)
    return text[:length].strip().ljust(length, words[0])


def _name_words(path: Path) -> list[tuple[str, float, float, float, float, int]]:
    """The words printed in the name's column on the front, above the details."""
    front = [w for w in _words(path) if w[5] == 1]
    member_label = next(w for w in front if w[0] == "MEMBER")
    return [w for w in front if BOX[0] < w[2] and w[4] <= member_label[2] and 20 < w[1] < 66]


def _assert_fits(path: Path, name: str) -> None:
    """All of `name`, in order and uncut, inside the name's box."""
    printed = _name_words(path)
    assert "".join(w[0] for w in printed) == name.replace(" ", "")
    for word, left, _top, right, bottom, _ in printed:
        assert COLUMN[0] <= left and right <= COLUMN[1]
        assert bottom <= _bottom_limit(word)


def _pdf_named(league, profile, name: str, tmp_path: Path) -> Path:
    """The profile's card, printed with `name` (longer than the database would keep)."""
    with league_scope(league.id):
        profile = db.session.get(type(profile), profile.id)
        card = services.issue(profile)
        db.session.commit()
        content = {**card_content(card, today_in(profile.league)), "name": name}
        path = tmp_path / "named.pdf"
        path.write_bytes(card_pdf(content, services._assets(content)))
    return path


def test_the_form_limits_are_what_the_card_was_fitted_for():
    assert (FIRST, LAST) == (80, 80)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (_longest("Maria Guadalupe Fernanda", FIRST), _longest("Hernandez-Gutierrez", LAST)),
        (_longest("Maximiliana Konstantinopoulou", FIRST), _longest("Wolfeschlegelstein", LAST)),
        (_longest("MAXIMILIANA ALEXANDRINA", FIRST), _longest("KONSTANTINOPOULOU", LAST)),
        ("W" * FIRST, "M" * LAST),  # the widest letters, and no space to break at
        ("山田" * (FIRST // 2), "太郎" * (LAST // 2)),
    ],
    ids=["spaced", "long-words", "capitals", "widest", "cjk"],
)
def test_the_longest_name_the_form_allows_fits_its_box(make, league, parent, tmp_path, first, last):
    """Does a name as long as the form allows print whole, inside the name's box?"""
    assert (len(first), len(last)) == (FIRST, LAST)
    profile = _player(make, league, parent, first, last)
    pdf, content = _card_pdf(league, profile)
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    assert "…" not in _run("pdftotext", "-f", "1", "-l", "1", str(path), "-")
    _assert_fits(path, content["name"])


@pytest.mark.parametrize("length", [90, 120, 200])
def test_names_longer_than_ninety_letters_shrink_and_fit(league, member, tmp_path, length):
    """Are 120 and 200 letters (more than the form allows) still printed whole?"""
    name = _longest("Maximiliana Alexandrina Konstantinopoulou", length)
    path = _pdf_named(league, member, name, tmp_path)
    assert "…" not in _run("pdftotext", "-f", "1", "-l", "1", str(path), "-")
    _assert_fits(path, name)


def test_a_name_beyond_what_fits_is_cut_with_an_ellipsis(league, member, tmp_path):
    """Is a 400-letter name cut at the end of the box's last line, with an ellipsis,
    the details still below it?"""
    name = _longest("Maximiliana Alexandrina Konstantinopoulou", 400)
    printed = _name_words(_pdf_named(league, member, name, tmp_path))
    text = "".join(w[0] for w in printed)
    assert text.endswith("…") and name.replace(" ", "").startswith(text[:-1])
    assert len(text) > 250
    assert all(COLUMN[0] <= w[1] and w[3] <= COLUMN[1] and w[4] <= BOX[1] for w in printed)


def test_short_and_sixty_letter_names_keep_their_sizes():
    """Names the old rule fitted keep its sizes (their cards look the same)."""
    assert name_size_pt("Mia Parent") == 12.0
    assert name_size_pt("Maximiliana Konstantinopoulou") == round(12 * 20 / 29, 2)
    assert name_size_pt(SIXTY) == 5.6


def _league_name_left(path: Path, page: int) -> float:
    return next(w[1] for w in _words(path) if w[0] == "Riverside" and w[5] == page)


def test_the_league_name_sits_after_the_logo_only_when_there_is_one(
    make, league, member, parent, tmp_path
):
    """Front: the league's name follows the logo, or starts at the photo's edge with no
    logo. Back (no logo there): it starts at the text's edge either way."""
    with_logo = tmp_path / "logo.pdf"
    with_logo.write_bytes(_card_pdf(league, member)[0])
    plain = make.league("plain", name="Riverside Plain", primary_color="#0f766e")
    no_logo = tmp_path / "plain.pdf"
    no_logo.write_bytes(_card_pdf(plain, _player(make, plain, parent, "Ana", "Lee"))[0])
    assert _league_name_left(with_logo, 1) == pytest.approx(12, abs=0.5)
    assert _league_name_left(no_logo, 1) == pytest.approx(3, abs=0.5)
    back_text = min(w[1] for w in _words(no_logo) if w[5] == 2 and w[0] == "Check")
    for path in (with_logo, no_logo):
        assert _league_name_left(path, 2) == pytest.approx(back_text, abs=0.3)
