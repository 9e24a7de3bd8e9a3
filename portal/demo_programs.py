"""Demo programs, plans and paid memberships, for `flask demo seed` (see portal/demo.py).

Programs and plans are made through the admin services, so every rule of the
plan form is checked; families then pay for some of them through the real
checkout, the built-in test gateway and the fulfilment path, so the
memberships list, the rosters and the payments pages have real orders behind
them. Pat's Mia is left unregistered for the registration demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.accounts.models import User
from portal.core.money import parse_money
from portal.leagues.models import League
from portal.memberships import admin_services
from portal.memberships.models import DurationUnit, Plan, TermKind
from portal.memberships.plan_rules import PlanData
from portal.memberships.queries import current_term
from portal.payments import checkout, fulfilment
from portal.payments.gateway import get_gateway
from portal.players import queries as player_queries
from portal.players.models import PlayerProfile
from portal.players.services import today_in

RS, NS = "riverside", "northside-hockey"


WAIVER = (
    "Soccer is a contact sport and injuries can happen. I allow my child to take part in "
    "the Riverside summer camp and agree to the camp's code of conduct.\n\n"
    "If I cannot be reached, the coaches may arrange first aid or emergency care.\n\n"
    "Photos taken at camp may appear on the league's website unless I write to the office."
)
PROGRAM_TEXT = {
    "Spring recreational": "Saturday mornings at Riverside Park. Every player plays every match.",
    "Summer camp": "A week of coaching and small-sided games, 9:00 to 15:00, lunch included.",
    "Adult league": "Tuesday and Thursday evening games at the Northside Arena.",
    "Winter futsal": "Indoor five-a-side at the Riverside Community Centre, join any week.",
}
SPRING, CAMP = ((3, 6), (6, 12)), ((7, 12), (7, 16))  # (month, day) of the first and last day


@dataclass(frozen=True)
class DemoPlan:
    """One demo plan, as an admin would type it into the plan form."""

    league: str
    program: str
    name: str
    price: str
    groups: tuple[str, ...] = ()
    dates: tuple[tuple[int, int], tuple[int, int]] | None = None  # a season, else rolling
    every: tuple[int, DurationUnit] = (1, DurationUnit.MONTHS)
    capacity: int | None = None
    agreement: tuple[str, str] = ("", "")
    currency: str = "usd"


U14_UP = ("U14", "U16", "U18")
PLANS = [
    DemoPlan(RS, "Spring recreational", "U6 and U8", "120.00", ("U6", "U8"), SPRING),
    DemoPlan(
        RS, "Spring recreational", "U10 and U12", "140.00", ("U10", "U12"), SPRING, capacity=16
    ),
    DemoPlan(RS, "Spring recreational", "U14 to U18", "140.00", U14_UP, SPRING),
    DemoPlan(
        RS,
        "Summer camp",
        "Day camp, 12 to 16 July",
        "180.00",
        ("U8", "U10", "U12", "U14"),
        CAMP,
        capacity=30,
        agreement=("Waiver and release", WAIVER),
    ),
    DemoPlan(
        RS,
        "Winter futsal",
        "Futsal, 3 months",
        "60.00",
        ("U8", "U10", "U12", "U14"),
        every=(3, DurationUnit.MONTHS),
    ),
    DemoPlan(NS, "Adult league", "Monthly", "45.00", currency="cad"),
    DemoPlan(
        NS, "Adult league", "Full year", "450.00", every=(1, DurationUnit.YEARS), currency="cad"
    ),
]
# Who has paid: one checkout per family, [(player, plan)]. Pat's Mia plays futsal now
# (a card that reads VALID today); Leo, with no photo yet, is left to register.
ORDERS = [
    ("parent.pat", [("Mia", "Futsal, 3 months")]),
    ("guardian.chen", [("Ava", "U14 to U18"), ("Noah", "U10 and U12")]),
    ("guardian.rivera", [("Lucas", "U14 to U18"), ("Sofia", "U6 and U8")]),
    ("guardian.obi", [("Daniel", "U14 to U18"), ("Zara", "Day camp, 12 to 16 July")]),
    ("skater.jesse", [("Jesse", "Full year")]),
    ("skater.dana", [("Dana", "Monthly")]),
]
SUSPENSION = ("Lucas", "Red card in the last match: two-match ban.")


def demo_year(today: date) -> int:
    """The spring season's year: 2027, or the next one not yet started (the demo never
    offers a season that is already over)."""
    year = 2027
    while date(year, *SPRING[0]) <= today:
        year += 1
    return year


def _add_plans(league: League, year: int) -> dict[str, Plan]:
    """The league's programs and plans, through the admin services (every rule checked)."""
    groups = {group.name: group.id for group in player_queries.age_groups()}
    today = today_in(league)
    programs, plans = {}, {}
    for spec in (plan for plan in PLANS if plan.league == league.slug):
        title = f"{spec.program} {year}" if spec.program == "Spring recreational" else spec.program
        if title not in programs:
            programs[title] = admin_services.create_program(
                league, title, PROGRAM_TEXT[spec.program]
            )
        (start, end), fixed = spec.dates or (None, None), spec.dates is not None
        data = PlanData(
            name=spec.name,
            price_minor=parse_money(spec.price, spec.currency),
            currency=spec.currency,
            term=TermKind.FIXED if fixed else TermKind.ROLLING,
            season_start=date(year, *start) if fixed else None,
            season_end=date(year, *end) if fixed else None,
            duration=None if fixed else spec.every[0],
            duration_unit=None if fixed else spec.every[1],
            capacity=spec.capacity,
            age_group_ids=tuple(groups[name] for name in spec.groups),
            agreement_title=spec.agreement[0],
            agreement_text=spec.agreement[1],
        )
        plans[spec.name] = admin_services.create_plan(programs[title], data, today)
    return plans


def _pay(league: League, guardian: User, picks, profiles: dict, plans: dict) -> None:
    """A family's checkout, paid at the test gateway and fulfilled as the success page does."""
    selections = [checkout.Selection(profiles[name], plans[plan]) for name, plan in picks]
    order = checkout.place_order(
        league,
        guardian,
        selections,
        nonce=f"demo-{guardian.id}",
        accepted={s.plan.id for s in selections if s.plan.has_agreement},
        today=today_in(league),
    )
    checkout.open_session(order)
    get_gateway().complete(order.session_id, "paid")
    fulfilment.sync_order(order)


def add(
    league: League,
    people: dict[str, User],
    profiles: dict[str, PlayerProfile],
    notes: dict[str, list[str]],
) -> None:
    """The league's programs and plans, its families' paid checkouts, and one suspension.

    `profiles`: the league's demo players by first name; `notes` gets what each family paid.
    """
    from portal.payments.testmode import TestGateway

    plans = _add_plans(league, demo_year(today_in(league)))
    if not isinstance(get_gateway(), TestGateway):
        return  # a real Stripe account is configured: the demo pays for nothing
    for guardian, picks in ORDERS:
        if picks[0][0] in profiles:
            _pay(league, people[f"{guardian}@example.com"], picks, profiles, plans)
            notes.setdefault(f"{guardian}@example.com", []).append(
                "paid for " + " and ".join(name for name, _ in picks)
            )
    name, reason = SUSPENSION
    if name in profiles:
        today = today_in(league)
        admin_services.suspend_membership(
            current_term(profiles[name].id),
            people["coach.maria@example.com"],
            reason,
            today + timedelta(days=13),
            today,
        )
