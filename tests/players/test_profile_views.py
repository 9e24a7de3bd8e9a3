"""The profile page with its checklist, editing under the lock, and submitting for review."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players import reviews, services, uploads
from portal.players.models import DocumentKind, PlayerProfile, ProfileStatus, UploadKind
from tests.images import jpeg, pdf
from tests.players.profile_helpers import _form, _reload


def _complete(league, parent, *, first_name="Mia", status=None, registrar=None) -> PlayerProfile:
    """A profile with photo and document, optionally submitted or verified."""
    with league_scope(league.id):
        data = services.ProfileData(
            first_name=first_name,
            last_name="Parent",
            date_of_birth=date(2016, 3, 14),
            phone="+1 555 0100",
            emergency_name="Pat Parent",
            emergency_phone="+1 555 0101",
            document_kind=DocumentKind.BIRTH_CERTIFICATE,
        )
        photo = uploads.stage(parent, UploadKind.PHOTO, jpeg(600, 750), "me.jpg")
        document = uploads.stage(parent, UploadKind.DOCUMENT, pdf(), "birth.pdf")
        profile = services.create_profile(league, parent, data, photo=photo, document=document)
        if status in (ProfileStatus.SUBMITTED, ProfileStatus.VERIFIED):
            services.submit(profile, parent)
        if status == ProfileStatus.VERIFIED:
            reviews.approve(profile, registrar)
        db.session.commit()
        return profile


# -- the profile page ------------------------------------------------------------------------


def test_checklist_shows_what_is_missing(signed_in, make, league, parent):
    """Does the profile page list what is still missing, with no Submit button yet?"""
    profile = make.profile(league, parent, phone="")
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert "Still needed before you submit" in page
    missing = re.findall(r'is-missing">.*?class="checklist-label"[^>]*>([^<]+)<', page, re.S)
    done = re.findall(r'is-done">.*?class="checklist-label"[^>]*>([^<]+)<', page, re.S)
    assert missing == ["Phone", "Photo", "Proof of age"]
    assert "Emergency contact" in done and "Name and date of birth" in done
    assert "Submit for review" not in page
    edit = f"/l/riverside/players/{profile.id}/edit"
    assert f'href="{edit}#photo-upload">Photo</a>' in page  # each gap links to its field
    assert f'href="{edit}#phone">Add the missing details' in page


def test_complete_profile_offers_submit(signed_in, league, parent):
    """When nothing is missing, does the page offer the Submit button?"""
    profile = _complete(league, parent)
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert "Ready to submit" in page and "Submit for review" in page
    assert f'action="/l/riverside/players/{profile.id}/submit"' in page
    assert "Birth certificate received on" in page
    assert f"/l/riverside/players/{profile.id}/photo" in page


def test_profile_shows_age_and_age_group(signed_in, make, league, parent):
    """Does the page say the age on the league's date and the age group it gives?"""
    make.age_group(league, "U10", min_age=9, max_age=10)
    profile = make.profile(league, parent, date_of_birth=date(2016, 3, 14))
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert "14 March 2016" in page
    assert '10 <span class="muted">on 31 December 2026' in page
    assert "U10" in page and "ages 9-10" in page


def test_changes_requested_shows_the_reason_first(signed_in, league, parent, registrar):
    """Does a parent see the registrar's reason prominently, with a way to fix it?"""
    profile = _complete(league, parent, status=ProfileStatus.SUBMITTED)
    with league_scope(league.id):
        reviews.request_changes(_reload(profile.id), registrar, "The photo is too dark or blurred.")
        db.session.commit()
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    banner = page[page.index('class="banner banner-changes_requested"') :]
    assert banner.index("The photo is too dark or blurred.") < banner.index("Details")
    assert '<blockquote class="reason">The photo is too dark or blurred.</blockquote>' in page
    assert "Changes requested" in page and f"/players/{profile.id}/edit" in page
    assert "Submit again for review" in page  # nothing is missing, so it can go straight back
    form = signed_in.get(f"/l/riverside/players/{profile.id}/edit").get_data(as_text=True)
    assert "The photo is too dark or blurred." in form  # the reason stays in view while fixing


def test_after_verification_the_date_of_birth_check_is_what_remains(
    signed_in, league, parent, registrar
):
    """Once the document is deleted, does the page say who verified the birthday, and when?"""
    profile = _complete(league, parent, status=ProfileStatus.VERIFIED, registrar=registrar)
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert "Date of birth verified by Sam Registrar on" in page
    assert "received on" not in page
    assert "pstatus-verified" in page and "Verified" in page
    assert "locked since the profile was verified" in page


def test_staff_see_the_history_and_guardians_do_not(client, login, league, parent, registrar):
    """Do registrars see who changed what, when and why, while parents don't?"""
    profile = _complete(league, parent, status=ProfileStatus.SUBMITTED)
    with league_scope(league.id):
        reviews.request_changes(_reload(profile.id), registrar, "The name does not match.")
        db.session.commit()
    login(registrar)
    page = client.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    history = page[page.index('id="history-heading"') :]
    assert "Pending review" in history and "Changes requested" in history
    assert "Sam Registrar" in history and "The name does not match." in history
    assert "Pat Parent" in history and "parent@example.com" in page
    login(parent)
    page = client.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert 'id="history-heading"' not in page


def test_another_guardians_profile_is_not_found(client, login, make, league, parent):
    """Can one parent open, edit, submit or see the photo of another parent's player?"""
    profile = _complete(league, parent)
    login(make.member(league, Role.PLAYER))
    base = f"/l/riverside/players/{profile.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data=_form(first_name="Hacked")).status_code == 404
    assert client.post(f"{base}/submit").status_code == 404
    assert client.get(f"{base}/photo").status_code == 404
    assert _reload(profile.id).first_name == "Mia"
    assert _reload(profile.id).status == ProfileStatus.DRAFT


def test_a_profile_of_another_league_is_not_found(signed_in, make, parent):
    """Is a profile reached through another league's address 'not found', even for its owner?"""
    make.league("riverside")
    other = make.league("elsewhere")
    profile = make.profile(other, parent)
    assert signed_in.get(f"/l/riverside/players/{profile.id}").status_code == 404


# -- editing and the lock -------------------------------------------------------------------


def test_edit_shows_the_saved_details_and_saves_changes(signed_in, league, parent):
    """Does the edit form start from the saved details and save a change?"""
    profile = _complete(league, parent)
    page = signed_in.get(f"/l/riverside/players/{profile.id}/edit").get_data(as_text=True)
    assert 'value="Mia"' in page and 'value="2016-03-14"' in page and "Current photo" in page
    assert "readonly" not in page
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/edit", data=_form(phone="+44 20 7946 0000")
    )
    assert response.status_code == 303
    assert _reload(profile.id).phone == "+44 20 7946 0000"


def test_edit_errors_keep_the_typed_values(signed_in, league, parent):
    """Does a failed edit keep what was typed and leave the saved profile alone?"""
    profile = _complete(league, parent)
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/edit", data=_form(last_name="", phone="+1 555 9999")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the player&#39;s last name." in page and 'value="+1 555 9999"' in page
    assert _reload(profile.id).phone == "+1 555 0100"


def test_locked_fields_show_read_only_with_the_reason(signed_in, league, parent, registrar):
    """After verification, are name and date of birth read-only, with why?"""
    profile = _complete(league, parent, status=ProfileStatus.VERIFIED, registrar=registrar)
    page = signed_in.get(f"/l/riverside/players/{profile.id}/edit").get_data(as_text=True)
    assert page.count("readonly") == 3  # first name, last name, date of birth
    assert "locked since the profile was verified" in page
    assert 'id="photo-upload"' not in page and "The photo is locked" in page


@pytest.mark.parametrize(
    "change", [{"first_name": "Maya"}, {"last_name": "Other"}, {"date_of_birth": "2015-03-14"}]
)
def test_locked_fields_cannot_be_changed_by_post(signed_in, league, parent, registrar, change):
    """Is the lock enforced by the server, whatever the page shows?"""
    profile = _complete(league, parent, status=ProfileStatus.VERIFIED, registrar=registrar)
    response = signed_in.post(f"/l/riverside/players/{profile.id}/edit", data=_form(**change))
    assert response.status_code == 422
    assert "locked since the profile was verified" in response.get_data(as_text=True)
    profile = _reload(profile.id)
    assert (profile.first_name, profile.last_name) == ("Mia", "Parent")
    assert profile.date_of_birth == date(2016, 3, 14)
    assert profile.status == ProfileStatus.VERIFIED


def test_a_locked_photo_cannot_be_replaced_by_post(signed_in, league, parent, registrar):
    """Is a new photo posted for a verified profile refused by the server?"""
    import io

    profile = _complete(league, parent, status=ProfileStatus.VERIFIED, registrar=registrar)
    old_photo = profile.photo_key
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/edit",
        data=_form(photo=(io.BytesIO(jpeg(500, 700)), "new.jpg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "locked" in response.get_data(as_text=True)
    assert _reload(profile.id).photo_key == old_photo


def test_unlocked_fields_still_editable_when_verified(signed_in, league, parent, registrar):
    """Can a verified player still change the phone, without a new review?"""
    profile = _complete(league, parent, status=ProfileStatus.VERIFIED, registrar=registrar)
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/edit", data=_form(phone="+1 555 7777")
    )
    assert response.status_code == 303
    profile = _reload(profile.id)
    assert profile.phone == "+1 555 7777" and profile.status == ProfileStatus.VERIFIED


def test_after_a_registrar_unlock_a_change_goes_back_for_review(
    signed_in, league, parent, registrar
):
    """After the registrar unlocks, does a name change send the profile back to Submitted?"""
    profile = _complete(league, parent, status=ProfileStatus.VERIFIED, registrar=registrar)
    with league_scope(league.id):
        reviews.unlock(_reload(profile.id), registrar)
        db.session.commit()
    page = signed_in.get(f"/l/riverside/players/{profile.id}/edit").get_data(as_text=True)
    assert "readonly" not in page
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/edit", data=_form(first_name="Maya")
    )
    assert response.status_code == 303
    profile = _reload(profile.id)
    assert profile.first_name == "Maya" and profile.status == ProfileStatus.SUBMITTED
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert "Pending review" in page


# -- submitting ---------------------------------------------------------------------------------


def test_submit_sends_the_profile_for_review(signed_in, league, parent):
    """Does Submit send a complete profile for review and say so?"""
    profile = _complete(league, parent)
    response = signed_in.post(f"/l/riverside/players/{profile.id}/submit")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/l/riverside/players/{profile.id}")
    assert _reload(profile.id).status == ProfileStatus.SUBMITTED
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "sent for review" in page and "Pending review" in page
    assert "Waiting for the registrar" in page and "Submit for review" not in page


def test_submit_of_an_incomplete_profile_says_what_is_missing(signed_in, make, league, parent):
    """Does submitting too early flash exactly what to add, leaving it a draft?"""
    profile = make.profile(league, parent)
    response = signed_in.post(f"/l/riverside/players/{profile.id}/submit")
    assert response.status_code == 303
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in page and "Before submitting, please add: photo, proof of age." in page
    assert _reload(profile.id).status == ProfileStatus.DRAFT


def test_submit_by_htmx_answers_the_profile_fragment(signed_in, league, parent):
    """Does an htmx submit get the refreshed profile alone (with the flash), not a page?"""
    profile = _complete(league, parent)
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/submit", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert 'id="profile"' in body and "Pending review" in body
    assert 'hx-swap-oob="true"' in body and "sent for review" in body
    assert "HX-Request" in response.headers.get("Vary", "")
    again = signed_in.post(
        f"/l/riverside/players/{profile.id}/submit", headers={"HX-Request": "true"}
    )
    assert again.status_code == 422 and "already waiting for review" in again.get_data(as_text=True)


def test_show_is_a_full_page_without_htmx(signed_in, league, parent):
    """Does a plain request for the profile get the whole page around the fragment?"""
    profile = _complete(league, parent)
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    assert page.lstrip().startswith("<!doctype html>") and 'id="profile"' in page


def test_submit_needs_the_csrf_token(signed_in, league, parent, csrf_on):
    """Is a submit without the CSRF token refused (the page's form carries it)?"""
    profile = _complete(league, parent)
    assert signed_in.post(f"/l/riverside/players/{profile.id}/submit").status_code == 400
    page = signed_in.get(f"/l/riverside/players/{profile.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = signed_in.post(
        f"/l/riverside/players/{profile.id}/submit", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert _reload(profile.id).status == ProfileStatus.SUBMITTED


def test_staff_can_look_but_not_edit_a_familys_profile(client, login, league, parent, registrar):
    """Can a registrar open a parent's profile (yes) and edit or submit it (no)?"""
    profile = _complete(league, parent)
    login(registrar)
    page = client.get(f"/l/riverside/players/{profile.id}")
    assert page.status_code == 200 and "Edit details" not in page.text
    assert client.get(f"/l/riverside/players/{profile.id}/edit").status_code == 404
    assert client.post(f"/l/riverside/players/{profile.id}/submit").status_code == 404
