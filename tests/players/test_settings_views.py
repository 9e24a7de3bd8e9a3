"""League admin's player settings page: saving, validation, and the worked example of the
age rule."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from portal.core.tenancy import league_scope
from portal.leagues.models import ApprovalMode, GenderField
from portal.players import queries, rules
from portal.players.settings_services import PlayerSettings, SettingsError, update_player_settings
from tests.players.settings_helpers import HTMX, URL, _form, _reload


def test_page_explains_the_rule_with_a_worked_example(client, make, league, admin):
    """Does the page show the settings and a worked example computed from them?"""
    make.age_group(league, "U10", 8, 9, position=0)
    make.age_group(league, "U12", 10, 11, position=1)
    page = client.get(URL).get_data(as_text=True)
    assert "<h1>Player settings</h1>" in page
    assert "Name and date of birth are always required" in page
    assert "first group their age fits" in page
    text = " ".join(page.split())
    assert "A player born on <strong>14 March 2016</strong>" in text
    assert "is <strong>10</strong> on 31 December 2026" in text
    assert '<strong class="example-group">U12</strong>' in text


def test_admin_saves_every_setting(client, league, admin):
    """Do all the player settings save, with a fixed cutoff date?"""
    response = client.post(
        URL,
        data=_form(
            require_phone=None,
            require_address="y",
            require_photo=None,
            gender_field="required",
            season_year="2027",
            cutoff="fixed",
            age_cutoff_month="8",
            age_cutoff_day="1",
            approval_mode="auto_renewals",
            document_retention_days="30",
            renewal_window_days="45",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(URL)
    saved = _reload()
    assert (saved.require_phone, saved.require_address, saved.require_photo) == (
        False,
        True,
        False,
    )
    assert saved.require_emergency_contact and saved.require_document
    assert saved.gender_field == GenderField.REQUIRED
    assert (saved.season_year, saved.age_cutoff_month, saved.age_cutoff_day) == (2027, 8, 1)
    assert saved.approval_mode == ApprovalMode.AUTO_RENEWALS
    assert (saved.document_retention_days, saved.renewal_window_days) == (30, 45)
    assert "Player settings saved." in client.get(URL).get_data(as_text=True)


def test_payment_and_card_settings_save(client, league, admin):
    """Do the reminder days, promotion codes and the cards' date-of-birth choices save?"""
    response = client.post(
        URL,
        data=_form(
            renewal_reminder_days="7",
            allow_promotion_codes="y",
            card_shows_birth_date="y",
            verify_shows_birth_date="y",
        ),
    )
    assert response.status_code == 303
    saved = _reload()
    assert saved.renewal_reminder_days == 7
    assert saved.allow_promotion_codes and saved.card_shows_birth_date
    assert saved.verify_shows_birth_date
    client.post(URL, data=_form(renewal_reminder_days="0"))
    saved = _reload()
    assert saved.renewal_reminder_days == 0
    assert not (saved.allow_promotion_codes or saved.card_shows_birth_date)


def test_end_of_season_choice_ignores_the_fixed_date_fields(client, league, admin):
    """Does "31 December" save 31 December, whatever the hidden month and day say?"""
    client.post(URL, data=_form(cutoff="fixed", age_cutoff_month="8", age_cutoff_day="1"))
    assert (_reload().age_cutoff_month, _reload().age_cutoff_day) == (8, 1)
    response = client.post(URL, data=_form(age_cutoff_month="4", age_cutoff_day="31"))
    assert response.status_code == 303
    saved = _reload()
    assert (saved.age_cutoff_month, saved.age_cutoff_day) == (12, 31)


def test_a_fixed_date_shows_as_chosen_when_the_page_opens_again(client, league, admin):
    """Does a saved fixed cutoff come back selected with its month and day?"""
    client.post(URL, data=_form(cutoff="fixed", age_cutoff_month="9", age_cutoff_day="1"))
    page = client.get(URL).get_data(as_text=True)
    assert '<input checked id="cutoff-1" name="cutoff"' in page
    assert '<option selected value="9">September</option>' in page
    assert "on <strong>1 September 2026</strong>" in page


def test_29_february_is_allowed_and_falls_back_in_common_years(client, league, admin):
    """Is 29 February accepted, and counted as the 28th in a year without it?"""
    response = client.post(
        URL,
        data=_form(season_year="2027", cutoff="fixed", age_cutoff_month="2", age_cutoff_day="29"),
    )
    assert response.status_code == 303
    assert (_reload().age_cutoff_month, _reload().age_cutoff_day) == (2, 29)
    assert "28 February 2027" in client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"cutoff": "fixed", "age_cutoff_month": "4", "age_cutoff_day": "31"},
            "31 April does not exist. Choose a day from 1 to 30.",
        ),
        (
            {"cutoff": "fixed", "age_cutoff_month": "2", "age_cutoff_day": "30"},
            "30 February does not exist. Choose a day from 1 to 29.",
        ),
        ({"cutoff": "fixed", "age_cutoff_day": "0"}, "Choose a day from 1 to 31."),
        ({"cutoff": "fixed", "age_cutoff_day": ""}, "Enter the day of the month."),
        ({"season_year": "1999"}, "Enter a season year from 2000 to 2100."),
        ({"season_year": "2101"}, "Enter a season year from 2000 to 2100."),
        ({"season_year": "next"}, "Enter the year as a number, like 2026."),
        ({"season_year": ""}, "Enter the season year, like 2026."),
        ({"document_retention_days": "-1"}, "Enter a number of days from 0 to 365."),
        ({"document_retention_days": "366"}, "Enter a number of days from 0 to 365."),
        ({"document_retention_days": ""}, "Enter a number of days (0 is allowed)."),
        ({"renewal_window_days": "400"}, "Enter a number of days from 0 to 365."),
        ({"renewal_window_days": "2.5"}, "Enter a whole number, like 12."),
        ({"gender_field": None}, "Choose whether to ask for gender."),
        ({"approval_mode": None}, "Choose how profiles are approved."),
    ],
)
def test_invalid_settings_show_the_error_keep_values_and_save_nothing(
    client, league, admin, changes, message
):
    """Does each invalid value re-render the form (422) with a clear error and save nothing?"""
    response = client.post(URL, data=_form(require_address="y", **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "Please correct the highlighted fields." in page
    for name, value in changes.items():
        if value:
            assert f'value="{value}"' in page, name  # what was typed is kept
    saved = _reload()
    assert saved.require_address is False
    assert (saved.season_year, saved.age_cutoff_month, saved.age_cutoff_day) == (2026, 12, 31)


def test_the_service_refuses_a_day_the_month_lacks(league):
    """Does the service itself refuse 31 April, for callers that skip the form?"""
    settings = replace(PlayerSettings.of(league), age_cutoff_month=4, age_cutoff_day=31)
    with pytest.raises(SettingsError, match="31 April does not exist") as caught:
        update_player_settings(league, settings)
    assert caught.value.field == "age_cutoff_day"
    assert (_reload().age_cutoff_month, _reload().age_cutoff_day) == (12, 31)


def test_changing_the_cutoff_changes_a_profiles_age_group(client, make, league, admin):
    """Does moving the cutoff to 1 August put an autumn-born player in the younger group?"""
    make.age_group(league, "U10", 8, 9, position=0)
    make.age_group(league, "U12", 10, 11, position=1)
    profile = make.profile(league, make.user(), date_of_birth=date(2016, 9, 15))

    def group_name() -> str:
        saved = _reload()
        with league_scope(league.id):
            age = rules.league_age(profile.date_of_birth, saved)
            return rules.age_group_for(age, queries.age_groups()).name

    assert group_name() == "U12"  # 10 on 31 December 2026
    client.post(URL, data=_form(cutoff="fixed", age_cutoff_month="8", age_cutoff_day="1"))
    assert group_name() == "U10"  # still 9 on 1 August 2026


# The worked example -------------------------------------------------------------------


def test_trying_a_date_of_birth_updates_the_example(client, make, league, admin):
    """Does the "try a date" box answer htmx with just the example for that date?"""
    make.age_group(league, "U8", 6, 7)
    response = client.get(URL + "/age-example?dob=2019-05-01", headers=HTMX)
    assert response.status_code == 200
    page = " ".join(response.get_data(as_text=True).split())
    assert page.startswith('<div id="age-example"')
    assert "born on <strong>1 May 2019</strong> is <strong>7</strong>" in page
    assert '<strong class="example-group">U8</strong>' in page


def test_trying_a_date_works_without_javascript(client, league, admin):
    """Does the plain GET form show the whole page with the example and the date kept?"""
    response = client.get(URL + "/age-example?dob=2030-01-01")
    page = " ".join(response.get_data(as_text=True).split())
    assert "<html" in page
    assert 'value="2030-01-01"' in page
    assert "is not yet born on 31 December 2026" in page


def test_a_date_that_is_not_a_date_gets_a_message(client, league, admin):
    """Does a nonsense date say how to write one, and keep the default example?"""
    page = client.get(URL + "/age-example?dob=14/03/2016").get_data(as_text=True)
    assert "Enter a date like 2016-03-14." in page
    assert "14 March 2016" in page


def test_the_tried_date_survives_a_change_to_the_groups(client, league, admin):
    """Does an htmx change to the list keep the example on the date being tried?"""
    response = client.post(
        URL + "/age-groups",
        data={"name": "Minis", "max_age": "5", "dob": "2022-06-01"},
        headers=HTMX,
    )
    page = " ".join(response.get_data(as_text=True).split())
    assert "born on <strong>1 June 2022</strong> is <strong>4</strong>" in page
    assert '<strong class="example-group">Minis</strong>' in page


def test_adult_league_example_picks_an_adult_age(client, make, league, admin):
    """With only adult groups, does the default example show an adult, not a 10-year-old?"""
    make.age_group(league, "O-40", 40, position=0)
    make.age_group(league, "Open", 18, position=1)
    page = " ".join(client.get(URL).get_data(as_text=True).split())
    assert "born on <strong>14 March 1986</strong> is <strong>40</strong>" in page


def test_every_form_carries_the_csrf_token(client, make, league, admin, csrf_on):
    """With CSRF on, do the settings and age group forms post with their own token, and
    is a post without one refused?"""
    make.age_group(league, "U8", 6, 7)
    page = client.get(URL).get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert len(tokens) >= 5  # settings, move, delete, add, presets
    assert client.post(URL + "/age-groups", data={"name": "U10", "max_age": "9"}).status_code == 400
    response = client.post(
        URL + "/age-groups", data={"name": "U10", "max_age": "9", "csrf_token": tokens[-1]}
    )
    assert response.status_code == 303
    response = client.post(URL, data=_form(require_address="y", csrf_token=tokens[0]))
    assert response.status_code == 303 and _reload().require_address
