"""Access rows for teams (league admins and registrars) and the referee's pages (league
staff who check cards); the check log is for league admins.

{team} is league A's team with the submitted {profile} on it as {team_player} (a profile
with no card, so the rows that change the team never make a card PDF); {b_team} is a team
of league B, "not found" under league A's address for everyone. The rows post no form
data: a create, rename or add with nothing in it is refused (422, nothing saved). The
state-changing rows come last: the number is cleared, the player removed, the team deleted.
"""

from tests.access import ADMIN_ONLY, NOBODY, REGISTRAR_ONLY

REFUSED = {**REGISTRAR_ONLY, "registrar": 422, "admin": 422, "platform": 422}
DONE = {**REGISTRAR_ONLY, "registrar": 303, "admin": 303, "platform": 303}
# Check-cards staff: registrars and admins here (referees too, see tests/cards/test_referee.py).
STAFF = REGISTRAR_ONLY
REDIRECTED = {**STAFF, "registrar": 302, "admin": 302, "platform": 302}  # to the stored file

ROWS = [
    ("l.teams.index", "GET", "/l/{a}/teams/", REGISTRAR_ONLY),
    ("l.teams.create", "POST", "/l/{a}/teams/", REFUSED),
    ("l.teams.team", "GET", "/l/{a}/teams/{team}", REGISTRAR_ONLY),
    ("l.teams.team", "GET", "/l/{a}/teams/{b_team}", NOBODY),
    ("l.teams.update", "POST", "/l/{a}/teams/{team}", REFUSED),
    ("l.teams.update", "POST", "/l/{a}/teams/{b_team}", NOBODY),
    ("l.teams.add_player", "POST", "/l/{a}/teams/{team}/players", REFUSED),
    ("l.teams.set_number", "POST", "/l/{a}/teams/{b_team}/players/{team_player}/number", NOBODY),
    ("l.teams.remove_player", "POST", "/l/{a}/teams/{b_team}/players/{team_player}/remove", NOBODY),
    ("l.teams.delete", "POST", "/l/{a}/teams/{b_team}/delete", NOBODY),
    ("l.referee.scanner", "GET", "/l/{a}/check/", STAFF),
    (
        "l.referee.find",
        "GET",
        "/l/{a}/check/find?code={card}",
        {**STAFF, "registrar": 303, "admin": 303, "platform": 303},
    ),
    (
        "l.referee.find",
        "GET",
        "/l/{a}/check/find?code=nonsense",
        {**STAFF, "registrar": 422, "admin": 422, "platform": 422},
    ),
    ("l.referee.roster", "GET", "/l/{a}/check/teams/{team}", STAFF),
    ("l.referee.roster", "GET", "/l/{a}/check/teams/{b_team}", NOBODY),
    ("l.referee.photo", "GET", "/l/{a}/check/players/{verified_profile}/photo", REDIRECTED),
    ("l.referee.photo", "GET", "/l/{a}/check/players/{b_profile}/photo", NOBODY),
    ("l.referee.log", "GET", "/l/{a}/check/log", ADMIN_ONLY),
    ("l.referee.log", "GET", "/l/{a}/check/log?result=valid&referee=1&page=2", ADMIN_ONLY),
    # State-changing: last.
    ("l.teams.set_number", "POST", "/l/{a}/teams/{team}/players/{team_player}/number", DONE),
    ("l.teams.remove_player", "POST", "/l/{a}/teams/{team}/players/{team_player}/remove", DONE),
    ("l.teams.delete", "POST", "/l/{a}/teams/{team}/delete", DONE),
]
