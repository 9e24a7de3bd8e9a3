"""Helpers for the print sheet tests: players with cards, and reading PDFs with poppler."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date

from portal.cards import content, services
from portal.cards.models import Team, TeamPlayer
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.models import ProfileStatus
from tests.cards.conftest import add_term
from tests.images import jpeg


def carded(
    make,
    league,
    guardian,
    first_name,
    *,
    plan=None,
    team=None,
    shirt="",
    born=None,
    last_name="Player",
):
    """A verified player with a small photo, a current paid term and a current card."""
    photo_key = f"leagues/{league.id}/players/{first_name.lower()}/photo.jpg"
    get_storage().put(photo_key, jpeg(60, 75, "#336699"), "image/jpeg")
    profile = make.profile(
        league,
        guardian,
        first_name=first_name,
        last_name=last_name,
        status=ProfileStatus.VERIFIED,
        photo_key=photo_key,
        date_of_birth=born or date(2014, 5, 5),
    )
    add_term(league, profile, plan or make.plan(league, f"Plan {first_name}"))
    with league_scope(league.id):
        services.issue(profile)
        if team is not None:
            db.session.add(TeamPlayer(team_id=team.id, profile_id=profile.id, number=shirt))
        db.session.commit()
    return profile


def team(league, name, program=None):
    with league_scope(league.id):
        obj = Team(name=name, program_id=program.id if program else None)
        db.session.add(obj)
        db.session.commit()
    return obj


def number(profile) -> str:
    """The member number printed on the card."""
    return content.member_number(profile)


def pdf_info(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(
            ["pdfinfo", file.name], capture_output=True, text=True, check=True
        ).stdout


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text laid out as on the page (pdftotext -layout)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", file.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
