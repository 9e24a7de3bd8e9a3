"""League admins: payments, refunds and reconciliation."""

from __future__ import annotations

from flask import Blueprint

from portal.core.htmx import render
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.payments.models import Order

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.get("/<int:order_id>")
@league_permission_required("manage_league")
def detail(order_id: int):
    return render("payments/detail.html", order=get_or_404(Order, order_id))
