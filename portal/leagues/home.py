"""The start page: your leagues when signed in, a welcome otherwise."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from portal.accounts.queries import leagues_and_roles
from portal.core.htmx import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    memberships = leagues_and_roles(current_user.id) if current_user.is_authenticated else []
    return render("home.html", memberships=memberships)
