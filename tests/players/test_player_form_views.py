"""The player side in the browser's terms: my players, and the profile form (marked by the
league's settings, errors kept next to the fields, no mass assignment)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import GenderField, LeagueRole
from portal.leagues.queries import roles_of
from portal.players.models import PlayerProfile, ProfileStatus
from tests.players.profile_helpers import _form, _reload

# -- my players ----------------------------------------------------------------------


def test_index_lists_my_players_with_status_in_words(signed_in, make, league, parent):
    """Does the list show my players (not others'), each with its status as a word?"""
    make.profile(league, parent, first_name="Zoe", status=ProfileStatus.SUBMITTED)
    make.profile(league, parent, first_name="Leo")
    make.profile(league, make.user(), first_name="Stranger")
    page = signed_in.get("/l/riverside/players/").get_data(as_text=True)
    assert "Zoe Kim" in page and "Leo Kim" in page and "Stranger" not in page
    assert 'class="pstatus pstatus-submitted"' in page and "Pending review" in page
    assert 'class="pstatus pstatus-draft"' in page and "Draft" in page
    assert "Add a player" in page


def test_index_shows_each_players_age_group(signed_in, make, league, parent):
    """Is the age group the one the league's cutoff date gives?"""
    make.age_group(league, "U10", min_age=9, max_age=10, position=1)
    make.age_group(league, "U12", min_age=11, max_age=12, position=2)
    make.profile(league, parent, first_name="Ten", date_of_birth=date(2016, 12, 31))
    make.profile(league, parent, first_name="Eleven", date_of_birth=date(2015, 1, 1))
    page = signed_in.get("/l/riverside/players/").get_data(as_text=True)
    ten = page[page.index("Ten Kim") : page.index("Ten Kim") + 400]
    eleven = page[page.index("Eleven Kim") : page.index("Eleven Kim") + 400]
    assert "U10" in ten and "U12" in eleven


def test_empty_list_explains_what_is_needed(signed_in, league):
    """Does a parent with no players yet learn what to have ready?"""
    page = signed_in.get("/l/riverside/players/").get_data(as_text=True)
    assert "Register your first player" in page
    assert "A photo" in page and "Proof of age" in page
    assert 'href="/l/riverside/players/new"' in page


def test_pages_need_sign_in(client, league):
    """Is an anonymous visitor sent to sign in first?"""
    response = client.get("/l/riverside/players/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- the form ------------------------------------------------------------------------------


def test_form_marks_fields_by_the_league_settings(signed_in, league):
    """Are optional fields marked per league, with phone-friendly input attributes?"""
    page = signed_in.get("/l/riverside/players/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<label for="address">Home address <span class="optional">', page)
    assert re.search(r'<label for="phone">Phone</label>', page)  # required: no marker
    assert 'autocomplete="given-name"' in page and 'autocomplete="family-name"' in page
    assert 'type="date"' in page and 'autocomplete="bday"' in page
    assert 'type="tel"' in page and 'inputmode="tel"' in page
    assert 'autocomplete="street-address"' in page
    assert 'name="gender"' in page and "Prefer not to say" in page
    assert 'id="photo-upload"' in page and 'id="document-upload"' in page
    assert "js/uploads.js" in page and "css/players.css" in page


def test_gender_follows_the_league_setting(signed_in, league):
    """Is gender left out when the league turns it off, and not optional when required?"""
    league.gender_field = GenderField.OFF
    db.session.commit()
    assert 'name="gender"' not in signed_in.get("/l/riverside/players/new").get_data(as_text=True)
    league.gender_field = GenderField.REQUIRED
    db.session.commit()
    page = signed_in.get("/l/riverside/players/new").get_data(as_text=True)
    assert 'name="gender"' in page and "Prefer not to say" not in page


def test_new_player_is_saved_as_a_draft(signed_in, league, parent):
    """Does saving the form create a draft and make the account a guardian here?"""
    response = signed_in.post("/l/riverside/players/new", data=_form(who="self"))
    assert response.status_code == 303
    with unscoped():
        profile = db.session.scalars(select(PlayerProfile)).one()
    assert response.headers["Location"].endswith(f"/l/riverside/players/{profile.id}")
    assert profile.status == ProfileStatus.DRAFT and profile.guardian_id == parent.id
    assert profile.is_self and profile.first_name == "Mia" and profile.date_of_birth.day == 14
    assert roles_of(parent.id, league.id) == {Role.PLAYER}
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mia is added" in page


def test_a_draft_saves_without_everything(signed_in, league):
    """Can a parent save just a name and birthday and come back later?"""
    response = signed_in.post(
        "/l/riverside/players/new",
        data={"first_name": "Mia", "last_name": "Parent", "date_of_birth": "2016-03-14"},
    )
    assert response.status_code == 303


def test_errors_show_next_to_fields_and_keep_what_was_typed(signed_in, league):
    """Does a form with mistakes come back (422) with every typed value and clear messages?"""
    response = signed_in.post(
        "/l/riverside/players/new",
        data=_form(first_name="  ", date_of_birth="2099-01-01", address="1 High St\nTown"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the player&#39;s first name." in page
    assert "The date of birth can&#39;t be in the future." in page
    assert 'value="Parent"' in page and 'value="+1 555 0101"' in page
    assert "1 High St\nTown</textarea>" in page
    assert 'value="2099-01-01"' in page
    assert 'aria-describedby="first_name-error"' in page or "first_name-error" in page
    with unscoped():
        assert db.session.scalar(select(db.func.count()).select_from(PlayerProfile)) == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1900-01-01", "more than 100 years ago"),
        ("14/03/2016", "like 2016-03-14"),
        ("", "Enter the date of birth."),
    ],
)
def test_date_of_birth_mistakes_read_plainly(signed_in, league, typed, message):
    """Is a mistyped date of birth refused with one plain message?"""
    response = signed_in.post("/l/riverside/players/new", data=_form(date_of_birth=typed))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert page.count('id="date_of_birth-error"') == 1


def test_a_phone_number_must_look_like_one(signed_in, league):
    """Is a phone number without digits refused with an example of a good one?"""
    response = signed_in.post("/l/riverside/players/new", data=_form(phone="call me"))
    assert response.status_code == 422
    assert "Enter a phone number" in response.get_data(as_text=True)


def test_the_same_child_twice_is_refused_on_the_form(signed_in, league, parent, make):
    """Does adding the same child twice say so next to the name?"""
    make.profile(
        league, parent, first_name="Mia", last_name="Parent", date_of_birth=date(2016, 3, 14)
    )
    response = signed_in.post("/l/riverside/players/new", data=_form())
    assert response.status_code == 422
    assert "already added Mia Parent" in response.get_data(as_text=True)


def test_mass_assignment_is_ignored(signed_in, make, league, parent):
    """Can extra form fields set status, reviewer, league, guardian or a role?"""
    other_league = make.league("elsewhere")
    someone = make.user()
    sneaky = _form(
        status="verified",
        reviewed_by_id=str(someone.id),
        verified_at="2026-01-01",
        league_id=str(other_league.id),
        guardian_id=str(someone.id),
        role="admin",
        is_platform_admin="1",
        photo_key="leagues/1/players/1/photo.jpg",
    )
    assert signed_in.post("/l/riverside/players/new", data=sneaky).status_code == 303
    with unscoped():
        profile = db.session.scalars(select(PlayerProfile)).one()
        grants = db.session.scalars(select(LeagueRole).where(LeagueRole.user_id == parent.id)).all()
    assert profile.status == ProfileStatus.DRAFT and profile.reviewed_by_id is None
    assert profile.league_id == league.id and profile.guardian_id == parent.id
    assert profile.verified_at is None and profile.photo_key is None
    assert [(g.league_id, g.role) for g in grants] == [(league.id, Role.PLAYER)]
    assert not parent.is_platform_admin

    signed_in.post(f"/l/riverside/players/{profile.id}/edit", data=sneaky | {"status": "submitted"})
    profile = _reload(profile.id)
    assert profile.status == ProfileStatus.DRAFT and profile.guardian_id == parent.id
