"""Changes to leagues, roles and invitations. Flush, never commit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.images import normalise_logo
from portal.core.mail import send_mail
from portal.core.permissions import ROLE_LABELS, Role
from portal.core.signals import league_look_changed
from portal.core.storage import discard, store
from portal.core.tokens import new_token
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.leagues.models import Invitation, League, LeagueRole

INVITATION_LIFETIME = timedelta(days=14)
LEAGUE_FIELDS = (
    "name",
    "sport",
    "timezone",
    "description",
    "primary_color",
    "secondary_color",
    "contact_email",
    "contact_phone",
    "website",
)


class LeagueError(ValueError):
    """A problem the user can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def create_league(slug: str, **fields) -> League:
    """A new league; the slug becomes its address and must be free.

    Its season is the current year where it plays: the database has no default
    for the year (one frozen into the schema would go stale).
    """
    slug = slug.strip().lower()
    if db.session.execute(select(League.id).where(League.slug == slug)).first():
        raise LeagueError("Another league already uses this address.", field="slug")
    league = League(slug=slug, **{k: v for k, v in fields.items() if k in LEAGUE_FIELDS})
    league.timezone = league.timezone or "UTC"
    league.season_year = utcnow().astimezone(ZoneInfo(league.timezone)).year
    db.session.add(league)
    db.session.flush()
    return league


# League settings every card prints, or that decide what it prints (the age group
# comes from the season year and the cutoff date): a change remakes them all.
CARD_FIELDS = (
    "name",
    "sport",
    "primary_color",
    "secondary_color",
    "contact_email",
    "contact_phone",
    "website",
    "card_shows_birth_date",
    "season_year",
    "age_cutoff_month",
    "age_cutoff_day",
)


@contextmanager
def remaking_cards_if_changed(league: League) -> Iterator[None]:
    """Around a change to `league`'s settings: if anything a card shows changed (see
    CARD_FIELDS), tell the cards (league_look_changed) once the block is done. Both the
    league details page and the player settings page change such fields; neither has
    to know which of its fields are printed. Nothing is sent if the block raises."""
    before = {name: getattr(league, name) for name in CARD_FIELDS}
    yield
    if any(getattr(league, name) != value for name, value in before.items()):
        league_look_changed.send(league, league_id=league.id)


def update_league(league: League, **fields) -> None:
    """Save the league details page (a field given as None is left as it is)."""
    with remaking_cards_if_changed(league):
        for name in LEAGUE_FIELDS:
            if name in fields and fields[name] is not None:
                setattr(league, name, fields[name])


def set_logo(league: League, data: bytes) -> str:
    """Check and store a new logo; the old object goes once the change commits.

    The image is validated before anything is written, so a bad file leaves
    storage untouched; the key carries a content hash so caches never show
    a stale logo.
    """
    png = normalise_logo(data)
    key = f"leagues/{league.id}/logo-{hashlib.sha256(png).hexdigest()[:16]}.png"
    if key == league.logo_key:
        return key
    store(key, png, "image/png")
    if league.logo_key:
        discard(league.logo_key)
    league.logo_key = key
    league_look_changed.send(league, league_id=league.id)
    return key


def grant_role(
    league: League, user: User, role: Role, granted_by: User | None = None
) -> LeagueRole:
    """Give `user` a role in `league` (no-op if they already hold it)."""
    existing = db.session.execute(
        select(LeagueRole).where(
            LeagueRole.league_id == league.id,
            LeagueRole.user_id == user.id,
            LeagueRole.role == role,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    grant = LeagueRole(
        league_id=league.id, user=user, role=role, granted_by_id=granted_by and granted_by.id
    )
    db.session.add(grant)
    db.session.flush()
    return grant


def revoke_role(grant: LeagueRole) -> None:
    """Take a role away; a league always keeps at least one admin."""
    if grant.role == Role.ADMIN:
        admins = db.session.scalars(
            select(LeagueRole.id).where(
                LeagueRole.league_id == grant.league_id, LeagueRole.role == Role.ADMIN
            )
        ).all()
        if len(admins) <= 1:
            raise LeagueError("A league needs at least one admin. Invite another admin first.")
    db.session.delete(grant)
    db.session.flush()


def invite(league: League, email: str, role: Role, invited_by: User | None) -> Invitation:
    """Create an invitation and mail its link; replaces an open one to the same address."""
    email = email.strip().lower()
    for old in db.session.scalars(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.role == role,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        old.revoked_at = utcnow()
    raw, digest = new_token()
    invitation = Invitation(
        league_id=league.id,
        email=email,
        role=role,
        token_hash=digest,
        invited_by_id=invited_by and invited_by.id,
        expires_at=utcnow() + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    _mail_invitation(league, invitation, raw, invited_by)
    return invitation


def resend_invitation(invitation: Invitation, invited_by: User | None) -> Invitation:
    """A fresh link (the old one stops working) with a new expiry."""
    if invitation.accepted_at or invitation.revoked_at:
        raise LeagueError("This invitation is no longer open.")
    raw, digest = new_token()
    invitation.token_hash = digest
    invitation.expires_at = utcnow() + INVITATION_LIFETIME
    db.session.flush()
    _mail_invitation(invitation.league, invitation, raw, invited_by)
    return invitation


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def accept_invitation(invitation: Invitation, user: User) -> LeagueRole:
    """Turn an open invitation into a role for `user`."""
    state = invitation.state
    if state != "pending":
        raise LeagueError(
            {
                "accepted": "This invitation has already been used.",
                "revoked": "This invitation was withdrawn by the league.",
                "expired": "This invitation has expired. Ask the league for a new one.",
            }[state]
        )
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    # The link reached this inbox: if it is the account's address, it is proven.
    if user.email == invitation.email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return grant_role(invitation.league, user, invitation.role)


def _mail_invitation(league: League, invitation: Invitation, raw: str, invited_by: User | None):
    send_mail(
        invitation.email,
        f"You're invited to {league.name} on League Badge",
        "invitation",
        league=league,
        role_label=ROLE_LABELS[invitation.role],
        inviter=invited_by,
        expires_at=invitation.expires_at,
        link=absolute_url("l.members.invitation", league_slug=league.slug, token=raw),
    )
