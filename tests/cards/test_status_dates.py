"""The verdict's dates say what they mean: an ended card shows when it ended (never the
planned end of the term), and a suspension past its until-date reads as lifted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from portal.cards.status import ended_on, still_suspended, verdict
from portal.memberships.models import MembershipStatus as S
from portal.players.models import ProfileStatus as P

TODAY = date(2026, 6, 15)
PLANNED_END = date(2027, 6, 12)


@dataclass
class Term:
    status: S
    starts_on: date
    ends_on: date
    suspended_until: date | None = None
    ended_at: datetime | None = None


def _verdict(*terms, timezone=None):
    return verdict(
        card_exists=True,
        revoked=False,
        profile_status=P.VERIFIED,
        terms=list(terms),
        today=TODAY,
        timezone=timezone,
    )


@pytest.mark.parametrize("status", [S.REFUNDED, S.CANCELLED])
def test_ended_today_shows_today_not_the_planned_end(status):
    """Refunded or cancelled today: ended today, and no date claims validity."""
    term = Term(
        status, date(2026, 3, 1), PLANNED_END, ended_at=datetime(2026, 6, 15, 16, tzinfo=UTC)
    )
    result = _verdict(term, timezone="America/Chicago")
    assert (result.code, result.ended_on) == ("cancelled", TODAY)
    assert result.valid_through is None and result.valid_from is None


def test_the_day_it_ended_is_the_leagues_day():
    """03:00 UTC on the 15th is still the 14th in Chicago."""
    term = Term(
        S.REFUNDED, date(2026, 3, 1), PLANNED_END, ended_at=datetime(2026, 6, 15, 3, tzinfo=UTC)
    )
    assert _verdict(term, timezone="America/Chicago").ended_on == date(2026, 6, 14)
    assert _verdict(term, timezone="Asia/Tokyo").ended_on == TODAY


def test_without_the_time_zone_the_day_is_never_in_the_future():
    """An evening refund in Chicago is tomorrow in UTC: still read as today at the latest."""
    term = Term(
        S.REFUNDED, date(2026, 3, 1), PLANNED_END, ended_at=datetime(2026, 6, 16, 2, tzinfo=UTC)
    )
    assert _verdict(term).ended_on == TODAY


def test_a_refund_after_the_term_ended_shows_the_terms_last_day():
    term = Term(
        S.REFUNDED, date(2025, 3, 1), date(2026, 2, 28), ended_at=datetime(2026, 4, 2, tzinfo=UTC)
    )
    assert _verdict(term).ended_on == date(2026, 2, 28)


def test_naive_timestamps_read_as_utc():
    """SQLite hands timestamps back without a zone: they are UTC."""
    term = Term(S.CANCELLED, date(2026, 3, 1), PLANNED_END, ended_at=datetime(2026, 6, 15, 3))
    assert ended_on(term, TODAY, "America/Chicago") == date(2026, 6, 14)


def test_no_recorded_end_shows_no_date_rather_than_a_wrong_one():
    result = _verdict(Term(S.CANCELLED, date(2026, 3, 1), PLANNED_END))
    assert (result.code, result.ended_on, result.valid_through) == ("cancelled", None, None)


def test_an_expired_term_ended_on_its_last_day():
    result = _verdict(Term(S.EXPIRED, date(2025, 3, 1), date(2026, 2, 28)))
    assert (result.code, result.ended_on, result.valid_through) == (
        "expired",
        date(2026, 2, 28),
        date(2026, 2, 28),
    )


@pytest.mark.parametrize(
    ("until", "code"),
    [
        (date(2026, 6, 14), "valid"),  # ended yesterday: lifted, job or no job
        (TODAY, "suspended"),  # the until-date itself is still suspended
        (date(2026, 7, 1), "suspended"),
        (None, "suspended"),  # until lifted by hand
    ],
)
def test_a_suspension_past_its_until_date_reads_as_lifted(until, code):
    term = Term(S.SUSPENDED, date(2026, 3, 1), date(2026, 12, 31), suspended_until=until)
    result = _verdict(term)
    assert result.code == code
    assert still_suspended(term, TODAY) is (code == "suspended")
    if code == "valid":
        assert result.suspended_until is None and result.valid_through == date(2026, 12, 31)
