"""League admin's player settings page: saving, validation, age groups with and without htmx."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import ApprovalMode, GenderField, League
from portal.players import queries, rules
from portal.players.models import AgeGroup
from portal.players.settings_services import PlayerSettings, SettingsError, update_player_settings

URL = "/l/riverside/settings/players"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", season_year=2026)


@pytest.fixture
def admin(make, league, login):
    person = make.member(league, Role.ADMIN)
    login(person)
    return person


def _reload() -> League:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(League).where(League.slug == "riverside")).one()


def _groups(league) -> list[tuple[str, int | None, int | None]]:
    db.session.expire_all()
    with league_scope(league.id):
        return [(g.name, g.min_age, g.max_age) for g in queries.age_groups()]


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


# Age groups ---------------------------------------------------------------------------


def test_adding_a_group_with_htmx_returns_the_list_fragment(client, league, admin):
    """Does an htmx add answer with just the age groups section and the flash, not a page?"""
    response = client.post(
        URL + "/age-groups", data={"name": " U12 ", "min_age": "10", "max_age": "11"}, headers=HTMX
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="age-groups"')
    assert "<strong>U12</strong>" in page and "ages 10-11" in page
    assert 'hx-swap-oob="true"' in page and "Added U12 (ages 10-11)." in page
    assert "HX-Request" in response.headers["Vary"]
    assert _groups(league) == [("U12", 10, 11)]


def test_adding_a_group_without_javascript_redirects_back(client, league, admin):
    """Does a plain form post add the group and come back to the list (no JS needed)?"""
    response = client.post(URL + "/age-groups", data={"name": "Open", "min_age": "18"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(URL + "#age-groups")
    assert _groups(league) == [("Open", 18, None)]
    assert "Added Open (18 and over)." in client.get(URL).get_data(as_text=True)


def test_either_bound_may_be_empty(client, league, admin):
    """May a group leave out its youngest age, its oldest, or both?"""
    for name, low, high in (("Minis", "", "5"), ("Seniors", "60", ""), ("Everyone", "", "")):
        client.post(URL + "/age-groups", data={"name": name, "min_age": low, "max_age": high})
    assert _groups(league) == [("Minis", None, 5), ("Seniors", 60, None), ("Everyone", None, None)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Enter a name, like U12 or Open."),
        ({"name": "x" * 31}, "Keep the name to 30 characters or fewer."),
        ({"name": "U12", "min_age": "12", "max_age": "10"}, "must not be below the youngest"),
        ({"name": "U12", "min_age": "121"}, "Enter an age from 0 to 120."),
        ({"name": "U12", "max_age": "-1"}, "Enter an age from 0 to 120."),
        ({"name": "U12", "max_age": "ten"}, "Enter a whole number, like 12."),
        ({"name": "u10", "max_age": "9"}, "There is already a group called u10."),
    ],
)
def test_invalid_age_group_shows_the_error_and_adds_nothing(
    client, make, league, admin, data, message
):
    """Does each invalid group answer 422 with a clear error, keep the values, add nothing?"""
    make.age_group(league, "U10", 8, 9)
    response = client.post(URL + "/age-groups", data=data, headers=HTMX)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "<html" not in page  # htmx swaps the fragment in place
    if data["name"]:
        assert f'value="{data["name"]}"' in page
    assert _groups(league) == [("U10", 8, 9)]


def test_invalid_age_group_without_javascript_gets_the_whole_page(client, league, admin):
    """Does a plain post of a bad group get the full page with the error (422)?"""
    response = client.post(URL + "/age-groups", data={"name": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<html" in page and "Enter a name, like U12 or Open." in page


def test_duplicate_names_are_refused_whatever_the_case(client, make, league, admin):
    """Is "OPEN" refused when the league already has "Open"?"""
    make.age_group(league, "Open", 18)
    response = client.post(URL + "/age-groups", data={"name": "OPEN", "min_age": "21"})
    assert response.status_code == 422
    assert "There is already a group called OPEN." in response.get_data(as_text=True)
    assert _groups(league) == [("Open", 18, None)]


def test_the_same_name_in_another_league_is_fine(client, make, league, admin):
    """May two leagues each have their own U12?"""
    make.age_group(make.league("elsewhere"), "U12", 10, 11)
    response = client.post(URL + "/age-groups", data={"name": "U12", "max_age": "11"})
    assert response.status_code == 303
    assert _groups(league) == [("U12", None, 11)]


def test_delete_removes_the_group(client, make, league, admin):
    """Does removing a group delete it, answering htmx with the list and a plain post with 303?"""
    u8 = make.age_group(league, "U8", 6, 7, position=0)
    u10 = make.age_group(league, "U10", 8, 9, position=1)
    response = client.post(f"{URL}/age-groups/{u8.id}/delete", headers=HTMX)
    assert response.status_code == 200
    assert "Removed U8." in response.get_data(as_text=True)
    assert "<strong>U8</strong>" not in response.get_data(as_text=True)
    assert _groups(league) == [("U10", 8, 9)]
    response = client.post(f"{URL}/age-groups/{u10.id}/delete")
    assert response.status_code == 303
    assert _groups(league) == []


def test_move_changes_the_order(client, make, league, admin):
    """Do up and down swap a group with its neighbour, and do nothing at either end?"""
    everyone, o30, o40 = (
        make.age_group(league, name, low, position=at)
        for at, (name, low) in enumerate((("Open", 18), ("O-30", 30), ("O-40", 40)))
    )

    def move(group, direction, **kwargs):
        url = f"{URL}/age-groups/{group.id}/move"
        return client.post(url, data={"direction": direction}, **kwargs)

    assert move(o40, "up", headers=HTMX).status_code == 200
    assert [name for name, *_ in _groups(league)] == ["Open", "O-40", "O-30"]
    assert move(everyone, "down").status_code == 303
    assert [name for name, *_ in _groups(league)] == ["O-40", "Open", "O-30"]
    move(o40, "up")
    move(o30, "down")
    assert [name for name, *_ in _groups(league)] == ["O-40", "Open", "O-30"]


def test_move_without_a_direction_is_a_bad_request(client, make, league, admin):
    """Is a move with no (or a made-up) direction refused as malformed?"""
    group = make.age_group(league, "U8", 6, 7)
    for data in ({}, {"direction": "sideways"}):
        assert client.post(f"{URL}/age-groups/{group.id}/move", data=data).status_code == 400


def test_a_group_hidden_by_an_earlier_one_is_flagged(client, make, league, admin):
    """Does the page warn that O-30 is never used when Open (18+) is checked first?"""
    make.age_group(league, "Open", 18, position=0)
    make.age_group(league, "O-30", 30, position=1)
    page = client.get(URL).get_data(as_text=True)
    assert page.count("Never used") == 1


def test_youth_preset_adds_two_year_bands(client, league, admin):
    """Does the youth preset add U6 (5 and under) then two-year bands up to U18 (16-17)?"""
    response = client.post(URL + "/age-groups/presets", data={"preset": "youth"}, headers=HTMX)
    assert response.status_code == 200
    assert "Added U6, U8, U10, U12, U14, U16, U18." in response.get_data(as_text=True)
    bands = [(f"U{n}", n - 2, n - 1) for n in range(8, 19, 2)]  # U8 = 6-7 ... U18 = 16-17
    assert _groups(league) == [("U6", None, 5), *bands]


def test_adult_preset_puts_the_oldest_group_first(client, league, admin):
    """Does the adult preset add O-40, O-30, Open in that order, so 45 lands in O-40?"""
    response = client.post(URL + "/age-groups/presets", data={"preset": "adult"})
    assert response.status_code == 303
    assert _groups(league) == [("O-40", 40, None), ("O-30", 30, None), ("Open", 18, None)]
    with league_scope(league.id):
        assert rules.age_group_for(45, queries.age_groups()).name == "O-40"
        assert rules.age_group_for(29, queries.age_groups()).name == "Open"


def test_presets_skip_names_that_already_exist(client, make, league, admin):
    """Does a preset leave an existing "open" alone, and say so; and twice, add nothing?"""
    make.age_group(league, "open", 16)
    response = client.post(URL + "/age-groups/presets", data={"preset": "adult"}, headers=HTMX)
    page = response.get_data(as_text=True)
    assert "Added O-40, O-30. Already there, left as they were: Open." in page
    assert _groups(league) == [("open", 16, None), ("O-40", 40, None), ("O-30", 30, None)]
    page = client.post(
        URL + "/age-groups/presets", data={"preset": "adult"}, headers=HTMX
    ).get_data(as_text=True)
    assert "All of these groups are already there." in page
    assert len(_groups(league)) == 3


def test_an_unknown_preset_is_a_bad_request(client, league, admin):
    """Is a preset name the page never offers refused?"""
    response = client.post(URL + "/age-groups/presets", data={"preset": "veterans"})
    assert response.status_code == 400
    assert _groups(league) == []


@pytest.mark.parametrize("action", ["delete", "move"])
def test_another_leagues_group_under_this_url_is_404(client, make, league, admin, action):
    """Can this league's address move or delete another league's age group?"""
    theirs = make.age_group(make.league("elsewhere"), "U12", 10, 11)
    response = client.post(f"{URL}/age-groups/{theirs.id}/{action}", data={"direction": "up"})
    assert response.status_code == 404
    with unscoped():
        assert db.session.get(AgeGroup, theirs.id) is not None


def test_registrar_cannot_change_settings(client, make, league, login):
    """Does a registrar get "not found" and change nothing?"""
    login(make.member(league, Role.REGISTRAR))
    assert client.post(URL, data=_form(require_address="y")).status_code == 404
    assert client.post(URL + "/age-groups/presets", data={"preset": "youth"}).status_code == 404
    assert _reload().require_address is False
    assert _groups(league) == []


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
