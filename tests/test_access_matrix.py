"""Who can open what: every route x every kind of visitor, with the expected status.

A route missing from MATRIX fails `test_every_route_is_in_the_matrix`, so a new
route cannot ship without saying who may use it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.demo import crest
from portal.extensions import db
from portal.leagues import services as league_services
from portal.leagues.models import LeagueRole

VISITORS = ("anonymous", "player", "other_admin", "admin", "platform")
ANY = dict.fromkeys(VISITORS)
# Staff pages: sign in first, then only this league's admin (or the platform admin).
ADMIN_ONLY = {"anonymous": 302, "player": 404, "other_admin": 404, "admin": 200, "platform": 200}
SIGNED_IN = {"anonymous": 302, "player": 200, "other_admin": 200, "admin": 200, "platform": 200}
PLATFORM_ONLY = {"anonymous": 302, "player": 404, "other_admin": 404, "admin": 404, "platform": 200}


def _all(status: int) -> dict:
    return dict.fromkeys(VISITORS, status)


def _with(base: dict, **overrides) -> dict:
    return {**base, **overrides}


# (endpoint, method, url template, expected status per visitor)
MATRIX = [
    ("home.index", "GET", "/", _all(200)),
    ("accounts.signup", "GET", "/signup", _with(_all(302), anonymous=200)),
    ("accounts.signup", "POST", "/signup", _with(_all(302), anonymous=422)),
    ("accounts.login", "GET", "/login", _with(_all(302), anonymous=200)),
    ("accounts.login", "POST", "/login", _with(_all(302), anonymous=422)),
    ("accounts.logout", "POST", "/logout", _all(303)),
    ("accounts.verify_email", "GET", "/verify-email/not-a-token", _all(400)),
    (
        "accounts.resend_verification",
        "POST",
        "/verify-email/resend",
        _with(_all(303), anonymous=302),
    ),
    ("accounts.forgot_password", "GET", "/forgot-password", _all(200)),
    ("accounts.forgot_password", "POST", "/forgot-password", _all(422)),
    ("accounts.reset_password", "GET", "/reset-password/not-a-token", _all(400)),
    ("accounts.reset_password", "POST", "/reset-password/not-a-token", _all(400)),
    ("accounts.account", "GET", "/account", SIGNED_IN),
    ("accounts.update_profile", "POST", "/account/profile", _with(_all(422), anonymous=302)),
    ("accounts.change_password", "POST", "/account/password", _with(_all(422), anonymous=302)),
    ("platform.index", "GET", "/admin/", PLATFORM_ONLY),
    ("platform.new_league", "GET", "/admin/leagues/new", PLATFORM_ONLY),
    ("platform.new_league", "POST", "/admin/leagues/new", _with(PLATFORM_ONLY, platform=422)),
    ("health.healthz", "GET", "/healthz", _all(200)),
    ("files.serve", "GET", "/files/forged-token", _all(404)),
    ("mailbox.index", "GET", "/dev/mail/", _all(200)),
    ("mailbox.show", "GET", "/dev/mail/20260101T000000000000", _all(404)),
    ("l.leagues.home", "GET", "/l/{a}/", _all(200)),
    ("l.leagues.theme", "GET", "/l/{a}/theme.css", _all(200)),
    ("l.leagues.logo", "GET", "/l/{a}/logo", _all(200)),
    ("l.leagues.settings", "GET", "/l/{a}/settings", ADMIN_ONLY),
    ("l.leagues.settings", "POST", "/l/{a}/settings", _with(ADMIN_ONLY, admin=422, platform=422)),
    ("l.members.index", "GET", "/l/{a}/people/", ADMIN_ONLY),
    (
        "l.members.invite",
        "POST",
        "/l/{a}/people/invite",
        _with(ADMIN_ONLY, admin=422, platform=422),
    ),
    ("l.members.invitation", "GET", "/l/{a}/people/join/{token}", _all(200)),
    ("l.members.invitation", "POST", "/l/{a}/people/join/{token}", _with(_all(303), anonymous=200)),
    ("l.members.resend", "POST", "/l/{a}/people/invitations/{invitation}/resend", ADMIN_ONLY),
    ("l.members.revoke", "POST", "/l/{a}/people/invitations/{invitation}/revoke", ADMIN_ONLY),
    ("l.members.remove_role", "POST", "/l/{a}/people/roles/{referee_grant}/remove", ADMIN_ONLY),
]


@pytest.fixture
def world(make):
    """League A with a player, an admin, a referee and an open invitation; league B's admin."""
    a = make.league("alpha", name="Alpha League")
    b = make.league("bravo", name="Bravo League")
    with league_scope(a.id):
        league_services.set_logo(a, crest("AL", "#0f766e", "#facc15"))
    people = {
        "player": make.member(a, Role.PLAYER),
        "admin": make.member(a, Role.ADMIN),
        "other_admin": make.member(b, Role.ADMIN),
        "platform": make.user(platform_admin=True),
    }
    referee = make.member(a, Role.REFEREE)
    invitation, token = make.invitation(a)
    with league_scope(a.id):
        referee_grant = db.session.scalars(
            select(LeagueRole).where(LeagueRole.user_id == referee.id)
        ).one()
    ids = {
        "a": a.slug,
        "invitation": invitation.id,
        "token": token,
        "referee_grant": referee_grant.id,
    }
    return people, ids


def test_every_route_is_in_the_matrix(app):
    """Does every route of the app say who may use it?"""
    covered = {(endpoint, method) for endpoint, method, _, _ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes missing from the access matrix:\n" + "\n".join(sorted(missing))


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(app, world, visitor):
    """Does each route answer each kind of visitor as intended?"""
    people, ids = world
    failures = []
    for _endpoint, method, template, expected in MATRIX:
        client = app.test_client()
        if visitor != "anonymous":
            with client.session_transaction() as session:
                session["_user_id"] = people[visitor].get_id()
        url = template.format(**ids)
        response = client.open(url, method=method)
        if response.status_code != expected[visitor]:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected[visitor]}")
    assert not failures, f"{visitor}:\n" + "\n".join(failures)


def test_unknown_league_is_404_for_everyone(app, world):
    """Does a league slug that does not exist answer 404 on every league route?"""
    people, _ = world
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = people["platform"].get_id()
    for path in ("/l/nope/", "/l/nope/settings", "/l/nope/people/", "/l/nope/theme.css"):
        assert client.get(path).status_code == 404, path
