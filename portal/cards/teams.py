"""League staff: teams and who plays on them, with shirt numbers.

A team (and a player's shirt number) is printed on the player's card and is
what a referee's game-day roster lists. Every form here is a plain post that
works without JavaScript (save, then a 303 back to the page; 422 with the
message beside its field); with htmx the same post swaps only the part of the
page that changed. Registrars manage teams as well as admins: they know the
players.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from portal.cards import team_queries as queries
from portal.cards import team_services as services
from portal.cards.models import Team, TeamPlayer
from portal.cards.team_services import TeamError
from portal.core.htmx import hx_redirect, is_fragment_request, render
from portal.core.paging import positive_id
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.players.models import PlayerProfile

bp = Blueprint("teams", __name__, url_prefix="/teams")

INDEX = "cards/teams/index.html"
LIST = "cards/teams/_list.html"
TEAM = "cards/teams/team.html"
SETTINGS = "cards/teams/_settings.html"
PLAYERS = "cards/teams/_players.html"


def _program_id() -> int | None:
    """The chosen program: none, or an id the service checks against the league."""
    value = request.form.get("program", "")
    if not value:
        return None
    program_id = positive_id(value)
    if program_id is None:
        raise TeamError("program", "Choose one of the league's programs.")
    return program_id


def _index(fragment: str | None = None, errors: dict | None = None, status: int = 200):
    return render(
        INDEX,
        fragment,
        status=status,
        teams=queries.teams(),
        programs=queries.programs(),
        errors=errors or {},
        values=request.form if errors else {},
    )


def _team(team: Team, fragment: str | None = None, errors: dict | None = None, status: int = 200):
    """The team page, or (for htmx) the part of it that a form changed."""
    return render(
        TEAM,
        fragment,
        status=status,
        team=team,
        players=queries.team_players(team),
        addable=queries.addable_players(team),
        programs=queries.programs(),
        errors=errors or {},
        values=request.form if errors else {},
    )


def _entry(team: Team, entry_id: int) -> TeamPlayer:
    """A player's place on this team (another team's row, even of this league, is 404)."""
    entry = get_or_404(TeamPlayer, entry_id)
    if entry.team_id != team.id:
        abort(404)
    return entry


def _saved(team: Team, fragment: str, message: str):
    """Commit, then the changed part for htmx, or a redirect back to the page."""
    db.session.commit()
    flash(message, "success")
    if is_fragment_request():
        return _team(team, fragment)
    return redirect(url_for(".team", team_id=team.id), 303)


def _refused(team: Team, fragment: str, error: TeamError, key: str | None = None):
    db.session.rollback()
    return _team(team, fragment, errors={key or error.field: str(error)}, status=422)


@bp.get("/")
@league_permission_required("manage_teams")
def index():
    """The league's teams, how many players each has, and a form for a new one."""
    return _index()


@bp.post("/")
@league_permission_required("manage_teams")
def create():
    try:
        team = services.create_team(g.league, request.form.get("name", ""), _program_id())
    except TeamError as error:
        db.session.rollback()
        return _index(LIST, errors={error.field: str(error)}, status=422)
    db.session.commit()
    flash(f"Added {team.name}. Open it to add its players.", "success")
    if is_fragment_request():
        return _index(LIST)
    return redirect(url_for(".team", team_id=team.id), 303)


@bp.get("/<int:team_id>")
@league_permission_required("manage_teams")
def team(team_id: int):
    """One team: its name and program, its players with their numbers, and who can join."""
    return _team(get_or_404(Team, team_id))


@bp.post("/<int:team_id>")
@league_permission_required("manage_teams")
def update(team_id: int):
    """Rename the team (its players' cards are remade) or change its program."""
    team = get_or_404(Team, team_id)
    try:
        services.update_team(team, request.form.get("name", ""), _program_id())
    except TeamError as error:
        return _refused(team, SETTINGS, error)
    return _saved(team, SETTINGS, f"Saved {team.name}.")


@bp.post("/<int:team_id>/delete")
@league_permission_required("manage_teams")
def delete(team_id: int):
    """Delete the team; its players stay in the league and keep their cards."""
    team = get_or_404(Team, team_id)
    name = team.name
    services.delete_team(team)
    db.session.commit()
    flash(f"Deleted {name}.", "info")
    return hx_redirect(url_for(".index"))


@bp.post("/<int:team_id>/players")
@league_permission_required("manage_teams")
def add_player(team_id: int):
    team = get_or_404(Team, team_id)
    profile_id = positive_id(request.form.get("profile"))
    try:
        if profile_id is None:
            raise TeamError("profile", "Choose a player to add.")
        profile = get_or_404(PlayerProfile, profile_id)
        entry = services.add_player(team, profile, request.form.get("number", ""))
    except TeamError as error:
        return _refused(team, PLAYERS, error)
    number = f" as #{entry.number}" if entry.number else ""
    return _saved(team, PLAYERS, f"Added {profile.full_name} to {team.name}{number}.")


@bp.post("/<int:team_id>/players/<int:entry_id>/number")
@league_permission_required("manage_teams")
def set_number(team_id: int, entry_id: int):
    team = get_or_404(Team, team_id)
    entry = _entry(team, entry_id)
    try:
        services.set_number(entry, request.form.get("number", ""))
    except TeamError as error:
        return _refused(team, PLAYERS, error, key=f"number-{entry.id}")
    shown = f"#{entry.number}" if entry.number else "no number"
    return _saved(team, PLAYERS, f"{entry.profile.full_name} now wears {shown}.")


@bp.post("/<int:team_id>/players/<int:entry_id>/remove")
@league_permission_required("manage_teams")
def remove_player(team_id: int, entry_id: int):
    team = get_or_404(Team, team_id)
    entry = _entry(team, entry_id)
    name = entry.profile.full_name
    services.remove_player(entry)
    return _saved(team, PLAYERS, f"Removed {name} from {team.name}.")
