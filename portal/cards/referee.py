"""The referee at the field: scan a card, see a team's cards, and (admins) the check log.

The scanner page opens the phone's camera and decodes QR codes in the
browser (static/js/scanner.js: the native BarcodeDetector where there is one,
else jsQR on video frames), then asks the public check endpoint
/v/<token>.json, whose answer it shows in place. That request carries the
referee's session, so the check endpoint logs it (who, when, card, result):
there is one place that decides and one that logs. Without a camera or
JavaScript the page is a form: type the link or member number printed on the
card, and `find` sends the browser to the check page for it.
"""

from __future__ import annotations

import re

from flask import Blueprint, g, jsonify, redirect, request, url_for

from portal.cards import services
from portal.cards import team_queries as queries
from portal.cards.content import member_number
from portal.cards.models import Team
from portal.cards.status import VERDICTS
from portal.cards.verify import TOKEN
from portal.core.htmx import render
from portal.core.permissions import league_permission_required
from portal.core.storage import redirect_to_file
from portal.core.tenancy import MAX_ID, get_or_404
from portal.extensions import limiter
from portal.players.models import PlayerProfile
from portal.players.services import today_in

bp = Blueprint("referee", __name__, url_prefix="/check")

SCANNER = "cards/referee/scanner.html"
ROSTER = "cards/referee/roster.html"
LOG = "cards/referee/log.html"
LOG_LIST = "cards/referee/_log_list.html"
# The check URL in a QR code or pasted from the card: any host, our path.
IN_URL = re.compile(r"/v/([A-Za-z0-9_-]{16,64})(?:\.json)?/?(?:[?#].*)?$")
# The member number printed on the card: league id, dash, player id.
MEMBER = re.compile(r"^(\d{1,10})\s*-\s*(\d{1,10})$")
CODE_MAX = 300


class CodeError(ValueError):
    """What was typed is not a card we can look up."""


def token_for(code: str) -> str:
    """The card token in a typed or pasted code: a check link, a bare token, or the
    member number of one of this league's players (their current card)."""
    if len(code) > CODE_MAX:
        raise CodeError("That is too long to be a card link or member number.")
    code = "".join(code.split())
    if not code:
        raise CodeError("Type the link or the member number printed on the card.")
    if found := IN_URL.search(code):
        return found.group(1)
    if found := MEMBER.match(code):
        league_id, profile_id = (int(part) for part in found.groups())
        card = None
        if league_id == g.league.id and 0 < profile_id <= MAX_ID:
            card = services.current_card(profile_id)
        if card is None:
            raise CodeError(f"No card of {g.league.name} has the member number {code}.")
        return card.token
    if TOKEN.match(code):
        return code
    raise CodeError("That is not a card link or member number. Check it and try again.")


@bp.get("/")
@league_permission_required("check_cards")
def scanner():
    """The scanner, the type-a-code form, and the league's teams for their rosters."""
    return render(SCANNER, teams=queries.teams(), error=None, code="")


@bp.get("/find")
@league_permission_required("check_cards")
@limiter.limit("120 per minute")
def find():
    """A typed code: on to its check page (or its JSON, for the scanner's script)."""
    wants_json = request.args.get("format") == "json"
    code = request.args.get("code", "")
    try:
        token = token_for(code)
    except CodeError as error:
        if wants_json:
            return jsonify(error=str(error)), 422
        return render(
            SCANNER, teams=queries.teams(), error=str(error), code=code[:CODE_MAX], status=422
        )
    endpoint = "check.verify_json" if wants_json else "check.verify"
    return redirect(url_for(endpoint, token=token), 303)


@bp.get("/teams/<int:team_id>")
@league_permission_required("check_cards")
def roster(team_id: int):
    """A team's players with photo, shirt number and what each card says right now."""
    team = get_or_404(Team, team_id)
    today = today_in(g.league)
    rows = queries.roster(team, today)
    return render(
        ROSTER,
        team=team,
        rows=rows,
        today=today,
        valid=sum(1 for row in rows if row.verdict.is_valid),
        member_number=member_number,
    )


@bp.get("/players/<int:profile_id>/photo")
@league_permission_required("check_cards")
def photo(profile_id: int):
    """A player's small photo for the roster (referees do not see the review pages)."""
    profile = get_or_404(PlayerProfile, profile_id)
    return redirect_to_file(profile.photo_thumb_key or profile.photo_key)


@bp.get("/log")
@league_permission_required("manage_league")
def log():
    """Every check made by the league's staff, newest first, by result and by referee."""
    filters = queries.CheckFilters.read(request.args)
    return render(
        LOG,
        LOG_LIST,
        page=queries.checks(filters),
        filters=filters,
        checkers=queries.checkers(),
        results=VERDICTS,
        timezone=g.league.timezone,
    )
