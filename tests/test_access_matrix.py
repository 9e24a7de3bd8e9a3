"""Who can open what: every route x every kind of visitor, with the expected status.

The rows live in tests/access/<domain>.py. A route missing from them fails
`test_every_route_is_in_the_matrix`, so no route ships without saying who may
use it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.cards import services as card_services
from portal.cards.models import Team, TeamPlayer
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.demo import crest
from portal.extensions import db
from portal.leagues import services as league_services
from portal.leagues.models import LeagueRole
from portal.payments import checkout
from portal.payments.gateway import get_gateway
from portal.players import reviews, services, uploads
from portal.players.models import DocumentKind, UploadKind
from tests.access import (
    VISITORS,
    cards,
    cards_print,
    cards_staff,
    cards_teams,
    foundation,
    memberships,
    memberships_admin,
    payments,
    payments_admin,
    player_settings,
    players,
    review,
)
from tests.images import jpeg, pdf

MATRIX = (
    foundation.ROWS
    + players.ROWS
    + review.ROWS
    + player_settings.ROWS
    + memberships.ROWS
    + memberships_admin.ROWS
    + payments.ROWS
    + payments_admin.ROWS
    + cards.ROWS
    + cards_teams.ROWS
    + cards_print.ROWS
    + cards_staff.ROWS  # revokes {card}: after every row that reads it
    + foundation.FINAL_ROWS
)


def _profile(league, owner, first_name, *, submit=False, verify_by=None):
    data = services.ProfileData(
        first_name=first_name,
        last_name="Player",
        date_of_birth=date(2014, 5, 5),
        phone="+1 555 0100",
        emergency_name="Parent",
        emergency_phone="+1 555 0101",
        document_kind=DocumentKind.PASSPORT,
    )
    photo = uploads.stage(owner, UploadKind.PHOTO, jpeg(600, 750), "photo.jpg")
    document = uploads.stage(owner, UploadKind.DOCUMENT, pdf(), "passport.pdf")
    profile = services.create_profile(league, owner, data, photo=photo, document=document)
    if submit or verify_by:
        services.submit(profile, owner)
    if verify_by:
        reviews.approve(profile, verify_by)
    return profile


def _order(league, guardian, profile, plan, *, pay=False):
    """An order through the test gateway (paid at its checkout if `pay`)."""
    with league_scope(league.id):
        order = checkout.place_order(
            league,
            guardian,
            [checkout.Selection(profile, plan)],
            nonce=f"world-{profile.id}-{plan.id}",
            accepted=set(),
            today=date(2026, 6, 1),
        )
        db.session.commit()
        checkout.open_session(order)
        db.session.commit()
        if pay:
            get_gateway().complete(order.session_id, "paid")
            db.session.commit()
    return order


@pytest.fixture
def world(make):
    """League A with a player (two profiles), a registrar, an admin, a referee, an open
    invitation, an age group and a staged photo; league B with its admin and a profile."""
    a = make.league("alpha", name="Alpha League")
    b = make.league("bravo", name="Bravo League")
    people = {
        "player": make.user(name="Pat Player"),
        "registrar": make.member(a, Role.REGISTRAR),
        "admin": make.member(a, Role.ADMIN),
        "other_admin": make.member(b, Role.ADMIN),
        "platform": make.user(platform_admin=True),
    }
    referee = make.member(a, Role.REFEREE)
    invitation, _ = make.invitation(a)  # resent and withdrawn by the rows
    _, token = make.invitation(a, "joiner@example.com")  # accepted by the final rows
    group = make.age_group(a, "U12", max_age=11)
    with league_scope(a.id):
        league_services.set_logo(a, crest("AL", "#0f766e", "#facc15"))
        referee_grant = db.session.scalars(
            select(LeagueRole).where(LeagueRole.user_id == referee.id)
        ).one()
        profile = _profile(a, people["player"], "Sub", submit=True)
        verified = _profile(a, people["player"], "Ver", verify_by=people["registrar"])
        upload = uploads.stage(people["player"], UploadKind.PHOTO, jpeg(), "new.jpg")
        db.session.commit()
    plan_a = make.plan(a, "Spring")
    with league_scope(a.id):
        paid = _order(a, people["player"], verified, plan_a, pay=True)
        open_order = _order(a, people["player"], profile, plan_a)
        card = card_services.issue(verified)
        # On the team: the submitted {profile}, which has no card (so no row here renders one).
        team_player = TeamPlayer(profile_id=profile.id, number="7")
        team = Team(name="Alpha Hawks", players=[team_player])
        db.session.add(team)
        db.session.commit()
        team_ids = {"team": team.id, "team_player": team_player.id}
    with league_scope(b.id):
        b_guardian = make.user()
        b_profile = _profile(b, b_guardian, "Bee", submit=True)
        b_team = Team(name="Bravo Bears")
        db.session.add(b_team)
        db.session.commit()
    b_order = _order(b, b_guardian, b_profile, make.plan(b, "Bravo season"))
    ids = {
        "a": a.slug,
        "invitation": invitation.id,
        "token": token,
        "referee_grant": referee_grant.id,
        "profile": profile.id,
        "verified_profile": verified.id,
        "b_profile": b_profile.id,
        "age_group": group.id,
        "upload": upload.token,
        "plan": plan_a.id,
        "order": paid.id,
        "open_order": open_order.id,
        "session": open_order.session_id,
        "b_order": b_order.id,
        "card": card.token,
        **team_ids,
        "b_team": b_team.id,
        **cards_print.world_ids(a, b, people["admin"], people["other_admin"]),
    }
    ids |= memberships_admin.world_ids(ids)
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
