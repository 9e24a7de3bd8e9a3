"""Teams and their players: create, rename, delete, add, number, remove.

Flush, never commit (the view commits once). A team and a shirt number are
printed on the card, so every change that touches what a player's card shows
calls `cards.services.changed(profile_id)`: the card is remade after the
commit (and only if its content really changed). Problems raise `TeamError`
with the form field they belong to, so the page can show them in place.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.cards import services as card_services
from portal.cards.models import Team, TeamPlayer
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships.models import Program
from portal.players.models import PlayerProfile, ProfileStatus

NAME_MAX = 120
# Shirt numbers as printed: "7", "00", "123". Kept as text so "00" stays "00".
NUMBER = re.compile(r"^[0-9]{1,3}$")


class TeamError(ValueError):
    """A change that was refused, with the form field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _name(name: str, team: Team | None = None) -> str:
    """A tidy, unique (ignoring case) team name of the league."""
    name = " ".join((name or "").split())
    if not name:
        raise TeamError("name", "Give the team a name.")
    if len(name) > NAME_MAX:
        raise TeamError("name", f"Keep the name to {NAME_MAX} characters.")
    taken = select(Team.id).where(func.lower(Team.name) == name.lower())
    if team is not None:
        taken = taken.where(Team.id != team.id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise TeamError("name", f"There is already a team called {name}.")
    return name


def _program_id(program_id: int | None) -> int | None:
    """The program exists in this league (the tenancy filter hides others), or none."""
    if program_id is None:
        return None
    if db.session.scalar(select(Program.id).where(Program.id == program_id)) is None:
        raise TeamError("program", "Choose one of the league's programs.")
    return program_id


def _number(team: Team, number: str, entry: TeamPlayer | None = None) -> str:
    """A shirt number (or none) that no one else on the team wears."""
    number = (number or "").strip().removeprefix("#").strip()
    if not number:
        return ""
    if not NUMBER.match(number):
        raise TeamError("number", "A shirt number is 1 to 3 digits, like 7 or 00.")
    for other in team.players:
        if other is not entry and other.number == number:
            raise TeamError("number", f"#{number} is already {other.profile.full_name}'s.")
    return number


def create_team(league: League, name: str, program_id: int | None = None) -> Team:
    team = Team(league_id=league.id, name=_name(name), program_id=_program_id(program_id))
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: Team, name: str, program_id: int | None) -> None:
    """Rename a team or move it to another program; a new name is printed on its cards."""
    name = _name(name, team)
    team.program_id = _program_id(program_id)
    if name != team.name:
        team.name = name
        card_services.changed(*(entry.profile_id for entry in team.players))
    db.session.flush()


def delete_team(team: Team) -> None:
    """Remove the team; its players stay in the league, their cards lose the team line."""
    profile_ids = [entry.profile_id for entry in team.players]
    db.session.delete(team)
    db.session.flush()
    card_services.changed(*profile_ids)


def add_player(team: Team, profile: PlayerProfile, number: str = "") -> TeamPlayer:
    """Put a verified player of the league on the team, with an optional shirt number."""
    if profile.league_id != team.league_id:
        raise TeamError("profile", "Choose a player of this league.")
    if profile.status != ProfileStatus.VERIFIED:
        raise TeamError("profile", f"{profile.full_name}'s profile is not verified yet.")
    if any(entry.profile_id == profile.id for entry in team.players):
        raise TeamError("profile", f"{profile.full_name} is already on {team.name}.")
    entry = TeamPlayer(league_id=team.league_id, profile=profile, number=_number(team, number))
    team.players.append(entry)
    db.session.flush()
    card_services.changed(profile.id)
    return entry


def set_number(entry: TeamPlayer, number: str) -> bool:
    """Change a player's shirt number; True if it changed (and the card is remade)."""
    number = _number(entry.team, number, entry)
    if number == entry.number:
        return False
    entry.number = number
    db.session.flush()
    card_services.changed(entry.profile_id)
    return True


def remove_player(entry: TeamPlayer) -> None:
    profile_id = entry.profile_id
    entry.team.players.remove(entry)
    db.session.flush()
    card_services.changed(profile_id)
