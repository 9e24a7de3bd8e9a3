"""Demo teams, for `flask demo seed` (portal/demo.py calls `seed_teams` per league).

Teams are made through the team services, so the demo obeys the same rules
as an admin: only verified players join, shirt numbers are unique per team,
and each player's card is remade to show the team. Demo players who are not
verified (yet) are left out; they join once a registrar approves them.
The demo referee (ref.jordan@example.com, Riverside) sees these teams'
rosters under "Check cards".
"""

from __future__ import annotations

from sqlalchemy import select

from portal.cards import team_services
from portal.cards.models import Team
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships.models import Program
from portal.players.models import PlayerProfile, ProfileStatus

# league slug -> [(team, the program's name starts with, [(first name, shirt number)])]
TEAMS = {
    "riverside": [
        (
            "U12 Riverside Hawks",
            "Spring recreational",
            [("Mia", "10"), ("Noah", "7"), ("Zara", "4"), ("Sofia", "2")],
        ),
        (
            "U16 Riverside Falcons",
            "Spring recreational",
            [("Ava", "9"), ("Lucas", "5"), ("Daniel", "11")],
        ),
    ],
    "northside-hockey": [
        ("Northside Blades", "Adult league", [("Jesse", "17"), ("Dana", "22"), ("Chris", "8")]),
    ],
}


def _program_id(prefix: str) -> int | None:
    return db.session.scalar(
        select(Program.id).where(Program.name.startswith(prefix)).order_by(Program.id).limit(1)
    )


def seed_teams(league: League, players: dict[str, PlayerProfile]) -> list[Team]:
    """The league's demo teams with those of `players` (by first name) who are verified.

    Call inside the league's scope; flushes, the caller commits.
    """
    made = []
    for name, program, roster in TEAMS.get(league.slug, []):
        team = team_services.create_team(league, name, _program_id(program))
        for first_name, number in roster:
            profile = players.get(first_name)
            if profile is not None and profile.status == ProfileStatus.VERIFIED:
                team_services.add_player(team, profile, number)
        made.append(team)
    return made
