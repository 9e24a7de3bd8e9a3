"""The rules a plan must follow, written once.

The plan form calls `plan_problems()` to put each message beside its field;
the admin services call it again before saving, so no other caller (the demo
loader, a future API) can store a plan the form would refuse. An agreement
PDF is checked by its content, never its name, before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pypdfium2 as pdfium

from portal.core.money import CURRENCIES, format_money
from portal.memberships.eligibility import PROFILE_FIELDS
from portal.memberships.models import DurationUnit, Plan, TermKind

NAME_MAX = 120
DESCRIPTION_MAX = 2000
AGREEMENT_TEXT_MAX = 20000
MAX_CAPACITY = 100_000
MAX_WINDOW_DAYS = 365
PDF_MAX_BYTES = 10 * 1024 * 1024
PDF_MAX_PAGES = 50
# Card payments below these are refused by Stripe; above the maximum is a typo.
MIN_PRICE_MINOR = {"usd": 50, "cad": 50, "eur": 50, "gbp": 30, "aud": 50, "nzd": 50}
MAX_PRICE_MINOR = 9_999_999
# The longest rolling term, per unit (five years).
MAX_DURATION = {
    DurationUnit.DAYS: 1826,
    DurationUnit.WEEKS: 260,
    DurationUnit.MONTHS: 60,
    DurationUnit.YEARS: 5,
}


class PlanError(ValueError):
    """Everything wrong with a plan at once: {form field (None: the form): message}."""

    def __init__(self, errors: dict[str | None, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class PlanData:
    """A plan as the admin described it, already parsed. None: not given (or unreadable)."""

    name: str
    price_minor: int | None
    currency: str
    term: TermKind | None
    description: str = ""
    season_start: date | None = None
    season_end: date | None = None
    duration: int | None = None
    duration_unit: DurationUnit | None = None
    renewal_window_days: int | None = None
    capacity: int | None = None
    age_group_ids: tuple[int, ...] = ()
    born_from: date | None = None
    born_to: date | None = None
    required_fields: tuple[str, ...] = ()
    agreement_title: str = ""
    agreement_text: str = ""
    is_open: bool = True

    @classmethod
    def of(cls, plan: Plan) -> PlanData:
        """A plan's current values, to change a few with `dataclasses.replace`."""
        return cls(
            **{
                name: getattr(plan, name)
                for name in cls.__dataclass_fields__
                if name not in ("age_group_ids", "required_fields")
            },
            age_group_ids=tuple(plan.age_group_ids or ()),
            required_fields=tuple(plan.required_fields or ()),
        )


def normalise_text(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF: store LF, so saving the same text
    again is not a new version of the agreement."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def plan_problems(
    data: PlanData,
    *,
    today: date,
    group_ids: set[int],
    has_pdf: bool = False,
    dates_changed: bool = True,
    skip: frozenset[str] = frozenset(),
) -> dict[str | None, str]:
    """Every rule of a plan, checked at once: {field: message}; empty when the plan is fine.

    `has_pdf`: an agreement PDF is (or will be) attached. `dates_changed`: a new
    plan, or new season dates (an existing season may be over; its text can still
    be edited). `skip`: fields the form could not read, which already have a message.
    """
    problems: dict[str | None, str] = {}

    def add(name: str, message: str) -> None:
        if name not in skip and name not in problems:
            problems[name] = message

    name = (data.name or "").strip()
    if not name:
        add("name", "Enter the plan's name, like U10 or Monthly.")
    elif len(name) > NAME_MAX:
        add("name", f"Keep the name to {NAME_MAX} characters or fewer.")
    if len(data.description or "") > DESCRIPTION_MAX:
        add("description", f"Keep the description to {DESCRIPTION_MAX} characters or fewer.")
    _price_problems(data, add)
    _term_problems(data, add, today, dates_changed)
    if data.renewal_window_days is not None and not (
        0 <= data.renewal_window_days <= MAX_WINDOW_DAYS
    ):
        add("renewal_window_days", f"Enter a number of days from 0 to {MAX_WINDOW_DAYS}.")
    if data.capacity is not None and not 1 <= data.capacity <= MAX_CAPACITY:
        add("capacity", "Enter at least 1 place, or leave it empty for no limit.")
    if set(data.age_group_ids) - group_ids:
        add("age_group_ids", "Choose age groups from the league's list.")
    if data.born_from and data.born_to and data.born_to < data.born_from:
        add("born_to", "The latest date of birth must not be before the earliest.")
    if set(data.required_fields) - set(PROFILE_FIELDS):
        add("required_fields", "Choose profile fields from the list.")
    _agreement_problems(data, add, has_pdf)
    return problems


def _price_problems(data: PlanData, add) -> None:
    if data.currency not in CURRENCIES:
        add("currency", "Choose a currency from the list.")
        return
    if data.price_minor is None:
        add("price", "Enter the price, like 120.00.")
        return
    low = MIN_PRICE_MINOR.get(data.currency, 1)
    if data.price_minor < low:
        add(
            "price",
            f"Enter a price of at least {format_money(low, data.currency)}: "
            "card payments below that are refused.",
        )
    elif data.price_minor > MAX_PRICE_MINOR:
        add("price", f"Enter a price below {format_money(MAX_PRICE_MINOR + 1, data.currency)}.")


def _term_problems(data: PlanData, add, today: date, dates_changed: bool) -> None:
    if data.term == TermKind.FIXED:
        if data.season_start is None:
            add("season_start", "Enter the first day of the season.")
        if data.season_end is None:
            add("season_end", "Enter the last day of the season.")
        if data.season_start and data.season_end:
            if data.season_end <= data.season_start:
                add("season_end", "The season must end after it starts.")
            elif dates_changed and data.season_end < today:
                add("season_end", "This season would already be over: choose a later end date.")
    elif data.term == TermKind.ROLLING:
        if data.duration_unit not in MAX_DURATION:
            add("duration_unit", "Choose days, weeks, months or years.")
        elif data.duration is None or data.duration < 1:
            add("duration", "Enter how long a membership lasts, like 1 (month) or 12 (months).")
        elif data.duration > MAX_DURATION[data.duration_unit]:
            add("duration", "A membership can last at most 5 years.")
    else:
        add("term", "Choose a season with fixed dates or a rolling membership.")


def _agreement_problems(data: PlanData, add, has_pdf: bool) -> None:
    title, text = (data.agreement_title or "").strip(), normalise_text(data.agreement_text)
    if len(title) > NAME_MAX:
        add("agreement_title", f"Keep the title to {NAME_MAX} characters or fewer.")
    if len(text) > AGREEMENT_TEXT_MAX:
        add("agreement_text", f"Keep the text to {AGREEMENT_TEXT_MAX:,} characters or fewer.")
    if (text or has_pdf) and not title:
        add("agreement_title", "Give the agreement a title, like Waiver and release.")
    if title and not (text or has_pdf):
        add("agreement_text", "Add the agreement's text or a PDF, or clear its title.")


def pdf_problem(data: bytes | None) -> str | None:
    """Why an agreement PDF is refused (None: no file, or a readable PDF).

    Judged by content, never by name, and before anything is stored, so a
    refused file leaves storage untouched.
    """
    if data is None:
        return None
    if not data:
        return "The file is empty. Please choose the PDF again."
    if len(data) > PDF_MAX_BYTES:
        return "The PDF is larger than 10 MB. Please choose a smaller one."
    if not data.startswith(b"%PDF-"):
        return "Please choose a PDF file (the agreement as families will read it)."
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            return "This PDF is protected by a password. Please upload one without a password."
        return "This PDF is damaged or incomplete. Please choose another."
    try:
        pages = len(pdf)
    finally:
        pdf.close()
    if pages == 0:
        return "This PDF has no pages. Please choose another."
    if pages > PDF_MAX_PAGES:
        return f"This PDF has more than {PDF_MAX_PAGES} pages. Please upload a shorter one."
    return None
