"""Teams: the rules of the services, and the admin pages with and without htmx."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.cards import services as card_services
from portal.cards import team_services as teams
from portal.cards.content import card_content, team_of
from portal.cards.models import Team, TeamPlayer
from portal.cards.team_services import TeamError
from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.players.models import ProfileStatus
from portal.players.services import today_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin")


def _team(league, name="U12 Hawks", players=()):
    with league_scope(league.id):
        team = teams.create_team(league, name)
        for profile, number in players:
            teams.add_player(team, db.session.get(type(profile), profile.id), number)
        db.session.commit()
        return team.id


def _card_shows(league, profile):
    """What the player's card prints for team and shirt, from its content."""
    with league_scope(league.id):
        card = card_services.current_card(profile.id)
        content = card_content(card, today_in(league))
        return content["team"], content["shirt"]


# -- services ------------------------------------------------------------------------


def test_team_names_are_tidy_and_unique_ignoring_case(league):
    """Is a blank or duplicate (in any case) team name refused, and spaces tidied?"""
    with league_scope(league.id):
        team = teams.create_team(league, "  U12   Hawks ")
        assert team.name == "U12 Hawks"
        for bad in ("", "   ", "u12 hawks", "x" * 121):
            with pytest.raises(TeamError) as error:
                teams.create_team(league, bad)
            assert error.value.field == "name"
        teams.update_team(team, "U12 HAWKS", None)  # its own name in another case is fine
        assert team.name == "U12 HAWKS"


def test_program_must_be_of_the_league(make, league):
    """Can a team be tied to another league's program?"""
    other = make.league("elsewhere")
    foreign = make.plan(other, "Theirs").program_id
    ours = make.plan(league, "Ours").program_id
    with league_scope(league.id):
        with pytest.raises(TeamError) as error:
            teams.create_team(league, "Hawks", foreign)
        assert error.value.field == "program"
        assert teams.create_team(league, "Hawks", ours).program_id == ours


def test_only_verified_players_of_the_league_join(make, league, parent, player):
    """Are unverified players, players of another league and a second place refused?"""
    draft = make.profile(league, parent, first_name="Leo")
    other = make.league("elsewhere")
    stranger = make.profile(other, parent, first_name="Sam", status=ProfileStatus.VERIFIED)
    team_id = _team(league)
    with league_scope(league.id):
        team = db.session.get(Team, team_id)
        with pytest.raises(TeamError, match="not verified"):
            teams.add_player(team, db.session.get(type(draft), draft.id))
        with unscoped():
            foreign = db.session.get(type(stranger), stranger.id)
        with pytest.raises(TeamError, match="this league"):
            teams.add_player(team, foreign)
        teams.add_player(team, db.session.get(type(player), player.id), "7")
        with pytest.raises(TeamError, match="already on"):
            teams.add_player(team, db.session.get(type(player), player.id))


def test_shirt_numbers_are_digits_and_not_shared(make, league, parent, player):
    """Is a number like "7a" refused, "#00" kept as "00", and a taken number refused?"""
    mate = make.profile(league, parent, first_name="Ava", status=ProfileStatus.VERIFIED)
    team_id = _team(league, players=[(player, "#00")])
    with league_scope(league.id):
        team = db.session.get(Team, team_id)
        assert team.players[0].number == "00"
        with pytest.raises(TeamError, match="1 to 3 digits"):
            teams.add_player(team, db.session.get(type(mate), mate.id), "7a")
        with pytest.raises(TeamError, match="already Mia Parent's"):
            teams.add_player(team, db.session.get(type(mate), mate.id), "00")
        entry = teams.add_player(team, db.session.get(type(mate), mate.id), "0")
        assert teams.set_number(entry, "0") is False  # unchanged
        assert teams.set_number(entry, "") is True and entry.number == ""


def test_the_card_shows_the_team_and_number_and_follows_changes(league, member):
    """Is the card remade when the player joins, changes number, the team is renamed, and
    when the team is deleted?"""
    with league_scope(league.id):
        card_services.issue(member)
        db.session.commit()
    team_id = _team(league, players=[(member, "9")])
    assert _card_shows(league, member) == ("U12 Hawks", "9")
    with league_scope(league.id):
        card = card_services.current_card(member.id)
        first_pdf = card.pdf_hash
        assert first_pdf  # made by the worker after the commit (huey runs inline in tests)
        team = db.session.get(Team, team_id)
        teams.update_team(team, "U12 Falcons", None)
        teams.set_number(team.players[0], "10")
        db.session.commit()
        assert card_services.current_card(member.id).pdf_hash != first_pdf
    assert _card_shows(league, member) == ("U12 Falcons", "10")
    with league_scope(league.id):
        teams.delete_team(db.session.get(Team, team_id))
        db.session.commit()
        assert team_of(member.id) == (None, "")
        assert db.session.scalars(select(TeamPlayer)).all() == []
    assert _card_shows(league, member) == (None, None)


# -- views -----------------------------------------------------------------------------


def test_admin_creates_a_team_without_javascript(client, login, league, admin):
    """Does a plain post add the team and go to its page?"""
    login(admin)
    response = client.post("/l/riverside/teams/", data={"name": "U12 Hawks", "program": ""})
    assert response.status_code == 303
    with league_scope(league.id):
        team = db.session.scalars(select(Team)).one()
    assert response.headers["Location"].endswith(f"/teams/{team.id}")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "U12 Hawks" in page.text and "Add a player" in page.text


def test_a_refused_name_shows_beside_its_field(client, login, league, admin):
    """Is a duplicate name answered 422 with the message, for htmx with only the list?"""
    _team(league)
    login(admin)
    plain = client.post("/l/riverside/teams/", data={"name": "u12 hawks"})
    assert plain.status_code == 422 and "already a team called u12 hawks" in plain.text
    assert "<html" in plain.text
    fragment = client.post("/l/riverside/teams/", data={"name": ""}, headers=HTMX)
    assert fragment.status_code == 422 and "Give the team a name." in fragment.text
    assert "<html" not in fragment.text and 'id="teams"' in fragment.text


def test_players_are_added_numbered_and_removed_in_place(client, login, league, admin, player):
    """Does each players form answer htmx with the players block, and a plain post with a
    redirect back to the team?"""
    team_id = _team(league)
    login(admin)
    base = f"/l/riverside/teams/{team_id}/players"
    added = client.post(base, data={"profile": player.id, "number": "7"}, headers=HTMX)
    assert added.status_code == 200 and 'id="team-players"' in added.text
    assert "Mia Parent" in added.text and "<html" not in added.text
    with league_scope(league.id):
        entry_id = db.session.scalars(select(TeamPlayer.id)).one()
    wrong = client.post(f"{base}/{entry_id}/number", data={"number": "seven"}, headers=HTMX)
    assert wrong.status_code == 422 and "1 to 3 digits" in wrong.text
    plain = client.post(f"{base}/{entry_id}/number", data={"number": "11"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/teams/{team_id}")
    with league_scope(league.id):
        assert db.session.get(TeamPlayer, entry_id).number == "11"
    removed = client.post(f"{base}/{entry_id}/remove", headers=HTMX)
    assert removed.status_code == 200 and "No players on U12 Hawks yet." in removed.text


def test_a_player_row_of_another_team_is_not_found(client, login, league, admin, player):
    """Can a team's URL be used to change a player's place on another team?"""
    first = _team(league, "Hawks", players=[(player, "1")])
    second = _team(league, "Falcons")
    with league_scope(league.id):
        entry_id = db.session.scalars(
            select(TeamPlayer.id).where(TeamPlayer.team_id == first)
        ).one()
    login(admin)
    url = f"/l/riverside/teams/{second}/players/{entry_id}/remove"
    assert client.post(url).status_code == 404
    with league_scope(league.id):
        assert db.session.get(TeamPlayer, entry_id) is not None


def test_rename_and_delete(client, login, league, admin):
    """Does renaming swap the settings block, and deleting redirect (htmx too) to the list?"""
    team_id = _team(league)
    login(admin)
    renamed = client.post(f"/l/riverside/teams/{team_id}", data={"name": "Hawks"}, headers=HTMX)
    assert renamed.status_code == 200 and 'id="team-settings"' in renamed.text
    assert "<h1>Hawks</h1>" in renamed.text
    deleted = client.post(f"/l/riverside/teams/{team_id}/delete", headers=HTMX)
    assert deleted.headers["HX-Redirect"].endswith("/l/riverside/teams/")
    listing = client.get("/l/riverside/teams/")
    assert "Deleted Hawks." in listing.text and "No teams yet" in listing.text


def test_registrars_manage_teams_referees_do_not(client, login, make, league, referee):
    """May a registrar manage teams, while a referee only sees them as rosters?"""
    registrar = make.member(league, Role.REGISTRAR)
    login(registrar)
    assert client.get("/l/riverside/teams/").status_code == 200
    login(referee)
    assert client.get("/l/riverside/teams/").status_code == 404
    assert client.post("/l/riverside/teams/", data={"name": "Sneaky"}).status_code == 404
