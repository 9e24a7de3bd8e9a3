"""Helpers for the player profile page tests: the profile form's fields and a profile read
back. The names keep their leading underscore so the moved tests read as before."""

from __future__ import annotations

from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.players.models import PlayerProfile


def _form(**changes) -> dict:
    values = {
        "who": "child",
        "first_name": "Mia",
        "last_name": "Parent",
        "date_of_birth": "2016-03-14",
        "phone": "+1 555 0100",
        "address": "",
        "emergency_name": "Pat Parent",
        "emergency_phone": "+1 555 0101",
        "document_kind": "birth_certificate",
    }
    values.update(changes)
    return values


def _reload(profile_id: int) -> PlayerProfile:
    db.session.expire_all()
    with unscoped():
        return db.session.get(PlayerProfile, profile_id)
