"""League admin changes to the player settings and the league's age groups.

Flush, never commit: the view commits once. The rules are checked here as
well as in the form, so the demo loader and any future caller cannot store a
cutoff date that does not exist or two groups that differ only by case.
Problems an admin can fix raise `SettingsError` naming the form field.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from portal.core.signals import league_look_changed
from portal.extensions import db
from portal.leagues.models import ApprovalMode, GenderField, League
from portal.leagues.services import remaking_cards_if_changed
from portal.players import queries, rules
from portal.players.models import AgeGroup

SEASON_YEARS = (2000, 2100)
MAX_DAYS = 365
MAX_AGE = 120
MONTH_NAMES = tuple(calendar.month_name)  # "", "January", ... "December"
REQUIRED_FLAGS = (
    "require_phone",
    "require_address",
    "require_emergency_contact",
    "require_photo",
    "require_document",
)
# Yes/no league settings on the same page, beyond what players must provide.
LEAGUE_FLAGS = ("allow_promotion_codes", "card_shows_birth_date", "verify_shows_birth_date")

# (name, youngest, oldest): None means "no limit" on that side.
PRESETS: dict[str, tuple[str, tuple[tuple[str, int | None, int | None], ...]]] = {
    # "Under N" groups in two-year bands; the age is taken on the league's cutoff date.
    "youth": (
        "Youth: U6 to U18",
        (
            ("U6", None, 5),
            ("U8", 6, 7),
            ("U10", 8, 9),
            ("U12", 10, 11),
            ("U14", 12, 13),
            ("U16", 14, 15),
            ("U18", 16, 17),
        ),
    ),
    # Overlapping on purpose: the oldest first, so a 45-year-old lands in O-40, not Open.
    "adult": (
        "Adult: O-40, O-30, Open",
        (("O-40", 40, None), ("O-30", 30, None), ("Open", 18, None)),
    ),
}


class SettingsError(ValueError):
    """A setting or age group an admin can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlayerSettings:
    """Everything on the player settings page, already parsed into types."""

    gender_field: GenderField
    require_phone: bool
    require_address: bool
    require_emergency_contact: bool
    require_photo: bool
    require_document: bool
    season_year: int
    age_cutoff_month: int
    age_cutoff_day: int
    approval_mode: ApprovalMode
    document_retention_days: int
    renewal_window_days: int
    renewal_reminder_days: int
    allow_promotion_codes: bool
    card_shows_birth_date: bool
    verify_shows_birth_date: bool

    @classmethod
    def of(cls, league: League) -> PlayerSettings:
        """The league's current settings, to change a few with `dataclasses.replace`."""
        return cls(**{name: getattr(league, name) for name in cls.__dataclass_fields__})


def check_cutoff(month: int, day: int) -> None:
    """Refuse a day the month never has; 29 February is allowed (the 28th in common years)."""
    if not 1 <= month <= 12:
        raise SettingsError("Choose a month.", field="age_cutoff_month")
    last = calendar.monthrange(2000, month)[1]  # 2000 is a leap year: February has 29
    if not 1 <= day <= last:
        missing = f"{day} {MONTH_NAMES[month]} does not exist. " if day > last else ""
        raise SettingsError(f"{missing}Choose a day from 1 to {last}.", field="age_cutoff_day")


def check_days(value: int, field: str) -> None:
    if not 0 <= value <= MAX_DAYS:
        raise SettingsError(f"Enter a number of days from 0 to {MAX_DAYS}.", field=field)


def update_player_settings(league: League, settings: PlayerSettings) -> None:
    """Save the league's player settings after checking every value; nothing changes on error."""
    low, high = SEASON_YEARS
    if not low <= settings.season_year <= high:
        raise SettingsError(f"Enter a season year from {low} to {high}.", field="season_year")
    check_cutoff(settings.age_cutoff_month, settings.age_cutoff_day)
    check_days(settings.document_retention_days, "document_retention_days")
    check_days(settings.renewal_window_days, "renewal_window_days")
    check_days(settings.renewal_reminder_days, "renewal_reminder_days")
    with remaking_cards_if_changed(league):  # e.g. date of birth instead of age group
        for name, value in vars(settings).items():
            setattr(league, name, value)
        db.session.flush()


def add_age_group(league: League, name: str, min_age: int | None, max_age: int | None) -> AgeGroup:
    """A new group at the bottom of the list (checked last)."""
    name = (name or "").strip()
    if not name:
        raise SettingsError("Enter a name, like U12 or Open.", field="name")
    if len(name) > 30:
        raise SettingsError("Keep the name to 30 characters or fewer.", field="name")
    for field, age in (("min_age", min_age), ("max_age", max_age)):
        if age is not None and not 0 <= age <= MAX_AGE:
            raise SettingsError(f"Enter an age from 0 to {MAX_AGE}.", field=field)
    if min_age is not None and max_age is not None and min_age > max_age:
        raise SettingsError("The oldest age must not be below the youngest.", field="max_age")
    groups = queries.age_groups()
    if any(group.name.lower() == name.lower() for group in groups):
        raise SettingsError(f"There is already a group called {name}.", field="name")
    group = AgeGroup(
        league_id=league.id,
        name=name,
        min_age=min_age,
        max_age=max_age,
        position=_renumber(groups),
    )
    db.session.add(group)
    db.session.flush()
    _groups_changed(league.id)
    return group


def add_preset(league: League, preset: str) -> tuple[list[AgeGroup], list[str]]:
    """Add a preset's groups in its order; returns (added groups, names that already existed)."""
    if preset not in PRESETS:
        raise SettingsError("Choose one of the ready-made sets.", field="preset")
    existing = {group.name.lower() for group in queries.age_groups()}
    added, skipped = [], []
    for name, low, high in PRESETS[preset][1]:
        if name.lower() in existing:
            skipped.append(name)
        else:
            added.append(add_age_group(league, name, low, high))
    return added, skipped


def delete_age_group(group: AgeGroup) -> None:
    """Remove a group; profiles are not tied to it (their group is computed), so no row
    changes, but the cards of its players print another group (or none) now."""
    league_id = group.league_id
    db.session.delete(group)
    db.session.flush()
    _renumber(queries.age_groups())
    db.session.flush()
    _groups_changed(league_id)


def move_age_group(group: AgeGroup, direction: str) -> bool:
    """Swap a group with its neighbour above ("up") or below ("down"); False at either end."""
    if direction not in ("up", "down"):
        raise SettingsError("Choose up or down.", field="direction")
    groups = queries.age_groups()
    at = next(i for i, candidate in enumerate(groups) if candidate.id == group.id)
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(groups):
        return False
    groups[at], groups[other] = groups[other], groups[at]
    _renumber(groups)
    db.session.flush()
    _groups_changed(group.league_id)  # the first group that fits wins: some players move
    return True


def _groups_changed(league_id: int) -> None:
    """A card prints its player's age group, computed from the league's groups: let the
    cards look again (only those whose content changed are remade; once per request)."""
    league_look_changed.send(AgeGroup, league_id=league_id)


def _renumber(groups: list[AgeGroup]) -> int:
    """Positions 0, 1, 2 ... in list order (older rows may share a position); returns the next."""
    for position, group in enumerate(groups):
        group.position = position
    return len(groups)


def shadowed(groups: list[AgeGroup]) -> set[int]:
    """Ids of groups no age can reach, because earlier groups take every age they cover.

    First match wins, so an "Open (18 and over)" above "O-30" hides O-30
    entirely; the page warns about such groups rather than refusing them.
    """
    hidden = set()
    for at, group in enumerate(groups):
        ages = range(group.min_age or 0, (MAX_AGE if group.max_age is None else group.max_age) + 1)
        if not any(rules.age_group_for(age, groups[: at + 1]) is group for age in ages):
            hidden.add(group.id)
    return hidden


@dataclass(frozen=True)
class AgeExample:
    """A worked example of the league's rule, for the settings page."""

    date_of_birth: date
    cutoff: date
    age: int
    group: AgeGroup | None


def age_example(league: League, groups: list[AgeGroup], born: date | None = None) -> AgeExample:
    """Which group a player born on `born` joins under the saved settings.

    Without a date, picks a birthday that lands in a group (a 10-year-old
    when a group takes them, else the first group's youngest age), so the
    example is meaningful for a youth league and an adult one alike.
    """
    cutoff = rules.cutoff_date(league.season_year, league.age_cutoff_month, league.age_cutoff_day)
    if born is None:
        age = 10
        if groups and rules.age_group_for(age, groups) is None:
            first = groups[0]
            age = first.min_age if first.min_age is not None else (first.max_age or 0)
        # A birthday on or before the cutoff's day of the year makes the age exactly `age`.
        year = cutoff.year - age - (0 if (cutoff.month, cutoff.day) >= (3, 14) else 1)
        born = date(year, 3, 14)
    age = rules.age_on(born, cutoff)
    return AgeExample(born, cutoff, age, rules.age_group_for(age, groups))
