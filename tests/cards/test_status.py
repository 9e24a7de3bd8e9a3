"""The card's verdict: every status from its facts, in the order a referee needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from portal.cards.status import covered_through, verdict
from portal.memberships.models import MembershipStatus as S
from portal.players.models import ProfileStatus as P

TODAY = date(2026, 6, 15)


@dataclass
class Term:
    status: S
    starts_on: date
    ends_on: date
    suspended_until: date | None = None


SEASON = Term(S.ACTIVE, date(2026, 3, 1), date(2026, 12, 31))


def _verdict(terms=(SEASON,), *, profile=P.VERIFIED, card=True, revoked=False):
    return verdict(
        card_exists=card, revoked=revoked, profile_status=profile, terms=list(terms), today=TODAY
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "valid"),
        ({"card": False}, "unknown"),
        ({"revoked": True}, "revoked"),
        ({"profile": P.SUBMITTED}, "pending"),
        ({"profile": P.CHANGES_REQUESTED}, "pending"),
        ({"terms": [Term(S.ACTIVE, date(2026, 7, 1), date(2026, 12, 31))]}, "not_yet_valid"),
        ({"terms": [Term(S.EXPIRED, date(2025, 3, 1), date(2025, 12, 31))]}, "expired"),
        ({"terms": [Term(S.ACTIVE, date(2025, 3, 1), date(2026, 6, 14))]}, "expired"),
        ({"terms": [Term(S.REFUNDED, date(2026, 3, 1), date(2026, 12, 31))]}, "cancelled"),
        ({"terms": [Term(S.CANCELLED, date(2026, 3, 1), date(2026, 12, 31))]}, "cancelled"),
        (
            {"terms": [Term(S.SUSPENDED, date(2026, 3, 1), date(2026, 12, 31), date(2026, 7, 1))]},
            "suspended",
        ),
        ({"terms": []}, "pending"),
    ],
)
def test_every_status(kwargs, code):
    """Does each set of facts give the right one of the eight answers?"""
    assert _verdict(**kwargs).code == code


def test_revoked_wins_over_everything():
    assert _verdict(revoked=True, profile=P.SUBMITTED).code == "revoked"


def test_suspension_shows_its_end_date():
    result = _verdict([Term(S.SUSPENDED, date(2026, 3, 1), date(2026, 12, 31), date(2026, 7, 1))])
    assert (result.word, result.suspended_until) == ("SUSPENDED", date(2026, 7, 1))


def test_valid_through_follows_a_paid_renewal():
    """A renewal that starts the day after the current term keeps the card valid through both."""
    renewal = Term(S.ACTIVE, date(2027, 1, 1), date(2027, 12, 31))
    result = _verdict([SEASON, renewal])
    assert (result.code, result.valid_through) == ("valid", date(2027, 12, 31))
    gap = Term(S.ACTIVE, date(2027, 2, 1), date(2027, 12, 31))
    assert _verdict([SEASON, gap]).valid_through == date(2026, 12, 31)


def test_first_and_last_day_count():
    first = verdict(
        card_exists=True,
        revoked=False,
        profile_status=P.VERIFIED,
        terms=[SEASON],
        today=SEASON.starts_on,
    )
    last = verdict(
        card_exists=True,
        revoked=False,
        profile_status=P.VERIFIED,
        terms=[SEASON],
        today=SEASON.ends_on,
    )
    assert first.code == last.code == "valid"


def test_words_a_colour_blind_referee_can_read():
    words = {_verdict(**kw).word for kw in ({}, {"card": False}, {"revoked": True})}
    assert words == {"VALID", "UNKNOWN", "REVOKED"}


def test_covered_through_ignores_terms_that_do_not_touch_today():
    assert covered_through([SEASON], date(2027, 6, 1)) is None
