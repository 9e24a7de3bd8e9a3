"""Changes a player (or guardian) makes to profiles: create, edit, submit.

Services flush and never commit. Problems the user can fix raise
`ProfileError` with a message (and the form field it belongs to). The
registrar's side (approve, request changes, unlock) is in `reviews.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.images import Crop
from portal.core.permissions import Role
from portal.core.signals import player_card_changed
from portal.core.storage import discard
from portal.extensions import db
from portal.leagues.models import ApprovalMode, GenderField, League
from portal.leagues.services import grant_role
from portal.players import queries, rules, uploads
from portal.players.models import (
    LOCKED_FIELDS,
    DocumentKind,
    EventKind,
    Gender,
    PlayerProfile,
    ProfileEvent,
    ProfileStatus,
    StagedUpload,
)

FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "phone": "Phone",
    "address": "Address",
    "emergency_contact": "Emergency contact",
    "photo": "Photo",
    "document": "Proof of age",
    "card": "Player card",  # history only: a reissued card (cards/reissues.py)
}
LOCKED_MESSAGE = (
    "Name, date of birth and photo are locked since the profile was verified. "
    "Ask the league's registrar to unlock them, or wait for renewal to open."
)


NEW_DOB_NEEDS_PROOF = (
    "To change the date of birth, also upload proof of age that shows the new date."
)


class ProfileError(ValueError):
    """A problem the user can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class ProfileData:
    """What a player may set. Anything else (status, league, reviewer) is not here."""

    first_name: str
    last_name: str
    date_of_birth: date
    gender: Gender | None = None
    phone: str = ""
    address: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    is_self: bool = False
    document_kind: DocumentKind | None = None


def today_in(league: League, now: datetime | None = None) -> date:
    """Today's date where the league plays (at `now`, by default the present)."""
    from zoneinfo import ZoneInfo

    return (now or utcnow()).astimezone(ZoneInfo(league.timezone)).date()


def is_locked(profile: PlayerProfile, today: date | None = None) -> bool:
    """Are name, date of birth and photo locked for the player right now?"""
    end, window_days = queries.membership_end(profile)
    window = rules.renewal_window_open(today or today_in(profile.league), end, window_days)
    return rules.fields_locked(profile.status, profile.unlocked_at is not None, window)


def create_profile(
    league: League,
    guardian: User,
    data: ProfileData,
    *,
    photo: StagedUpload | None = None,
    crop: Crop | None = None,
    document: StagedUpload | None = None,
) -> PlayerProfile:
    """A new draft profile; the account becomes a player/guardian of the league."""
    if queries.duplicate_of(guardian.id, data.first_name, data.last_name, data.date_of_birth):
        raise ProfileError(
            f"You have already added {data.first_name.strip()} {data.last_name.strip()} "
            "to this league.",
            field="first_name",
        )
    profile = PlayerProfile(league_id=league.id, league=league, guardian_id=guardian.id)
    _apply(profile, data)
    db.session.add(profile)
    db.session.flush()
    _attach_files(profile, guardian, photo, crop, document)
    grant_role(league, guardian, Role.PLAYER)
    return profile


def update_profile(
    profile: PlayerProfile,
    actor: User,
    data: ProfileData,
    *,
    photo: StagedUpload | None = None,
    crop: Crop | None = None,
    document: StagedUpload | None = None,
    today: date | None = None,
) -> list[str]:
    """Save the player's changes; returns the locked fields that changed.

    The lock is enforced here, not in the page: a locked field that changes
    is refused. A change to a locked field of a verified (unlocked) profile
    sends it back for review.
    """
    before = locked_values(profile)
    changed = [
        name
        for name in ("first_name", "last_name", "date_of_birth")
        if getattr(data, name) != before[name]
    ]
    if photo is not None:
        changed.append("photo")
    if changed and is_locked(profile, today):
        raise ProfileError(LOCKED_MESSAGE, field=changed[0])
    _apply(profile, data)
    _attach_files(profile, actor, photo, crop, document)
    if "date_of_birth" in changed and profile.dob_verified_on and _document_required(profile):
        raise ProfileError(NEW_DOB_NEEDS_PROOF, field="document")
    if profile.status != ProfileStatus.DRAFT:
        after = locked_values(profile)
        for name in changed:
            record(
                profile,
                actor,
                EventKind.FIELD,
                field=name,
                from_value=_shown(before[name]),
                to_value=_shown(after[name]),
            )
    if changed and profile.status == ProfileStatus.VERIFIED:
        labels = ", ".join(FIELD_LABELS[name].lower() for name in changed)
        set_status(profile, ProfileStatus.SUBMITTED, actor, f"Changed after verification: {labels}")
        profile.submitted_at = utcnow()
    return changed


def _apply(profile: PlayerProfile, data: ProfileData) -> None:
    profile.first_name = data.first_name.strip()
    profile.last_name = data.last_name.strip()
    profile.date_of_birth = data.date_of_birth
    profile.gender = data.gender if profile.league.gender_field != GenderField.OFF else None
    profile.phone = data.phone.strip()
    profile.address = data.address.strip()
    profile.emergency_name = data.emergency_name.strip()
    profile.emergency_phone = data.emergency_phone.strip()
    profile.is_self = data.is_self
    if data.document_kind is not None:
        profile.document_kind = data.document_kind


def _attach_files(profile, actor, photo, crop, document) -> None:
    prefix = f"leagues/{profile.league_id}/players/{profile.id}"
    if photo is not None:
        keep = (profile.verified_snapshot or {}).get("photo")
        old = (profile.photo_key, profile.photo_thumb_key)
        profile.photo_key, profile.photo_thumb_key = uploads.adopt_photo(photo, crop, prefix)
        # The verified photo stays until the new one is checked, for the comparison.
        if old[0] and old[0] != keep:
            discard(old[0])
            discard(old[1])
        player_card_changed.send(profile, profile_id=profile.id)
    if document is not None:
        delete_document(profile)
        uploads.adopt_document(document)
        profile.document_key = document.key
        profile.document_preview_key = document.preview_key
        profile.document_type = document.content_type
        profile.document_uploaded_at = utcnow()
        profile.document_deleted_at = None
        record(profile, actor, EventKind.DOCUMENT, to_value=document.filename or "uploaded")


def delete_document(profile: PlayerProfile) -> None:
    """Remove the proof-of-age file (once the change commits)."""
    if profile.document_key:
        discard(profile.document_key)
        if profile.document_preview_key:
            discard(profile.document_preview_key)
        profile.document_key = profile.document_preview_key = None
        profile.document_deleted_at = utcnow()


def locked_values(profile: PlayerProfile) -> dict:
    return {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "date_of_birth": profile.date_of_birth,
        "photo": profile.photo_key,
    }


def _shown(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def missing_for_submission(profile: PlayerProfile) -> list[tuple[str, str]]:
    """What the league needs before this profile can be submitted: [(field, label)]."""
    league = profile.league
    needed = {
        "gender": league.gender_field == GenderField.REQUIRED and profile.gender is None,
        "phone": league.require_phone and not profile.phone,
        "address": league.require_address and not profile.address,
        "emergency_contact": league.require_emergency_contact
        and not (profile.emergency_name and profile.emergency_phone),
        "photo": league.require_photo and not profile.photo_key,
        "document": _document_required(profile),
    }
    return [(name, FIELD_LABELS[name]) for name, missing in needed.items() if missing]


def _document_required(profile: PlayerProfile) -> bool:
    return profile.league.require_document and needs_document(profile)


def needs_document(profile: PlayerProfile) -> bool:
    """A document is needed unless one is on file or this date of birth was verified."""
    if profile.document_key:
        return False
    snapshot = profile.verified_snapshot or {}
    return not (
        profile.dob_verified_on and snapshot.get("date_of_birth") == _shown(profile.date_of_birth)
    )


def submit(profile: PlayerProfile, actor: User, today: date | None = None) -> ProfileStatus:
    """Send the profile for review (or approve it at once: an unchanged renewal in a
    league that allows that)."""
    if profile.status == ProfileStatus.SUBMITTED:
        raise ProfileError("This profile is already waiting for review.")
    if profile.status == ProfileStatus.VERIFIED and is_locked(profile, today):
        raise ProfileError("This profile is verified. There is nothing to submit until renewal.")
    missing = missing_for_submission(profile)
    if missing:
        raise ProfileError(
            "Before submitting, please add: "
            + ", ".join(label.lower() for _, label in missing)
            + "."
        )
    profile.submitted_at = utcnow()
    profile.change_reason = ""
    if _auto_approves(profile):
        from portal.players.reviews import approve

        set_status(profile, ProfileStatus.SUBMITTED, actor, "Renewal")
        approve(profile, None, reason="Approved automatically: renewal with unchanged details")
    else:
        set_status(profile, ProfileStatus.SUBMITTED, actor)
    return profile.status


def _auto_approves(profile: PlayerProfile) -> bool:
    snapshot = profile.verified_snapshot
    if profile.league.approval_mode != ApprovalMode.AUTO_RENEWALS or not snapshot:
        return False
    current = {name: _shown(value) for name, value in locked_values(profile).items()}
    return all(snapshot.get(name) == current[name] for name in LOCKED_FIELDS)


def set_status(
    profile: PlayerProfile, new: ProfileStatus, actor: User | None, reason: str = ""
) -> None:
    """Change status and write it to the history."""
    old = profile.status
    profile.status = new
    if old != new and profile.id is not None:
        player_card_changed.send(profile, profile_id=profile.id)
    record(
        profile,
        actor,
        EventKind.STATUS,
        from_value=old.value if old else None,
        to_value=new.value,
        reason=reason,
    )


def record(
    profile: PlayerProfile,
    actor: User | None,
    kind: EventKind,
    *,
    field=None,
    from_value=None,
    to_value=None,
    reason: str = "",
) -> ProfileEvent:
    event = ProfileEvent(
        league_id=profile.league_id,
        profile=profile,
        actor_id=actor.id if actor else None,
        kind=kind,
        field=field,
        from_value=from_value,
        to_value=to_value,
        reason=reason,
    )
    db.session.add(event)
    return event
