"""Helpers for the player settings page tests: its address, a complete valid post, and the
league read back. The names keep their leading underscore so the moved tests read as
before."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import League

URL = "/l/riverside/settings/players"
HTMX = {"HX-Request": "true"}


def _reload() -> League:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(League).where(League.slug == "riverside")).one()


def _form(**changes) -> dict:
    """A complete, valid settings post (checkboxes present means ticked)."""
    data = {
        "require_phone": "y",
        "require_emergency_contact": "y",
        "require_photo": "y",
        "require_document": "y",
        "gender_field": "optional",
        "season_year": "2026",
        "cutoff": "season_end",
        "age_cutoff_month": "12",
        "age_cutoff_day": "31",
        "approval_mode": "manual",
        "document_retention_days": "0",
        "renewal_window_days": "30",
        "renewal_reminder_days": "14",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
