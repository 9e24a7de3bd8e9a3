"""Profile services: the status machine, the field lock, auto-approval, history, retention."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import ApprovalMode, GenderField
from portal.leagues.queries import roles_of
from portal.players import reviews, services, uploads
from portal.players.models import (
    DocumentKind,
    EventKind,
    PlayerProfile,
    ProfileEvent,
    ProfileStatus,
    UploadKind,
)
from portal.players.services import ProfileData, ProfileError
from tests.images import jpeg, pdf


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def registrar(make, league):
    return make.member(league, Role.REGISTRAR, name="Sam Registrar")


@pytest.fixture
def scope(league):
    with league_scope(league.id):
        yield


def _data(**changes) -> ProfileData:
    values = {
        "first_name": "Mia",
        "last_name": "Parent",
        "date_of_birth": date(2016, 3, 14),
        "phone": "+1 555 0100",
        "emergency_name": "Pat Parent",
        "emergency_phone": "+1 555 0101",
        "document_kind": DocumentKind.BIRTH_CERTIFICATE,
    }
    values.update(changes)
    return ProfileData(**values)


def _complete_profile(league, parent) -> PlayerProfile:
    """A draft with photo and document, ready to submit."""
    photo = uploads.stage(parent, UploadKind.PHOTO, jpeg(800, 1000), "me.jpg")
    document = uploads.stage(parent, UploadKind.DOCUMENT, pdf(), "birth.pdf")
    profile = services.create_profile(league, parent, _data(), photo=photo, document=document)
    db.session.commit()
    return profile


def _events(profile) -> list[ProfileEvent]:
    return db.session.scalars(
        select(ProfileEvent).where(ProfileEvent.profile_id == profile.id).order_by(ProfileEvent.id)
    ).all()


def _verified(league, parent, registrar) -> PlayerProfile:
    profile = _complete_profile(league, parent)
    services.submit(profile, parent)
    reviews.approve(profile, registrar)
    db.session.commit()
    return profile


def test_creating_a_profile_makes_the_account_a_guardian(scope, league, parent):
    """Does adding a player give the account the player/guardian role in the league?"""
    profile = _complete_profile(league, parent)
    assert profile.status == ProfileStatus.DRAFT
    assert profile.photo_key and profile.photo_thumb_key and profile.document_key
    assert roles_of(parent.id, league.id) == {Role.PLAYER}


def test_the_same_child_twice_is_refused(scope, league, parent):
    services.create_profile(league, parent, _data())
    with pytest.raises(ProfileError, match="already added mia Parent"):
        services.create_profile(league, parent, _data(first_name=" mia "))


def test_one_account_holds_several_players(scope, league, parent):
    services.create_profile(league, parent, _data())
    services.create_profile(league, parent, _data(first_name="Leo", date_of_birth=date(2018, 1, 2)))
    assert db.session.scalar(select(db.func.count()).select_from(PlayerProfile)) == 2


def test_missing_fields_follow_the_league_settings(scope, league, parent):
    """Does the checklist name exactly what this league requires and is missing?"""
    profile = services.create_profile(league, parent, _data(phone="", emergency_phone=""))
    assert [name for name, _ in services.missing_for_submission(profile)] == [
        "phone",
        "emergency_contact",
        "photo",
        "document",
    ]
    league.require_phone = league.require_photo = league.require_document = False
    league.require_address = True
    league.gender_field = GenderField.REQUIRED
    assert [name for name, _ in services.missing_for_submission(profile)] == [
        "gender",
        "address",
        "emergency_contact",
    ]


def test_submit_refuses_an_incomplete_profile(scope, league, parent):
    profile = services.create_profile(league, parent, _data())
    with pytest.raises(ProfileError, match="please add: photo, proof of age"):
        services.submit(profile, parent)
    assert profile.status == ProfileStatus.DRAFT


def test_submit_approve_path_with_history_and_mail(scope, league, parent, registrar, outbox):
    """Draft -> Submitted -> Verified: recorded, the player told, the document deleted."""
    profile = _complete_profile(league, parent)
    document_key = profile.document_key
    assert services.submit(profile, parent) == ProfileStatus.SUBMITTED
    with pytest.raises(ProfileError, match="already waiting"):
        services.submit(profile, parent)
    reviews.approve(profile, registrar)
    db.session.commit()
    assert profile.status == ProfileStatus.VERIFIED
    assert profile.dob_verified_by_name == "Sam Registrar" and profile.dob_verified_on
    assert profile.document_key is None and profile.document_deleted_at
    assert not get_storage().exists(document_key)
    statuses = [
        (e.from_value, e.to_value, e.actor_id)
        for e in _events(profile)
        if e.kind == EventKind.STATUS
    ]
    assert statuses == [("draft", "submitted", parent.id), ("submitted", "verified", registrar.id)]
    (mail,) = outbox()
    assert mail["To"] == "parent@example.com" and "verified" in mail["Subject"]


def test_request_changes_then_resubmit(scope, league, parent, registrar, outbox):
    """Changes requested: reason required, shown to the player, who fixes and resubmits."""
    profile = _complete_profile(league, parent)
    services.submit(profile, parent)
    with pytest.raises(ProfileError, match="reason"):
        reviews.request_changes(profile, registrar, "   ")
    reviews.request_changes(profile, registrar, "The photo is too dark or blurred.")
    db.session.commit()
    assert profile.status == ProfileStatus.CHANGES_REQUESTED
    assert profile.change_reason == "The photo is too dark or blurred."
    (mail,) = outbox()
    assert "The photo is too dark or blurred." in mail.get_body().get_content()
    services.update_profile(profile, parent, _data(phone="+1 555 0123"))
    assert services.submit(profile, parent) == ProfileStatus.SUBMITTED
    assert profile.change_reason == ""


def test_decisions_on_a_profile_not_waiting_are_refused(scope, league, parent, registrar):
    profile = _complete_profile(league, parent)
    with pytest.raises(ProfileError):
        reviews.approve(profile, registrar)
    with pytest.raises(ProfileError):
        reviews.request_changes(profile, registrar, "no")


def test_verified_locks_name_birthday_and_photo(scope, league, parent, registrar):
    """Can a player change a locked field of a verified profile? (Server-side lock.)"""
    profile = _verified(league, parent, registrar)
    for change in (
        {"first_name": "Maya"},
        {"last_name": "Other"},
        {"date_of_birth": date(2015, 3, 14)},
    ):
        with pytest.raises(ProfileError, match="locked"):
            services.update_profile(profile, parent, _data(**change))
        db.session.rollback()
    photo = uploads.stage(parent, UploadKind.PHOTO, jpeg(), "new.jpg")
    with pytest.raises(ProfileError, match="locked"):
        services.update_profile(profile, parent, _data(), photo=photo)
    db.session.rollback()
    db.session.refresh(profile)
    assert profile.first_name == "Mia" and profile.status == ProfileStatus.VERIFIED


def test_unlocked_fields_stay_editable_and_verified(scope, league, parent, registrar):
    """Do phone, address and emergency contact stay editable without a new review?"""
    profile = _verified(league, parent, registrar)
    services.update_profile(profile, parent, _data(phone="+44 20 0000", address="1 High St"))
    assert profile.status == ProfileStatus.VERIFIED and profile.phone == "+44 20 0000"


def test_registrar_unlock_lets_the_name_change_and_sends_it_back(scope, league, parent, registrar):
    """After an unlock, does a name change go back to Submitted, with from/to recorded?"""
    profile = _verified(league, parent, registrar)
    reviews.unlock(profile, registrar)
    services.update_profile(profile, parent, _data(first_name="Maya"))
    assert profile.status == ProfileStatus.SUBMITTED
    field_events = [e for e in _events(profile) if e.kind == EventKind.FIELD]
    assert [(e.field, e.from_value, e.to_value) for e in field_events] == [
        ("first_name", "Mia", "Maya")
    ]
    assert any(e.kind == EventKind.UNLOCK and e.actor_id == registrar.id for e in _events(profile))
    assert reviews.changes_since_verification(profile) == [("first_name", "Mia", "Maya")]
    reviews.approve(profile, registrar)
    assert profile.unlocked_at is None and profile.verified_snapshot["first_name"] == "Maya"


def test_renewal_window_unlocks(scope, league, parent, registrar, monkeypatch):
    """Does an open renewal window unlock the fields (fed by the membership's end date)?"""
    from portal.players import queries

    profile = _verified(league, parent, registrar)
    today = date(2026, 8, 20)
    monkeypatch.setattr(queries, "membership_end", lambda p: (date(2026, 9, 1), 30))
    assert not services.is_locked(profile, today)
    monkeypatch.setattr(queries, "membership_end", lambda p: (date(2026, 12, 1), 30))
    assert services.is_locked(profile, today)


def test_new_date_of_birth_needs_a_new_document(scope, league, parent, registrar):
    """After the document is gone, does changing the date of birth require proof again,
    in the same save?"""
    profile = _verified(league, parent, registrar)
    assert not services.needs_document(profile)
    reviews.unlock(profile, registrar)
    db.session.commit()
    with pytest.raises(ProfileError, match="upload proof of age") as refused:
        services.update_profile(profile, parent, _data(date_of_birth=date(2016, 4, 14)))
    assert refused.value.field == "document"
    db.session.rollback()
    document = uploads.stage(parent, UploadKind.DOCUMENT, pdf(), "new-birth.pdf")
    services.update_profile(
        profile, parent, _data(date_of_birth=date(2016, 4, 14)), document=document
    )
    assert profile.status == ProfileStatus.SUBMITTED and profile.document_key
    assert not services.missing_for_submission(profile)


def test_auto_approval_of_an_unchanged_renewal(scope, league, parent, registrar):
    """In an auto-renewal league, is an unchanged resubmission verified at once, and a
    changed one sent to the registrar?"""
    league.approval_mode = ApprovalMode.AUTO_RENEWALS
    profile = _verified(league, parent, registrar)
    reviews.unlock(profile, registrar)
    assert services.submit(profile, parent) == ProfileStatus.VERIFIED
    assert _events(profile)[-1].reason.startswith("Approved automatically")
    reviews.unlock(profile, registrar)
    services.update_profile(profile, parent, _data(last_name="Parent-Smith"))
    assert profile.status == ProfileStatus.SUBMITTED


def test_manual_league_reviews_renewals_too(scope, league, parent, registrar):
    profile = _verified(league, parent, registrar)
    reviews.unlock(profile, registrar)
    assert services.submit(profile, parent) == ProfileStatus.SUBMITTED


def test_new_photo_keeps_the_verified_one_until_reapproval(scope, league, parent, registrar):
    """Is the verified photo kept for comparison while the new one waits, then removed?"""
    profile = _verified(league, parent, registrar)
    old_photo = profile.photo_key
    reviews.unlock(profile, registrar)
    photo = uploads.stage(parent, UploadKind.PHOTO, jpeg(700, 900, "#00aa00"), "new.jpg")
    services.update_profile(profile, parent, _data(), photo=photo)
    db.session.commit()
    storage = get_storage()
    assert storage.exists(old_photo) and storage.exists(profile.photo_key)
    assert [c[0] for c in reviews.changes_since_verification(profile)] == ["photo"]
    reviews.approve(profile, registrar)
    db.session.commit()
    assert not storage.exists(old_photo) and storage.exists(profile.photo_key)


def test_document_kept_for_the_retention_period(scope, league, parent, registrar):
    """With a 7-day retention, is the document kept at approval and purged after 7 days?"""
    league.document_retention_days = 7
    profile = _verified(league, parent, registrar)
    assert profile.document_key
    with unscoped():
        assert reviews.purge_due_documents(utcnow() + timedelta(days=6)) == 0
        assert reviews.purge_due_documents(utcnow() + timedelta(days=7, minutes=1)) == 1
        db.session.commit()
        assert reviews.purge_due_documents(utcnow() + timedelta(days=8)) == 0  # idempotent
    assert profile.document_key is None
    assert profile.dob_verified_by_name == "Sam Registrar"


def test_bulk_approve_only_touches_waiting_profiles_of_this_league(make, league, parent, registrar):
    other = make.league("elsewhere")
    waiting = make.profile(league, parent, status=ProfileStatus.SUBMITTED)
    draft = make.profile(league, parent, first_name="Dee")
    foreign = make.profile(other, parent, status=ProfileStatus.SUBMITTED)
    with league_scope(league.id):
        count = reviews.bulk_approve([waiting.id, draft.id, foreign.id], registrar)
        db.session.commit()
    assert count == 1
    with unscoped():
        db.session.expire_all()
        assert db.session.get(PlayerProfile, waiting.id).status == ProfileStatus.VERIFIED
        assert db.session.get(PlayerProfile, draft.id).status == ProfileStatus.DRAFT
        assert db.session.get(PlayerProfile, foreign.id).status == ProfileStatus.SUBMITTED


def test_staged_uploads_belong_to_their_uploader(scope, league, parent, make):
    """Can another account use someone else's staged upload token?"""
    upload = uploads.stage(parent, UploadKind.PHOTO, jpeg(), "a.jpg")
    stranger = make.user()
    assert uploads.find(upload.token, stranger, UploadKind.PHOTO) is None
    assert uploads.find(upload.token, parent, UploadKind.DOCUMENT) is None
    assert uploads.find(upload.token, parent, UploadKind.PHOTO) is upload


def test_unused_uploads_expire(scope, league, parent):
    upload = uploads.stage(parent, UploadKind.PHOTO, jpeg(), "a.jpg")
    db.session.commit()
    key = upload.key
    with unscoped():
        assert uploads.purge_expired(utcnow() + timedelta(hours=23)) == 0
        assert uploads.purge_expired(utcnow() + timedelta(hours=25)) == 1
        db.session.commit()
    assert not get_storage().exists(key)
