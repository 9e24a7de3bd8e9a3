"""League admin changes to programs, plans and memberships.

Flush, never commit: the view commits once. A plan is checked against
`plan_rules` (the same rules the form shows beside each field) before it is
saved; a program or membership change an admin can fix raises an error
naming the form field.

What players already paid for is never rewritten here: a membership keeps
the dates it was given when it was paid, and its order keeps the price, so a
plan's price or term can change for new registrations at any time.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core.storage import discard, store
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships import lifecycle
from portal.memberships.eligibility import PROFILE_FIELDS
from portal.memberships.lifecycle import CURRENT, MembershipError
from portal.memberships.models import AgreementAcceptance, Membership, Plan, Program, TermKind
from portal.memberships.plan_rules import (
    DESCRIPTION_MAX,
    NAME_MAX,
    PlanData,
    PlanError,
    normalise_text,
    pdf_problem,
    plan_problems,
)

log = logging.getLogger(__name__)
REASON_MAX = 500


class ProgramError(ValueError):
    """A program change an admin can fix; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- programs -----------------------------------------------------------------------


def _programs() -> list[Program]:
    return list(db.session.scalars(select(Program).order_by(Program.position, Program.id)))


def _check_program(name: str, description: str, exclude_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ProgramError("Enter the program's name, like Spring recreational 2027.", "name")
    if len(name) > NAME_MAX:
        raise ProgramError(f"Keep the name to {NAME_MAX} characters or fewer.", "name")
    if len(description or "") > DESCRIPTION_MAX:
        raise ProgramError(
            f"Keep the description to {DESCRIPTION_MAX} characters or fewer.", "description"
        )
    taken = db.session.scalar(
        select(Program.id).where(
            func.lower(Program.name) == name.lower(), Program.id != (exclude_id or 0)
        )
    )
    if taken is not None:
        raise ProgramError(f"There is already a program called {name}.", "name")
    return name


def create_program(league: League, name: str, description: str = "") -> Program:
    """A new program at the end of the list (shown last on the public page)."""
    name = _check_program(name, description)
    program = Program(
        league_id=league.id,
        name=name,
        description=(description or "").strip(),
        position=len(_programs()),
    )
    db.session.add(program)
    db.session.flush()
    return program


def update_program(program: Program, name: str, description: str = "") -> None:
    program.name = _check_program(name, description, exclude_id=program.id)
    program.description = (description or "").strip()
    db.session.flush()


def set_archived(program: Program, archived: bool) -> None:
    """Archiving hides a finished program from families; its memberships stay as they are."""
    program.archived = archived
    db.session.flush()


def _swap(rows: list, row, direction: str) -> bool:
    """Swap `row` with its neighbour above or below and renumber; False at either end."""
    if direction not in ("up", "down"):
        raise ProgramError("Choose up or down.", "direction")
    at = next(i for i, candidate in enumerate(rows) if candidate.id == row.id)
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(rows):
        return False
    rows[at], rows[other] = rows[other], rows[at]
    for position, each in enumerate(rows):
        each.position = position
    db.session.flush()
    return True


def move_program(program: Program, direction: str) -> bool:
    """Programs show in this order on the public page and the registration form."""
    return _swap(_programs(), program, direction)


def move_plan(plan: Plan, direction: str) -> bool:
    """Plans show in this order inside their program."""
    plans = list(
        db.session.scalars(
            select(Plan).where(Plan.program_id == plan.program_id).order_by(Plan.position, Plan.id)
        )
    )
    return _swap(plans, plan, direction)


# -- plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementChange:
    """What a save did to the agreement, for the admin's message."""

    version: int
    bumped: bool = False
    removed: bool = False


def _group_ids() -> set[int]:
    from portal.players.queries import age_groups

    return {group.id for group in age_groups()}


def _check_plan(
    data: PlanData,
    today: date,
    *,
    program_id: int,
    plan_id: int | None,
    has_pdf: bool,
    dates_changed: bool,
    pdf: bytes | None,
    unreadable: frozenset[str],
) -> None:
    """Raise PlanError with every problem: the rules, the name within its program, the PDF.

    `unreadable`: fields the caller could not read (they have their own message); the
    plan is refused while there are any, and their rules are not checked twice.
    """
    problems = plan_problems(
        data,
        today=today,
        group_ids=_group_ids(),
        has_pdf=has_pdf,
        dates_changed=dates_changed,
        skip=unreadable,
    )
    name = (data.name or "").strip()
    duplicate = db.session.scalar(
        select(Plan.id).where(
            Plan.program_id == program_id,
            func.lower(Plan.name) == name.lower(),
            Plan.id != (plan_id or 0),
        )
    )
    if name and duplicate is not None:
        problems.setdefault("name", f"This program already has a plan called {name}.")
    refused = pdf_problem(pdf)
    if refused:
        problems["agreement_pdf"] = refused
    if problems or unreadable:
        raise PlanError(problems)


def _apply(plan: Plan, data: PlanData) -> None:
    """Copy the checked values; a term keeps only the fields of its kind."""
    fixed = data.term == TermKind.FIXED
    plan.name = data.name.strip()
    plan.description = (data.description or "").strip()
    plan.price_minor = data.price_minor
    plan.currency = data.currency
    plan.term = data.term
    plan.season_start = data.season_start if fixed else None
    plan.season_end = data.season_end if fixed else None
    plan.duration = None if fixed else data.duration
    plan.duration_unit = None if fixed else data.duration_unit
    plan.renewal_window_days = data.renewal_window_days
    plan.capacity = data.capacity
    plan.age_group_ids = sorted(set(data.age_group_ids)) or None
    plan.born_from, plan.born_to = data.born_from, data.born_to
    plan.required_fields = [name for name in PROFILE_FIELDS if name in data.required_fields] or None
    plan.agreement_title = (data.agreement_title or "").strip()
    plan.is_open = data.is_open


def create_plan(
    program: Program,
    data: PlanData,
    today: date,
    pdf: bytes | None = None,
    *,
    unreadable: frozenset[str] = frozenset(),
) -> Plan:
    """A new plan at the end of its program; its agreement (if any) is version 1."""
    _check_plan(
        data,
        today,
        program_id=program.id,
        plan_id=None,
        has_pdf=pdf is not None,
        dates_changed=True,
        pdf=pdf,
        unreadable=unreadable,
    )
    position = db.session.scalar(
        select(func.count()).select_from(Plan).where(Plan.program_id == program.id)
    )
    plan = Plan(league_id=program.league_id, program_id=program.id, position=position)
    _apply(plan, data)
    db.session.add(plan)
    db.session.flush()
    _apply_agreement(plan, data, pdf, remove_pdf=False)
    db.session.flush()
    return plan


def update_plan(
    plan: Plan,
    data: PlanData,
    today: date,
    *,
    pdf: bytes | None = None,
    remove_pdf: bool = False,
    unreadable: frozenset[str] = frozenset(),
) -> AgreementChange:
    """Change a plan for new registrations. Memberships already paid keep their dates (they
    were set at payment) and their orders keep the price paid; nothing of theirs is touched.

    A new PDF replaces the current one; `remove_pdf` drops it without a new one.
    """
    dates_changed = (data.term, data.season_start, data.season_end) != (
        plan.term,
        plan.season_start,
        plan.season_end,
    )
    keeps_pdf = plan.agreement_key is not None and not remove_pdf
    _check_plan(
        data,
        today,
        program_id=plan.program_id,
        plan_id=plan.id,
        has_pdf=pdf is not None or keeps_pdf,
        dates_changed=dates_changed,
        pdf=pdf,
        unreadable=unreadable,
    )
    _apply(plan, data)
    change = _apply_agreement(plan, data, pdf, remove_pdf=remove_pdf)
    db.session.flush()
    return change


def _apply_agreement(
    plan: Plan, data: PlanData, pdf: bytes | None, *, remove_pdf: bool
) -> AgreementChange:
    """Store the new text and PDF; a change to either is a new version of the agreement.

    Acceptances record the version a family accepted, so versions only ever go up
    (an agreement removed and added again does not reuse an accepted number). The
    PDF of a version someone accepted is kept in storage; one nobody accepted is
    deleted once the change commits.
    """
    old_version, old_key = plan.agreement_version, plan.agreement_key
    text = normalise_text(data.agreement_text)
    key = old_key
    if pdf is not None:
        digest = hashlib.sha256(pdf).hexdigest()[:16]
        key = f"leagues/{plan.league_id}/agreements/plan-{plan.id}-{digest}.pdf"
        if key != old_key:
            store(key, pdf, "application/pdf")
    elif remove_pdf:
        key = None
    changed = text != plan.agreement_text or key != old_key
    plan.agreement_text, plan.agreement_key = text, key
    if old_key and key != old_key and not _accepted(plan, old_version):
        discard(old_key)
    if not (text or key):
        plan.agreement_version = 0
        return AgreementChange(0, removed=old_version > 0)
    if changed or old_version == 0:
        plan.agreement_version = _next_version(plan)
        return AgreementChange(plan.agreement_version, bumped=True)
    return AgreementChange(old_version)


def _accepted(plan: Plan, version: int) -> bool:
    return (
        db.session.scalar(
            select(AgreementAcceptance.id)
            .where(AgreementAcceptance.plan_id == plan.id, AgreementAcceptance.version == version)
            .limit(1)
        )
        is not None
    )


def _next_version(plan: Plan) -> int:
    accepted = db.session.scalar(
        select(func.max(AgreementAcceptance.version)).where(AgreementAcceptance.plan_id == plan.id)
    )
    return max(plan.agreement_version, accepted or 0) + 1


def set_plan_open(plan: Plan, is_open: bool) -> None:
    """Open or close a plan for registration; memberships already paid are unaffected."""
    plan.is_open = is_open
    db.session.flush()


# -- memberships ----------------------------------------------------------------------


class ActionError(MembershipError):
    """A suspension or cancellation the admin must correct; `field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _reason(reason: str, missing: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActionError(missing, "reason")
    if len(reason) > REASON_MAX:
        raise ActionError(f"Keep the reason to {REASON_MAX} characters or fewer.", "reason")
    return reason


def _signed(reason: str, verb: str, admin: User, today: date) -> str:
    """Who did it and when, kept with the reason (a membership has no history table)."""
    return f"{reason} ({verb} by {admin.full_name} on {today.day} {today:%b %Y})"


def _must_be_current(membership: Membership, what: str) -> None:
    if membership.status not in CURRENT:
        raise ActionError(
            f"Only an active membership can be {what}; "
            f"this one is {membership.status.label.lower()}."
        )


def suspend_membership(
    membership: Membership, admin: User, reason: str, until: date | None, today: date
) -> None:
    """Suspend until a date (the daily job lifts it the day after) or until lifted by hand.

    Suspending a suspended membership again replaces its reason and end date.
    """
    reason = _reason(reason, "Say why the membership is suspended.")
    _must_be_current(membership, "suspended")
    if until is not None and until < today:
        raise ActionError("The suspension must end today or later.", "until")
    if until is not None and membership.ends_on and until > membership.ends_on:
        raise ActionError(
            f"The membership itself ends on {membership.ends_on.day} "
            f"{membership.ends_on:%b %Y}: leave the end date empty to suspend it until then.",
            "until",
        )
    if not lifecycle.suspend(membership, _signed(reason, "suspended", admin, today), until):
        raise ActionError("This membership has just ended; nothing was changed.")
    log.info("membership %s suspended by user %s until %s", membership.id, admin.id, until)


def lift_suspension(membership: Membership, admin: User) -> None:
    if not lifecycle.lift(membership):
        raise ActionError(
            f"This membership is not suspended (it is {membership.status.label.lower()})."
        )
    log.info("membership %s: suspension lifted by user %s", membership.id, admin.id)


def cancel_membership(membership: Membership, admin: User, reason: str, today: date) -> None:
    """End a term early. No money moves: a refund is made from the payment, separately."""
    reason = _reason(reason, "Say why the membership is cancelled.")
    _must_be_current(membership, "cancelled")
    if not lifecycle.cancel(membership, _signed(reason, "cancelled", admin, today)):
        raise ActionError("This membership has just ended; nothing was changed.")
    log.info("membership %s cancelled by user %s", membership.id, admin.id)
