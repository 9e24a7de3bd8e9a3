"""Age, age group and field-lock rules, across cutoffs, leap days and window edges."""

from __future__ import annotations

from datetime import date

import pytest

from portal.players.models import AgeGroup, ProfileStatus
from portal.players.rules import (
    age_group_for,
    age_on,
    cutoff_date,
    fields_locked,
    renewal_window_open,
)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2015, 6, 1), date(2026, 5, 31), 10),  # the day before the birthday
        (date(2015, 6, 1), date(2026, 6, 1), 11),  # on the birthday
        (date(2015, 12, 31), date(2026, 12, 31), 11),  # born on the cutoff day
        (date(2016, 1, 1), date(2026, 12, 31), 10),  # born the day after a 31 Dec cutoff
        (date(2016, 2, 29), date(2026, 2, 28), 9),  # leap-day birthday, not yet in a common year
        (date(2016, 2, 29), date(2026, 3, 1), 10),  # ... reached on 1 March
        (date(2016, 2, 29), date(2028, 2, 29), 12),  # ... and on the day in a leap year
        (date(2026, 1, 1), date(2026, 1, 1), 0),
    ],
)
def test_age_on(born, on, age):
    """Is the age in completed years, with 29 February birthdays counted from 1 March?"""
    assert age_on(born, on) == age


def test_cutoff_date_falls_back_from_29_february_in_a_common_year():
    assert cutoff_date(2027, 2, 29) == date(2027, 2, 28)
    assert cutoff_date(2028, 2, 29) == date(2028, 2, 29)
    assert cutoff_date(2026, 12, 31) == date(2026, 12, 31)
    with pytest.raises(ValueError):
        cutoff_date(2026, 4, 31)


def test_fixed_cutoff_changes_the_age_group():
    """Does an 1 August cutoff put an August birthday in the younger group than 31 December?"""
    groups = [AgeGroup(name="U10", max_age=9), AgeGroup(name="U12", min_age=10, max_age=11)]
    born = date(2016, 9, 15)
    december = age_on(born, cutoff_date(2026, 12, 31))
    august = age_on(born, cutoff_date(2026, 8, 1))
    assert (december, august) == (10, 9)
    assert age_group_for(december, groups).name == "U12"
    assert age_group_for(august, groups).name == "U10"


def test_age_group_takes_the_first_match_in_the_league_order():
    groups = [
        AgeGroup(name="O-40", min_age=40),
        AgeGroup(name="O-30", min_age=30),
        AgeGroup(name="Open", min_age=18),
    ]
    assert age_group_for(45, groups).name == "O-40"
    assert age_group_for(33, groups).name == "O-30"
    assert age_group_for(18, groups).name == "Open"
    assert age_group_for(17, groups) is None


@pytest.mark.parametrize(
    ("today", "is_open"),
    [
        (date(2026, 8, 1), False),  # 31 days before the end
        (date(2026, 8, 2), True),  # exactly 30 days before
        (date(2026, 9, 1), True),  # the last day
        (date(2026, 10, 1), True),  # after it ended
    ],
)
def test_renewal_window(today, is_open):
    """Does the window open exactly N days before the membership ends?"""
    assert renewal_window_open(today, date(2026, 9, 1), 30) is is_open


def test_no_membership_no_window():
    assert renewal_window_open(date(2026, 1, 1), None, 30) is False


@pytest.mark.parametrize(
    ("status", "unlocked", "window", "locked"),
    [
        (ProfileStatus.DRAFT, False, False, False),
        (ProfileStatus.SUBMITTED, False, False, False),
        (ProfileStatus.CHANGES_REQUESTED, False, False, False),
        (ProfileStatus.VERIFIED, False, False, True),
        (ProfileStatus.VERIFIED, True, False, False),
        (ProfileStatus.VERIFIED, False, True, False),
    ],
)
def test_field_lock(status, unlocked, window, locked):
    """Are name, date of birth and photo locked only on a verified, not-unlocked profile?"""
    assert fields_locked(status, unlocked, window) is locked
