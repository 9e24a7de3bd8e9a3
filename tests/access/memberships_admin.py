"""Access rows for the league admin's programs, plans, memberships and rosters
(see tests/access/__init__.py for the row format).

Everything is for league admins (and the platform admin); everyone else gets
"not found", and sign-in comes first. The one public route is a plan's
agreement PDF: the world's plan has none, so it is "not found" for everyone.

The world names {plan} and {order} but not their program and membership, nor
league B's plan; `world_ids` looks those up from the world's own ids, once per
world: {program} ({plan}'s program), {membership} (the membership {order} paid
for), {b_plan}, {b_program} and {b_membership} (from {b_order}). `Ids` marks the
templates that use them.

Rows post no form data: the admin's answers show the guard let them through
to the checks (422 for an empty form, 400 for a missing direction, 303 after
a change or a refused lift). Reads come first, then refused changes, then the
changes, each undone by the next row (close then open, archive then unarchive).
"""

from __future__ import annotations

from sqlalchemy import select

from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.memberships.models import Plan
from portal.payments.models import OrderLine
from tests.access import ADMIN_ONLY, NOBODY, admin_answers, expect


def world_ids(ids: dict) -> dict:
    """The programs and memberships behind the world's plan and orders, for the world
    to add to its ids (as it adds `cards_print.world_ids`)."""
    with unscoped():

        def line(order_id: int) -> OrderLine:
            return db.session.scalars(
                select(OrderLine).where(OrderLine.order_id == order_id)
            ).first()

        b_line = line(ids["b_order"])
        return {
            "program": db.session.get(Plan, ids["plan"]).program_id,
            "membership": line(ids["order"]).membership_id,
            "b_plan": b_line.plan_id,
            "b_program": db.session.get(Plan, b_line.plan_id).program_id,
            "b_membership": b_line.membership_id,
        }


class Ids(str):
    """A URL template that also uses the ids of `world_ids`. A world that has not added
    them gets them looked up for this one URL."""

    def format(self, *args, **ids) -> str:
        return str.format(self, *args, **(ids if "program" in ids else ids | world_ids(ids)))


P = "/l/{a}/programs"

ROWS: list = [
    ("l.programs.index", "GET", P + "/", ADMIN_ONLY),
    ("l.programs.memberships", "GET", P + "/memberships?status=all&q=ver", ADMIN_ONLY),
    ("l.programs.new_program", "GET", P + "/new", ADMIN_ONLY),
    ("l.programs.edit_program", "GET", Ids(P + "/{program}/edit"), ADMIN_ONLY),
    ("l.programs.edit_program", "GET", Ids(P + "/{b_program}/edit"), NOBODY),
    ("l.programs.new_plan", "GET", Ids(P + "/{program}/plans/new"), ADMIN_ONLY),
    ("l.programs.new_plan", "GET", Ids(P + "/{b_program}/plans/new"), NOBODY),
    ("l.programs.edit_plan", "GET", P + "/plans/{plan}/edit", ADMIN_ONLY),
    ("l.programs.edit_plan", "GET", Ids(P + "/plans/{b_plan}/edit"), NOBODY),
    ("l.programs.roster", "GET", P + "/plans/{plan}/roster", ADMIN_ONLY),
    ("l.programs.roster", "GET", Ids(P + "/plans/{b_plan}/roster"), NOBODY),
    ("l.programs.agreement_pdf", "GET", P + "/plans/{plan}/agreement.pdf", expect(404)),
    ("l.programs.agreement_pdf", "GET", Ids(P + "/plans/{b_plan}/agreement.pdf"), expect(404)),
    # Refused: empty forms, no direction, no reason. Nothing changes.
    ("l.programs.new_program", "POST", P + "/new", admin_answers(422)),
    ("l.programs.edit_program", "POST", Ids(P + "/{program}/edit"), admin_answers(422)),
    ("l.programs.edit_program", "POST", Ids(P + "/{b_program}/edit"), NOBODY),
    ("l.programs.new_plan", "POST", Ids(P + "/{program}/plans/new"), admin_answers(422)),
    ("l.programs.new_plan", "POST", Ids(P + "/{b_program}/plans/new"), NOBODY),
    ("l.programs.edit_plan", "POST", P + "/plans/{plan}/edit", admin_answers(422)),
    ("l.programs.edit_plan", "POST", Ids(P + "/plans/{b_plan}/edit"), NOBODY),
    ("l.programs.move_program", "POST", Ids(P + "/{program}/move"), admin_answers(400)),
    ("l.programs.move_program", "POST", Ids(P + "/{b_program}/move"), NOBODY),
    ("l.programs.move_plan", "POST", P + "/plans/{plan}/move", admin_answers(400)),
    ("l.programs.move_plan", "POST", Ids(P + "/plans/{b_plan}/move"), NOBODY),
    (
        "l.programs.suspend_membership",
        "POST",
        Ids(P + "/memberships/{membership}/suspend"),
        admin_answers(422),
    ),
    (
        "l.programs.suspend_membership",
        "POST",
        Ids(P + "/memberships/{b_membership}/suspend"),
        NOBODY,
    ),
    (
        "l.programs.cancel_membership",
        "POST",
        Ids(P + "/memberships/{membership}/cancel"),
        admin_answers(422),
    ),
    (
        "l.programs.cancel_membership",
        "POST",
        Ids(P + "/memberships/{b_membership}/cancel"),
        NOBODY,
    ),
    # Not suspended: a message and a redirect back to the list, nothing changes.
    (
        "l.programs.lift_suspension",
        "POST",
        Ids(P + "/memberships/{membership}/lift"),
        admin_answers(303),
    ),
    ("l.programs.lift_suspension", "POST", Ids(P + "/memberships/{b_membership}/lift"), NOBODY),
    # Changes, each undone by the row after it.
    ("l.programs.close_plan", "POST", P + "/plans/{plan}/close", admin_answers(303)),
    ("l.programs.close_plan", "POST", Ids(P + "/plans/{b_plan}/close"), NOBODY),
    ("l.programs.open_plan", "POST", P + "/plans/{plan}/open", admin_answers(303)),
    ("l.programs.open_plan", "POST", Ids(P + "/plans/{b_plan}/open"), NOBODY),
    ("l.programs.archive_program", "POST", Ids(P + "/{program}/archive"), admin_answers(303)),
    ("l.programs.archive_program", "POST", Ids(P + "/{b_program}/archive"), NOBODY),
    ("l.programs.unarchive_program", "POST", Ids(P + "/{program}/unarchive"), admin_answers(303)),
    ("l.programs.unarchive_program", "POST", Ids(P + "/{b_program}/unarchive"), NOBODY),
]
