"""The rules of a player profile, as pure functions: age, age group, and the field lock.

Kept free of the database so they can be tested across every edge (cutoff
dates, leap days, the first day of a renewal window) without fixtures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from portal.players.models import AgeGroup, ProfileStatus


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years on `on`.

    Someone born on 29 February has their birthday on 1 March in other years
    (so they are still the younger age on 28 February): the common legal rule.
    """
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def cutoff_date(season_year: int, month: int, day: int) -> date:
    """The date ages are computed on; 29 February falls back to the 28th in other years."""
    try:
        return date(season_year, month, day)
    except ValueError:
        if (month, day) == (2, 29):
            return date(season_year, 2, 28)
        raise


def league_age(date_of_birth: date, league) -> int:
    """A player's age under the league's rule (age on the cutoff date of its season)."""
    return age_on(
        date_of_birth,
        cutoff_date(league.season_year, league.age_cutoff_month, league.age_cutoff_day),
    )


def age_group_for(age: int, groups: Iterable[AgeGroup]) -> AgeGroup | None:
    """The first of the league's groups (in the league's order) that the age falls in."""
    return next((group for group in groups if group.matches(age)), None)


def renewal_window_open(today: date, membership_end: date | None, window_days: int) -> bool:
    """Is the renewal window open: from `window_days` before the membership ends onwards?

    With no membership there is nothing to renew, so the window is closed.
    """
    if membership_end is None:
        return False
    return today >= membership_end - timedelta(days=window_days)


def fields_locked(status: ProfileStatus, unlocked_by_registrar: bool, window_open: bool) -> bool:
    """May the player no longer change name, date of birth and photo?

    Locked once verified, until a registrar unlocks them or the renewal window opens.
    """
    return status == ProfileStatus.VERIFIED and not unlocked_by_registrar and not window_open
