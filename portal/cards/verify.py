"""GET /v/<token>: what a referee sees after scanning a card, with no sign-in.

Small on purpose (a bad connection at the field): one tiny stylesheet, no
script, the photo at a modest size. It shows the photo, name, league, age
group, how long the card is valid and one big status word with a colour, and
nothing else about the player. The same verdict comes as JSON at
/v/<token>.json. Signed-in league staff get each check logged.

Lean, because it is the page a whole field of referees hits at kick-off: one
query reads the card, player, league, team and terms together (a row per
term) and a second the league's age groups, as plain rows rather than ORM
objects; the token decides the league, so the read is unscoped (a token is
unique across leagues). Anything that is not a well-formed token is UNKNOWN
before the database is asked, slashes included (/v/a%2Fb, /v/a/b.json). The
photo, resized once and stored, is then kept in memory by its key (a new photo
gets a new key).

A signed-in referee's check of a code that is no card is logged too (a fake card
leaves a trace); anonymous guesses are not, and cost no query beyond the card's.
The JSON carries the dates and the time of the check as the page words them
(`display`), so the referee's scanner shows exactly what the page shows.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from types import SimpleNamespace

from flask import Blueprint, Response, abort, jsonify, make_response, render_template
from PIL import Image
from sqlalchemy import and_, bindparam, select

from portal.cards import check_log
from portal.cards.content import member_number
from portal.cards.filters import card_date, checked_time
from portal.cards.models import Card, Team, TeamPlayer
from portal.cards.status import Verdict, verdict
from portal.core import ratelimit, tenancy
from portal.core.db import utcnow
from portal.core.images import jpeg_bytes
from portal.core.storage import StorageError, get_storage
from portal.extensions import db, limiter
from portal.leagues.models import League
from portal.memberships.models import Membership, MembershipStatus
from portal.players import rules
from portal.players.models import AgeGroup, PlayerProfile
from portal.players.services import today_in

log = logging.getLogger(__name__)
# Shown in the photo's place when the stored photo cannot be read (same size).
NO_PHOTO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="450" viewBox="0 0 360 450">'
    '<rect width="360" height="450" fill="#e5e7eb"/><text x="180" y="225" font-family="sans-serif"'
    ' font-size="28" text-anchor="middle" fill="#374151">No photo on file</text></svg>'
)

bp = Blueprint("check", __name__, url_prefix="/v")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
VERIFY_PHOTO = (360, 450)
PHOTO_CACHE_SIZE = 256  # about 25 KB each
CHECKS_PER_CLIENT = "300 per minute"
GUESSES_PER_CLIENT = "30 per minute"
TOO_MANY_CHECKS = "Too many checks from this device. Please wait a minute."


@dataclass(frozen=True)
class CheckLeague:
    """What the page needs of the league (read with the card, not as an ORM object)."""

    id: int
    name: str
    timezone: str
    verify_shows_birth_date: bool
    season_year: int
    age_cutoff_month: int
    age_cutoff_day: int


@dataclass
class Check:
    """One card as the check page shows it (None of this for an unknown token)."""

    card_id: int
    token: str
    league_id: int
    league: CheckLeague
    revoked: bool
    name: str
    born: date
    photo_key: str | None
    member: str
    team: str | None
    outcome: Verdict = field(default_factory=lambda: Verdict("unknown"))
    age_group: str | None = None


@cache
def _card_query():
    """Card, player, league, first team and every paid term of a token: a row per term.

    Built once; each request only binds the token."""
    team = (
        select(Team.name)
        .join(TeamPlayer, TeamPlayer.team_id == Team.id)
        .where(TeamPlayer.profile_id == PlayerProfile.id)
        .order_by(TeamPlayer.id)
        .limit(1)
        .scalar_subquery()
    )
    paid_term = and_(
        Membership.profile_id == PlayerProfile.id,
        Membership.status != MembershipStatus.PENDING_PAYMENT,
    )
    return (
        select(
            Card.id.label("card_id"),
            Card.league_id,
            Card.revoked_at,
            PlayerProfile.id.label("profile_id"),
            PlayerProfile.first_name,
            PlayerProfile.last_name,
            PlayerProfile.date_of_birth,
            PlayerProfile.status.label("profile_status"),
            PlayerProfile.photo_key,
            League.name.label("league_name"),
            League.timezone,
            League.verify_shows_birth_date,
            League.season_year,
            League.age_cutoff_month,
            League.age_cutoff_day,
            team.label("team"),
            Membership.status,
            Membership.starts_on,
            Membership.ends_on,
            Membership.suspended_until,
            Membership.ended_at,
        )
        .join(PlayerProfile, PlayerProfile.id == Card.profile_id)
        .join(League, League.id == Card.league_id)
        .outerjoin(Membership, paid_term)
        .where(Card.token == bindparam("token"))
    )


@cache
def _age_groups_query():
    return (
        select(AgeGroup.name, AgeGroup.min_age, AgeGroup.max_age)
        .where(AgeGroup.league_id == bindparam("league_id"))
        .order_by(AgeGroup.position, AgeGroup.id)
    )


def find(token: str) -> Check | None:
    """The card for a token (current or revoked) with today's verdict; None if unknown."""
    if not TOKEN.match(token or ""):
        return None
    # Run on the session's connection, skipping the ORM's per-statement work: these
    # are plain rows, and the read is unscoped anyway (the token decides the league).
    connection = db.session.connection()
    rows = connection.execute(_card_query(), {"token": token}).all()
    if not rows:
        return None
    first = rows[0]
    league = CheckLeague(
        first.league_id,
        first.league_name,
        first.timezone,
        first.verify_shows_birth_date,
        first.season_year,
        first.age_cutoff_month,
        first.age_cutoff_day,
    )
    check = Check(
        card_id=first.card_id,
        token=token,
        league_id=first.league_id,
        league=league,
        revoked=first.revoked_at is not None,
        name=f"{first.first_name} {first.last_name}",
        born=first.date_of_birth,
        photo_key=first.photo_key,
        team=first.team,
        member=member_number(SimpleNamespace(league_id=first.league_id, id=first.profile_id)),
    )
    terms = [row for row in rows if row.status is not None]  # status, starts_on, ends_on ...
    check.outcome = verdict(
        card_exists=True,
        revoked=check.revoked,
        profile_status=first.profile_status,
        terms=terms,
        today=today_in(league),
        timezone=league.timezone,
    )
    if not check.revoked:
        groups = connection.execute(_age_groups_query(), {"league_id": league.id}).all()
        age = rules.league_age(check.born, league)
        # AgeGroup.matches reads only min_age and max_age, which each row has.
        check.age_group = next((row.name for row in groups if AgeGroup.matches(row, age)), None)
    return check


def _checked(token: str) -> tuple[Check | None, Verdict, str]:
    """One check, as both the page and the JSON make it: within the client's limits
    (CHECKS_PER_CLIENT checks and GUESSES_PER_CLIENT unknown tokens a minute, so a
    field's worth of scans passes but guessing tokens does not), logged for staff.
    Also the time zone the time of the check is shown in: the card's league's (for
    an unknown code, the checking referee's league's, else UTC)."""
    ratelimit.check(GUESSES_PER_CLIENT, "check-unknown", TOO_MANY_CHECKS)
    ratelimit.hit(CHECKS_PER_CLIENT, "check", TOO_MANY_CHECKS)
    check = find(token)
    if check is None:
        ratelimit.count(GUESSES_PER_CLIENT, "check-unknown")
        league = check_log.log_unknown(token)
        return None, Verdict("unknown"), league.timezone if league else "UTC"
    check_log.log(check)
    return check, check.outcome, check.league.timezone


# The path rules catch a token with a slash in it (an encoded %2F arrives decoded):
# still an unknown token, not the site's 404 page. The plain rules come first and win.
@bp.get("/<path:token>")
@bp.get("/<token>")
@ratelimit.skip_limiter  # counted in _checked, at a fraction of the cost
def verify(token: str):
    check, outcome, timezone = _checked(token)
    html = render_template(
        "cards/verify.html", check=check, outcome=outcome, checked_at=utcnow(), timezone=timezone
    )
    return _private(make_response(html, 404 if check is None else 200))


@bp.get("/<path:token>.json")
@bp.get("/<token>.json")
@ratelimit.skip_limiter
def verify_json(token: str):
    check, outcome, timezone = _checked(token)
    now = utcnow()
    body = {"status": outcome.code, "word": outcome.word, "checked_at": now.isoformat()}
    body["display"] = _display(outcome, now, timezone)
    if check is not None:
        body.update(
            league=check.league.name,
            name=check.name if not check.revoked else None,
            age_group=check.age_group if not check.revoked else None,
            team=check.team if not check.revoked else None,
            valid_from=_iso(outcome.valid_from),
            valid_through=_iso(outcome.valid_through),
            suspended_until=_iso(outcome.suspended_until),
            ended_on=_iso(outcome.ended_on),
            note=outcome.note or None,
        )
    return _private(make_response(jsonify(body), 404 if check is None else 200))


def _iso(day: date | datetime | None) -> str | None:
    return day.isoformat() if day else None


def _display(outcome: Verdict, now: datetime, timezone: str) -> dict:
    """The dates and the time of the check worded as the check page words them."""
    days = ("valid_from", "valid_through", "suspended_until", "ended_on")
    shown = {name: card_date(getattr(outcome, name)) or None for name in days}
    return {**shown, "checked_at": checked_time(now, timezone)}


@bp.get("/<token>/photo")
@limiter.limit(CHECKS_PER_CLIENT)
def photo(token: str):
    """The player's photo at the size the check page shows (made once, then reused)."""
    if not TOKEN.match(token):
        abort(404)
    with tenancy.unscoped():
        row = db.session.execute(
            select(PlayerProfile.photo_key, Card.revoked_at)
            .join(PlayerProfile, PlayerProfile.id == Card.profile_id)
            .where(Card.token == token)
        ).first()
    if row is None or row.revoked_at is not None or not row.photo_key:
        abort(404)
    try:
        response = Response(verify_photo(row.photo_key), mimetype="image/jpeg")
    except (StorageError, OSError):  # gone from storage, or not an image (PIL's errors)
        log.warning("check page photo %s cannot be read", row.photo_key, exc_info=True)
        # The referee sees that there is no photo to compare, not a broken image.
        response = Response(NO_PHOTO, 404, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@lru_cache(maxsize=PHOTO_CACHE_SIZE)
def verify_photo(photo_key: str) -> bytes:
    """The check page's photo (360 x 450, well under 60 KB) for a card photo's key:
    from memory, else from storage, else made from the card photo and stored."""
    return _stored_verify_photo(photo_key)


def forget_photos() -> None:
    """Empty the in-memory photos (tests reuse photo keys; the app never does)."""
    verify_photo.cache_clear()


def _stored_verify_photo(photo_key: str) -> bytes:
    storage = get_storage()
    key = photo_key.removesuffix(".jpg") + "-verify.jpg"
    try:
        return storage.get(key)
    except StorageError:
        pass
    with Image.open(io.BytesIO(storage.get(photo_key))) as image:
        small = image.convert("RGB").resize(VERIFY_PHOTO, Image.Resampling.LANCZOS)
    data = jpeg_bytes(small, quality=72)
    storage.put(key, data, "image/jpeg")
    return data


def _private(response):
    """Never indexed, never cached by anyone: the status is live."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response
