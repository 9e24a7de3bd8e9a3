"""League admins: the league's payments, the export, one order, refunds, "check again",
and settling a flagged order (accept its payment, refund it, or close it unpaid).

Each view parses, calls a query or a service, commits once and renders. The
refund form carries what was refunded when it was shown, so a second click,
or a second admin refunding meanwhile, never gives the money back twice.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, flash, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.core.forms import add_error, strip
from portal.core.htmx import render
from portal.core.money import MoneyError, format_money, parse_money
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.payments import (
    admin_queries,
    attention,
    fulfilment,
    outcomes,
    reconciliation,
    refunds,
    totals,
)
from portal.payments.gateway import GatewayError, GatewayUnavailable, get_gateway
from portal.payments.models import Order, OrderStatus
from portal.players.services import today_in

bp = Blueprint("payments", __name__, url_prefix="/payments")
GATEWAY_NAMES = {"stripe": "Stripe", "test": "the test checkout"}
FLAGGED = "flagged"  # the flagged-refund form's field prefix: its ids differ from RefundForm's


class FlaggedRefundForm(FlaskForm):
    """Refund a flagged payment in full: confirmed, with an optional note."""

    note = StringField("Note (optional)", validators=[Length(max=300)], filters=[strip])
    confirm = BooleanField(
        "Yes, give the whole payment back. The players are not registered.",
        validators=[DataRequired("Tick the box to confirm the refund.")],
    )


class RefundForm(FlaskForm):
    """A refund: the amount as typed (parsed into minor units by us, never a float), a
    reason kept with it, an explicit confirmation, and what had been refunded when the
    form was shown (a resent form then refunds nothing)."""

    amount = StringField(
        "Amount to refund",
        validators=[InputRequired("Enter the amount to refund.")],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Say why: it is kept with the refund."), Length(max=500)],
        filters=[strip],
        description="Kept in the order's history, e.g. “Season cancelled”.",
    )
    confirm = BooleanField(
        "Yes, give this money back to the payer. A refund cannot be undone.",
        validators=[DataRequired("Tick the box to confirm the refund.")],
    )
    refunded_before = HiddenField()


@bp.context_processor
def helpers() -> dict:
    """Dates on the league's clock, the gateway's name and outcomes in words, for these
    templates."""
    league = g.get("league")
    return {
        "local": partial(admin_queries.league_time, league=league) if league else None,
        "gateway_name": lambda order: GATEWAY_NAMES.get(order.gateway, order.gateway),
        "stripe_url": admin_queries.stripe_dashboard_url,
        "outcome_text": outcomes.describe,
        "status_label": outcomes.status_label,
    }


@bp.get("/")
@league_permission_required("manage_league")
def index():
    """Every order of the league, filtered and paged; the fragment for htmx."""
    filters = admin_queries.parse_filters(request.args)
    last = reconciliation.last_run()
    return render(
        "payments/index.html",
        "payments/_orders.html",
        filters=filters,
        page=admin_queries.page_of(filters, g.league),
        totals=totals.of_filtered(filters, g.league),
        plans=admin_queries.plans(),
        statuses=list(OrderStatus),
        attention=admin_queries.needing_attention(),
        stuck=reconciliation.stuck_orders(),
        last_run=reconciliation.for_league(last, g.league.id),
    )


@bp.get("/export.csv")
@league_permission_required("manage_league")
def export():
    """The filtered orders as CSV, streamed batch by batch from a database cursor (see
    `admin_queries.csv_chunks` for why it needs no `stream_with_context`)."""
    filters = admin_queries.parse_filters(request.args)
    name = f"payments-{g.league.slug}-{today_in(g.league).isoformat()}.csv"
    chunks = admin_queries.csv_chunks(filters, g.league)
    return Response(
        chunks,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/<int:order_id>")
@league_permission_required("manage_league")
def detail(order_id: int):
    """One order's whole story, with the refund form and "check again"."""
    order = get_or_404(Order, order_id)
    return _detail(order, _refund_form(order))


@bp.post("/<int:order_id>/refund")
@league_permission_required("manage_league")
def refund(order_id: int):
    """Refund all or part of the order through the gateway; a full refund ends the
    memberships it paid for. Any refusal changes nothing and answers 422."""
    order = get_or_404(Order, order_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _detail(order, form, status=422)
    if form.refunded_before.data != str(order.refunded_minor):
        flash(
            "A refund was recorded after this page was opened, so nothing more was refunded. "
            "Check the history below before refunding again.",
            "info",
        )
        return redirect(url_for(".detail", order_id=order.id), 303)
    try:
        amount = parse_money(form.amount.data, order.currency)
    except MoneyError as error:  # "25,50" too: a refund must not guess
        add_error(form, "amount", str(error))
        return _detail(order, form, status=422)
    try:
        made = refunds.refund(order, amount, current_user._get_current_object(), form.reason.data)
        db.session.commit()
    except refunds.RefundError as error:
        return _refused(order, form, str(error))
    except GatewayUnavailable:  # it may still have been made: the same key finds it again
        return _refused(
            order,
            form,
            "Stripe did not answer. Send the same refund again: a repeat is recognised "
            "and never made twice.",
        )
    except GatewayError as error:
        return _refused(order, form, str(error))
    except IntegrityError:  # the same refund recorded meanwhile (a double click, the webhook)
        db.session.rollback()
        flash("This refund was already recorded.", "info")
        return redirect(url_for(".detail", order_id=order.id), 303)
    flash(f"Refunded {format_money(made.amount_minor, order.currency)}.", "success")
    return redirect(url_for(".detail", order_id=order.id), 303)


@bp.post("/<int:order_id>/recheck")
@league_permission_required("manage_league")
def recheck(order_id: int):
    """Ask the gateway again and bring the order in line (the one fulfilment path):
    for a webhook that never came, or a payment still on its way."""
    order = get_or_404(Order, order_id)
    name = GATEWAY_NAMES.get(order.gateway, order.gateway)
    if not order.session_id or order.gateway != get_gateway().name:
        flash(f"There is nothing to check: this order has no checkout at {name}.", "info")
        return redirect(url_for(".detail", order_id=order.id), 303)
    before = order.status
    try:
        fulfilment.sync_order(order)
        db.session.commit()
    except (GatewayUnavailable, GatewayError) as error:
        db.session.rollback()
        flash(f"Could not check with {name}: {error}", "error")
    else:
        if order.status == before:
            flash(f"Checked with {name}: nothing has changed ({order.status.label}).", "info")
        else:
            flash(f"Checked with {name}: the order is now “{order.status.label}”.", "success")
    return redirect(url_for(".detail", order_id=order.id), 303)


@bp.post("/<int:order_id>/accept")
@league_permission_required("manage_league")
def accept(order_id: int):
    """A flagged payment counts as made: the order is paid and its memberships start;
    who accepted it is kept. A second click finds the order settled."""
    order = get_or_404(Order, order_id)  # the CSRF token is checked app-wide (CSRFProtect)
    return _settle(order, lambda: attention.accept(order, current_user._get_current_object()))


@bp.post("/<int:order_id>/refund-flagged")
@league_permission_required("manage_league")
def refund_flagged(order_id: int):
    """Give a flagged payment back in full through the gateway; the memberships never
    start. Unconfirmed: 422 with the form's message, nothing refunded."""
    order = get_or_404(Order, order_id)
    form = FlaggedRefundForm(prefix=FLAGGED)
    if not form.validate_on_submit():
        return _detail(order, _refund_form(order), status=422, flagged_form=form)
    admin = current_user._get_current_object()
    return _settle(order, lambda: attention.refund(order, admin, form.note.data or ""))


@bp.post("/<int:order_id>/close")
@league_permission_required("manage_league")
def close(order_id: int):
    """A flagged order nobody paid is closed: its checkout is ended at the gateway and
    its players' places are released; who closed it is kept. Refused once a payment
    shows at the gateway; a second click finds the order closed."""
    order = get_or_404(Order, order_id)
    return _settle(order, lambda: attention.close(order, current_user._get_current_object()))


def _settle(order: Order, action):
    """Run an accept, a refund or a close of a flagged order, commit, and say what
    happened."""
    try:
        outcome = action()
        db.session.commit()
    except (attention.AttentionError, GatewayError) as error:
        db.session.rollback()
        flash(str(error), "error")
    except GatewayUnavailable:  # nothing kept; the same request again is safe
        db.session.rollback()
        flash("The payment service did not answer; nothing changed. Try again.", "error")
    else:
        messages = {
            "paid": ("Payment accepted: the players' memberships are active.", "success"),
            "refunded": (
                "The payment was refunded in full; the players are not registered.",
                "success",
            ),
            "closed": (
                "Order closed: nothing was paid, its checkout can no longer be paid, and "
                "the players' places are released.",
                "success",
            ),
            "payment seen": (
                "A payment has arrived for this order, so it was not closed: accept the "
                "payment or refund it instead.",
                "error",
            ),
            "payment on its way": (
                "The payer has started a payment that has not arrived yet (a bank payment "
                "can take a few days), so the order was not closed. Use “Check again” "
                "once it has arrived, then accept or refund it.",
                "error",
            ),
        }
        default = (f"Nothing to do: the order is already “{order.status.label}”.", "info")
        flash(*messages.get(outcome, default))
    return redirect(url_for(".detail", order_id=order.id), 303)


def _refund_form(order: Order) -> RefundForm:
    available = refunds.refundable(order)
    return RefundForm(
        formdata=None,
        amount=admin_queries.decimal_amount(available, order.currency),
        refunded_before=str(order.refunded_minor),
    )


def _refused(order: Order, form: RefundForm, message: str):
    db.session.rollback()
    add_error(form, "amount", message)
    return _detail(order, form, status=422)


def _detail(order: Order, form: RefundForm, status: int = 200, flagged_form=None):
    available = refunds.refundable(order)
    form.amount.description = (
        f"Up to {format_money(available, order.currency)}. Refunding all of it ends the "
        "players' memberships (they show as Refunded); refunding part keeps them."
    )
    return render(
        "payments/detail.html",
        order=order,
        form=form,
        refundable=available,
        events=admin_queries.order_events(order),
        flagged_form=flagged_form or FlaggedRefundForm(formdata=None, prefix=FLAGGED),
        status=status,
    )
