"""The age groups on the player settings page: adding, removing, moving and presets, with
and without htmx, each league keeping its own."""

from __future__ import annotations

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.players import queries, rules
from portal.players.models import AgeGroup
from tests.players.settings_helpers import HTMX, URL, _form, _reload


def _groups(league) -> list[tuple[str, int | None, int | None]]:
    db.session.expire_all()
    with league_scope(league.id):
        return [(g.name, g.min_age, g.max_age) for g in queries.age_groups()]


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
