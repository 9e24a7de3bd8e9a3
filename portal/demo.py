"""Demo data for `make run`: two leagues and one account per role.

Every demo account shares one password, printed by `flask demo seed`; demo
data is refused in production.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues import services as leagues

DEMO_PASSWORD = "play-ball-2026"
SIGN_IN_HELP = f"Demo accounts use the password {DEMO_PASSWORD!r} (see README)."

LEAGUES = [
    {
        "slug": "riverside",
        "name": "Riverside Youth Soccer",
        "sport": "Soccer",
        "timezone": "America/Chicago",
        "primary_color": "#0f766e",
        "secondary_color": "#facc15",
        "contact_email": "office@riverside-soccer.example.com",
        "description": "Recreational and travel soccer for ages 5 to 18, spring and fall seasons.",
    },
    {
        "slug": "northside-hockey",
        "name": "Northside Adult Hockey",
        "sport": "Ice hockey",
        "timezone": "America/Toronto",
        "primary_color": "#1e3a8a",
        "secondary_color": "#e11d48",
        "contact_email": "league@northside-hockey.example.com",
        "description": "Beer-league ice hockey: Open, O-30 and O-40 divisions.",
    },
]

ACCOUNTS = [
    ("admin@example.com", "Alex Admin", None, None),
    ("coach.maria@example.com", "Maria Lopez", "riverside", Role.ADMIN),
    ("registrar.sam@example.com", "Sam Okafor", "riverside", Role.REGISTRAR),
    ("ref.jordan@example.com", "Jordan Lee", "riverside", Role.REFEREE),
    ("parent.pat@example.com", "Pat Parent", "riverside", Role.PLAYER),
    ("captain.kim@example.com", "Kim Tremblay", "northside-hockey", Role.ADMIN),
]


def database_is_empty() -> bool:
    return db.session.execute(select(User.id).limit(1)).first() is None


def crest(initials: str, colour: str, accent: str) -> bytes:
    """A simple round crest with the league's initials, as a PNG logo."""
    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 248, 248), fill=colour, outline=accent, width=14)
    font = ImageFont.load_default(size=96)
    draw.text((128, 132), initials, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed() -> list[tuple[str, str]]:
    """Create the demo leagues and accounts; returns (email, what they can do)."""
    by_slug = {}
    with unscoped():
        for spec in LEAGUES:
            league = leagues.create_league(**spec)
            initials = "".join(word[0] for word in spec["name"].split()[:2])
            leagues.set_logo(
                league, crest(initials, spec["primary_color"], spec["secondary_color"])
            )
            by_slug[spec["slug"]] = league
    described = []
    for email, name, slug, role in ACCOUNTS:
        user = accounts.create_user(email, DEMO_PASSWORD, name, verified=True)
        if role is None:
            user.is_platform_admin = True
            described.append((email, "platform admin (all leagues, /admin/)"))
            continue
        league = by_slug[slug]
        with league_scope(league.id):
            leagues.grant_role(league, user, role)
        described.append((email, f"{role.label} of {league.name} (/l/{slug}/)"))
    return described


def describe(accounts_made: list[tuple[str, str]]) -> str:
    lines = [f"Demo sign-ins (password: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<28} {what}" for email, what in accounts_made]
    return "\n".join(lines)
