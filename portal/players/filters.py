"""Template filters for profiles: dates people cannot misread, labels for stored values."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, g

from portal.players.models import ProfileStatus
from portal.players.services import FIELD_LABELS


def profile_date(value: date | None) -> str:
    """14 March 2016: a date nobody can misread as month/day."""
    return f"{value.day} {value:%B %Y}" if value else ""


def profile_time(value: datetime | None) -> str:
    """3 Mar 2026, 14:05 in the league's own time zone."""
    if value is None:
        return ""
    league = g.get("league")
    local = value.astimezone(ZoneInfo(league.timezone)) if league else value
    return f"{local.day} {local:%b %Y, %H:%M}"


def status_label(value: str | None) -> str:
    """A stored status value as the player reads it ("submitted" -> "Pending review")."""
    try:
        return ProfileStatus(value).label
    except ValueError:
        return value or ""


def field_label(name: str | None) -> str:
    """A profile field's name as the history shows it ("date_of_birth" -> "Date of birth")."""
    return FIELD_LABELS.get(name or "", name or "")


def register(blueprint: Blueprint) -> None:
    """Make the filters available to every template (the review pages use them too)."""
    for function in (profile_date, profile_time, status_label, field_label):
        blueprint.add_app_template_filter(function, function.__name__)
