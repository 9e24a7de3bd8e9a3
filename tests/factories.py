"""Model factories for tests: each commits and returns the object.

Passwords are hashed once per run (argon2 is slow on purpose), so creating
hundreds of users stays fast.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from functools import cache

from portal.accounts.auth import hash_password
from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.core.tokens import new_token
from portal.extensions import db
from portal.leagues.models import Invitation, League, LeagueRole

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


def user(
    email: str | None = None,
    *,
    name: str = "Test Person",
    password: str = PASSWORD,
    verified: bool = True,
    platform_admin: bool = False,
) -> User:
    n = next(_counter)
    obj = User(
        email=(email or f"person{n}@example.com").lower(),
        full_name=name,
        password_hash=_password_hash(password),
        email_verified_at=utcnow() if verified else None,
        is_platform_admin=platform_admin,
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def league(slug: str | None = None, **fields) -> League:
    n = next(_counter)
    obj = League(
        slug=slug or f"league-{n}",
        name=fields.pop("name", f"League {n}"),
        sport=fields.pop("sport", "Soccer"),
        timezone=fields.pop("timezone", "UTC"),
        **fields,
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def grant(person: User, in_league: League, role: Role) -> LeagueRole:
    with unscoped():
        obj = LeagueRole(league_id=in_league.id, user_id=person.id, role=role)
        db.session.add(obj)
        db.session.commit()
    return obj


def member(in_league: League, role: Role, **user_fields) -> User:
    """A new user holding `role` in `in_league`."""
    person = user(**user_fields)
    grant(person, in_league, role)
    return person


def invitation(
    in_league: League,
    email: str = "invitee@example.com",
    role: Role = Role.REGISTRAR,
    *,
    expires_in: timedelta = timedelta(days=14),
) -> tuple[Invitation, str]:
    """An open invitation and the raw token of its link."""
    raw, digest = new_token()
    with unscoped():
        obj = Invitation(
            league_id=in_league.id,
            email=email,
            role=role,
            token_hash=digest,
            expires_at=utcnow() + expires_in,
        )
        db.session.add(obj)
        db.session.commit()
    return obj, raw


def profile(
    in_league: League,
    guardian: User,
    *,
    first_name: str = "Alex",
    last_name: str = "Kim",
    date_of_birth=None,
    status=None,
    **fields,
):
    """A player profile with every commonly required field filled in (no files)."""
    from datetime import date

    from portal.players.models import PlayerProfile, ProfileStatus

    with unscoped():
        obj = PlayerProfile(
            league_id=in_league.id,
            guardian_id=guardian.id,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth or date(2015, 6, 1),
            phone=fields.pop("phone", "+1 555 0100"),
            emergency_name=fields.pop("emergency_name", "Sam Kim"),
            emergency_phone=fields.pop("emergency_phone", "+1 555 0199"),
            status=status or ProfileStatus.DRAFT,
            **fields,
        )
        if obj.status == ProfileStatus.SUBMITTED and obj.submitted_at is None:
            obj.submitted_at = utcnow()
        db.session.add(obj)
        db.session.commit()
    return obj


def age_group(in_league: League, name: str, min_age=None, max_age=None, position: int = 0):
    from portal.players.models import AgeGroup

    with unscoped():
        obj = AgeGroup(
            league_id=in_league.id, name=name, min_age=min_age, max_age=max_age, position=position
        )
        db.session.add(obj)
        db.session.commit()
    return obj


def plan(
    in_league: League,
    name: str = "Spring season",
    *,
    price_minor: int = 12000,
    currency: str = "usd",
    program=None,
    **fields,
):
    """An open plan (a fixed season by default) in a program of the league."""
    from datetime import date

    from portal.memberships.models import Plan, Program, TermKind

    with unscoped():
        if program is None:
            program = Program(league_id=in_league.id, name=f"Program for {name}")
            db.session.add(program)
            db.session.flush()
        fields.setdefault("term", TermKind.FIXED)
        if fields["term"] == TermKind.FIXED:
            fields.setdefault("season_start", date(2026, 3, 1))
            fields.setdefault("season_end", date(2027, 2, 28))
        obj = Plan(
            league_id=in_league.id,
            program_id=program.id,
            name=name,
            price_minor=price_minor,
            currency=currency,
            **fields,
        )
        db.session.add(obj)
        db.session.commit()
    return obj


def ready_profile(in_league: League, guardian: User, first_name: str = "Mia", **fields):
    """A profile with everything the league asks for (photo and document keys set)."""
    fields.setdefault("photo_key", f"leagues/{in_league.id}/players/x/{first_name}.jpg")
    fields.setdefault("document_key", f"private/leagues/{in_league.id}/uploads/{first_name}.pdf")
    return profile(in_league, guardian, first_name=first_name, **fields)
