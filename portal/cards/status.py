"""What a card says right now: one answer, with a stable reason code.

The same function answers the printed card, the phone card, the referee's
scanner, the public verification page and its JSON: they can never disagree.
Pure: it takes the facts and today's date (in the league's time zone).

Dates are what they say: a card that is not valid never shows a "valid through"
date. An ended card shows the day it ended (`ended_on`): an expired term's last
day, or the day a refund or cancellation was made (never the planned end of
the term, which may still lie in the future); none when that day is not known.
A suspension whose until-date has passed reads as lifted, even before the
hourly job has lifted it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.memberships.models import MembershipStatus
from portal.players.models import ProfileStatus

# code -> (the word a referee reads, the colour class)
VERDICTS = {
    "valid": ("VALID", "ok"),
    "expired": ("EXPIRED", "bad"),
    "not_yet_valid": ("NOT YET VALID", "warn"),
    "pending": ("PENDING APPROVAL", "warn"),
    "suspended": ("SUSPENDED", "bad"),
    "cancelled": ("REFUNDED / CANCELLED", "bad"),
    "revoked": ("REVOKED", "bad"),
    "unknown": ("UNKNOWN", "bad"),
}
CURRENT = (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED)
ENDED_BY_US = (MembershipStatus.CANCELLED, MembershipStatus.REFUNDED)


@dataclass(frozen=True)
class Verdict:
    code: str
    valid_from: date | None = None
    valid_through: date | None = None
    suspended_until: date | None = None
    note: str = ""
    ended_on: date | None = None  # expired or cancelled: the day it ended, if known

    @property
    def word(self) -> str:
        return VERDICTS[self.code][0]

    @property
    def tone(self) -> str:
        return VERDICTS[self.code][1]

    @property
    def is_valid(self) -> bool:
        return self.code == "valid"


def covered_through(terms: list, day: date) -> date | None:
    """The last day of the unbroken run of current terms that covers `day`."""
    end = None
    for term in sorted(terms, key=lambda t: t.starts_on):
        if term.starts_on <= (end + timedelta(days=1) if end else day) and term.ends_on >= day:
            end = max(end or term.ends_on, term.ends_on)
    return end


def still_suspended(term, today: date) -> bool:
    """Is the term suspended today? A suspension ends after its until-date (none: until
    lifted by hand), whether or not the hourly job has lifted it yet."""
    if term.status != MembershipStatus.SUSPENDED:
        return False
    until = getattr(term, "suspended_until", None)
    return until is None or until >= today


def ended_on(term, today: date, timezone: str | None = None) -> date | None:
    """The day a refunded or cancelled term ended, in the league's time zone: the day it
    was ended (`ended_at`), or its last day if that came first; None if not recorded.

    Without the time zone the UTC date is used; it is never later than today, so a
    date is never in the future (at worst a day early east of Greenwich).
    """
    at = getattr(term, "ended_at", None)
    if at is None:
        return None
    if isinstance(at, datetime):
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)
        at = aware.astimezone(ZoneInfo(timezone) if timezone else UTC).date()
    return min(at, term.ends_on, today)


def verdict(
    *,
    card_exists: bool,
    revoked: bool,
    profile_status: ProfileStatus | None,
    terms: Iterable,
    today: date,
    timezone: str | None = None,
) -> Verdict:
    """The card's status today (`timezone`: the league's, for the day a term was ended).

    Order matters: an unknown or revoked card says so whatever else is true; an
    unverified profile is pending approval; then the membership decides.
    """
    if not card_exists:
        return Verdict("unknown")
    if revoked:
        return Verdict("revoked", note="A newer card exists for this player.")
    if profile_status != ProfileStatus.VERIFIED:
        return Verdict("pending")
    terms = [t for t in terms if t.starts_on and t.ends_on]
    current = [t for t in terms if t.status in CURRENT]
    covering = [t for t in current if t.starts_on <= today <= t.ends_on]
    if covering:
        suspended = [t for t in covering if still_suspended(t, today)]
        if suspended:
            return Verdict(
                "suspended",
                suspended_until=suspended[0].suspended_until,
                valid_through=max(t.ends_on for t in covering),
            )
        return Verdict(
            "valid",
            valid_from=min(t.starts_on for t in covering),
            valid_through=covered_through(current, today),
        )
    upcoming = [t for t in current if t.starts_on > today]
    if upcoming:
        first = min(upcoming, key=lambda t: t.starts_on)
        return Verdict("not_yet_valid", valid_from=first.starts_on, valid_through=first.ends_on)
    latest = max(terms, key=lambda t: t.ends_on, default=None)
    if latest is None:
        return Verdict("pending", note="No membership has been paid yet.")
    if latest.status in ENDED_BY_US:
        return Verdict("cancelled", ended_on=ended_on(latest, today, timezone))
    return Verdict("expired", valid_through=latest.ends_on, ended_on=latest.ends_on)
