"""Demo data for `make run`: two leagues, one account per role, and player profiles.

Every demo account shares one password, printed by `flask demo seed`; demo
data is refused in production. Profiles go through the real services (staged
uploads, create, submit, approve), so their photos and documents land in
storage exactly as a real user's would, and every screen has something to
show: a verified child, a draft missing its photo, a review queue, adults.
Programs, plans and paid memberships come from `demo_programs`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date

from PIL import Image, ImageDraw, ImageEnhance, ImageFont
from sqlalchemy import select

from portal import demo_cards, demo_programs
from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues import services as leagues
from portal.leagues.models import GenderField, League
from portal.players import reviews, services, settings_services, uploads
from portal.players.models import DocumentKind, Gender, UploadKind

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
    ("guardian.chen@example.com", "Wei Chen", "riverside", Role.PLAYER),
    ("guardian.rivera@example.com", "Ana Rivera", "riverside", Role.PLAYER),
    ("guardian.obi@example.com", "Grace Obi", "riverside", Role.PLAYER),
    ("captain.kim@example.com", "Kim Tremblay", "northside-hockey", Role.ADMIN),
    ("skater.jesse@example.com", "Jesse Morin", "northside-hockey", Role.PLAYER),
    ("skater.dana@example.com", "Dana Kowalski", "northside-hockey", Role.PLAYER),
    ("skater.chris@example.com", "Chris Nguyen", "northside-hockey", Role.PLAYER),
]
# Who reviews each league's profiles in the demo.
REVIEWERS = {
    "riverside": "registrar.sam@example.com",
    "northside-hockey": "captain.kim@example.com",
}


@dataclass(frozen=True)
class DemoPlayer:
    """One demo profile. The age is on the league's cutoff, so the demo never ages out."""

    guardian: str  # the account's email before @example.com
    league: str
    first_name: str
    last_name: str
    age: int
    birthday: tuple[int, int]  # month, day
    gender: Gender
    state: str  # draft, submitted, verified or changes (requested)
    photo: bool = True
    is_self: bool = False


F, M, X = Gender.FEMALE, Gender.MALE, Gender.OTHER
RS, NS = "riverside", "northside-hockey"
PLAYERS = [
    # Riverside: Pat's two, five waiting in the registrar's queue, one sent back.
    DemoPlayer("parent.pat", RS, "Mia", "Parent", 10, (3, 14), F, "verified"),
    DemoPlayer("parent.pat", RS, "Leo", "Parent", 7, (7, 2), M, "draft", photo=False),
    DemoPlayer("guardian.chen", RS, "Ava", "Chen", 12, (5, 20), F, "submitted"),
    DemoPlayer("guardian.chen", RS, "Noah", "Chen", 9, (11, 3), M, "submitted"),
    DemoPlayer("guardian.rivera", RS, "Lucas", "Rivera", 14, (2, 11), M, "submitted"),
    DemoPlayer("guardian.rivera", RS, "Sofia", "Rivera", 5, (1, 25), F, "submitted"),
    DemoPlayer("guardian.obi", RS, "Daniel", "Obi", 16, (8, 30), M, "submitted"),
    DemoPlayer("guardian.obi", RS, "Zara", "Obi", 11, (9, 9), F, "changes"),
    # Northside: adults who registered themselves.
    DemoPlayer("skater.jesse", NS, "Jesse", "Morin", 36, (4, 2), M, "verified", is_self=True),
    DemoPlayer("skater.dana", NS, "Dana", "Kowalski", 44, (10, 17), F, "submitted", is_self=True),
    DemoPlayer("skater.chris", NS, "Chris", "Nguyen", 27, (6, 8), X, "submitted", is_self=True),
]
CHANGES_REASON = reviews.COMMON_REASONS[1]  # "The photo is too dark or blurred."

# Background and shirt colours of the generated photos, and skin and hair tones.
PALETTE = [
    ("#fde68a", "#b45309"),
    ("#bfdbfe", "#1d4ed8"),
    ("#bbf7d0", "#047857"),
    ("#fbcfe8", "#be185d"),
    ("#ddd6fe", "#6d28d9"),
    ("#fed7aa", "#c2410c"),
    ("#a5f3fc", "#0e7490"),
]
SKIN = ["#f1c27d", "#8d5524", "#ffdbac", "#c68642", "#e0ac69"]
HAIR = ["#1f2937", "#78350f", "#a16207", "#111827", "#7c2d12", "#44403c"]


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


def avatar(initials: str, index: int, *, long_hair: bool = False, dark: bool = False) -> bytes:
    """A friendly head-and-shoulders picture with initials, as a JPEG like a phone sends.

    Portrait 4:5, so the card crop keeps all of it; `dark` makes the
    underexposed photo a registrar sends back.
    """
    background, shirt = PALETTE[index % len(PALETTE)]
    skin, hair = SKIN[index % len(SKIN)], HAIR[index % len(HAIR)]
    image = Image.new("RGB", (640, 800), background)
    draw = ImageDraw.Draw(image)
    if long_hair:
        draw.rounded_rectangle((172, 180, 468, 540), radius=130, fill=hair)
    draw.ellipse((90, 540, 550, 1060), fill=shirt)  # shoulders
    draw.rectangle((275, 430, 365, 580), fill=skin)  # neck
    draw.ellipse((190, 170, 450, 480), fill=skin)  # head
    draw.chord((180, 150, 460, 400), 180, 360, fill=hair)  # hair
    for x in (268, 352):
        draw.ellipse((x - 13, 315, x + 13, 341), fill="#1f2937")  # eyes
    draw.arc((270, 340, 370, 425), 25, 155, fill="#7f1d1d", width=7)  # smile
    font = ImageFont.load_default(size=96)
    draw.text((320, 690), initials, fill="white", font=font, anchor="mm")
    if dark:
        image = ImageEnhance.Brightness(image).enhance(0.3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def certificate(title: str, full_name: str, born: date, number: int) -> bytes:
    """A one-page PDF that looks like a proof-of-age document, marked as a demo."""
    image = Image.new("RGB", (620, 877), "#fffdf5")  # A4 at 75 dpi
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 600, 857), outline="#1e3a8a", width=6)
    draw.rectangle((34, 34, 586, 843), outline="#93c5fd", width=2)
    big, normal = ImageFont.load_default(size=40), ImageFont.load_default(size=22)
    draw.text((310, 110), title, fill="#1e3a8a", font=big, anchor="mm")
    draw.text((310, 160), "DEMO DOCUMENT - NOT VALID", fill="#b91c1c", font=normal, anchor="mm")
    rows = [
        ("Name", full_name),
        ("Date of birth", f"{born.day} {born:%B %Y}"),
        ("Issued by", "Demo County Records Office"),
        ("Number", f"DEMO-{born.year}-{number:05d}"),
    ]
    for line, (label, value) in enumerate(rows):
        top = 260 + line * 90
        draw.text((70, top), label.upper(), fill="#6b7280", font=normal)
        draw.text((70, top + 30), value, fill="#111827", font=normal)
    draw.ellipse((420, 660, 560, 800), outline="#b91c1c", width=5)
    draw.text((490, 730), "SEAL", fill="#b91c1c", font=normal, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=75.0)
    return out.getvalue()


def _configure(league: League) -> None:
    """Riverside: youth groups, ages on 31 December. Northside: adult groups, gender asked."""
    current = settings_services.PlayerSettings.of(league)
    if league.slug == "riverside":
        settings_services.update_player_settings(
            league, replace(current, age_cutoff_month=12, age_cutoff_day=31)
        )
        settings_services.add_preset(league, "youth")
    else:
        settings_services.update_player_settings(
            league, replace(current, gender_field=GenderField.REQUIRED, document_retention_days=30)
        )
        settings_services.add_preset(league, "adult")


def _add_player(spec: DemoPlayer, index: int, league: League, people: dict[str, User]):
    """Stage a photo and a document, create the profile, and take it to its demo state."""
    guardian = people[f"{spec.guardian}@example.com"]
    born = date(league.season_year - spec.age, *spec.birthday)
    if spec.birthday > (league.age_cutoff_month, league.age_cutoff_day):
        born = born.replace(year=born.year - 1)  # birthday after the cutoff: a year older
    full_name = f"{spec.first_name} {spec.last_name}"
    kind = DocumentKind.DRIVING_LICENCE if spec.is_self else DocumentKind.BIRTH_CERTIFICATE
    data = services.ProfileData(
        first_name=spec.first_name,
        last_name=spec.last_name,
        date_of_birth=born,
        gender=spec.gender,
        phone=f"+1 555 01{index:02d}",
        emergency_name="Alex " + spec.last_name if spec.is_self else guardian.full_name,
        emergency_phone=f"+1 555 02{index:02d}",
        is_self=spec.is_self,
        document_kind=kind,
    )
    photo = None
    if spec.photo:
        picture = avatar(
            spec.first_name[0] + spec.last_name[0],
            index,
            long_hair=spec.gender == Gender.FEMALE,
            dark=spec.state == "changes",
        )
        photo = uploads.stage(guardian, UploadKind.PHOTO, picture, f"{spec.first_name}.jpg")
    document = uploads.stage(
        guardian,
        UploadKind.DOCUMENT,
        certificate(kind.label.upper(), full_name, born, index + 1),
        f"{kind.value.replace('_', '-')}.pdf",
    )
    profile = services.create_profile(league, guardian, data, photo=photo, document=document)
    if spec.state == "draft":
        return profile
    services.submit(profile, guardian)
    reviewer = people[REVIEWERS[league.slug]]
    if spec.state == "verified":
        reviews.approve(profile, reviewer)
    elif spec.state == "changes":
        reviews.request_changes(profile, reviewer, CHANGES_REASON)
    return profile


def seed() -> list[tuple[str, str]]:
    """Create the demo leagues, accounts and players; returns (email, what they can do)."""
    by_slug = {}
    with unscoped():
        for spec in LEAGUES:
            league = leagues.create_league(**spec)
            initials = "".join(word[0] for word in spec["name"].split()[:2])
            leagues.set_logo(
                league, crest(initials, spec["primary_color"], spec["secondary_color"])
            )
            by_slug[spec["slug"]] = league
    people, described = {}, []
    for email, name, slug, role in ACCOUNTS:
        user = people[email] = accounts.create_user(email, DEMO_PASSWORD, name, verified=True)
        if role is None:
            user.is_platform_admin = True
            described.append((email, "platform admin (all leagues, /admin/)"))
            continue
        league = by_slug[slug]
        with league_scope(league.id):
            leagues.grant_role(league, user, role)
        described.append((email, f"{role.label} of {league.name} (/l/{slug}/)"))
    for league in by_slug.values():
        with league_scope(league.id):
            _configure(league)
    notes: dict[str, list[str]] = {}
    profiles = {}
    for index, spec in enumerate(PLAYERS):
        league = by_slug[spec.league]
        with league_scope(league.id):
            profile = profiles[spec.first_name] = _add_player(spec, index, league, people)
            db.session.flush()  # the profile's history rows belong inside this league's scope
        notes.setdefault(f"{spec.guardian}@example.com", []).append(
            f"{spec.first_name} ({profile.status.label})"
        )
    for league in by_slug.values():
        with league_scope(league.id):
            in_league = {spec.first_name for spec in PLAYERS if spec.league == league.slug}
            demo_programs.add(league, people, {n: profiles[n] for n in in_league}, notes)
            demo_cards.seed_teams(league, {n: profiles[n] for n in in_league})
    _make_cards(by_slug.values(), profiles.values())
    for slug, reviewer in REVIEWERS.items():
        waiting = sum(1 for spec in PLAYERS if spec.league == slug and spec.state == "submitted")
        notes.setdefault(reviewer, []).append(f"{waiting} profiles to review")
    return [
        (email, what + (": " + ", ".join(notes[email]) if email in notes else ""))
        for email, what in described
    ]


def _make_cards(leagues_made, profiles) -> None:
    """Cards for every paid, verified demo player, made now rather than by the worker so
    the demo (and the browser tests, which run no worker) show them at once."""
    from portal.cards import services as cards

    today = {league.id: services.today_in(league) for league in leagues_made}
    for profile in profiles:
        with league_scope(profile.league_id):
            cards.refresh(profile, today=today[profile.league_id])  # the scope flushes it


def describe(accounts_made: list[tuple[str, str]]) -> str:
    lines = [f"Demo sign-ins (password: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<28} {what}" for email, what in accounts_made]
    return "\n".join(lines)
