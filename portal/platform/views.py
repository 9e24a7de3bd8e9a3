"""Platform admin: list leagues and create new ones."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from portal.core.forms import add_error
from portal.core.htmx import render
from portal.core.images import ImageError
from portal.core.permissions import Role, platform_admin_required
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues import queries, services
from portal.leagues.forms import CreateLeagueForm
from portal.leagues.services import LeagueError

bp = Blueprint("platform", __name__, url_prefix="/admin")


@bp.get("/")
@platform_admin_required
def index():
    return render(
        "platform/index.html",
        leagues=queries.all_leagues(),
        admin_counts=queries.league_admin_counts(),
    )


@bp.route("/leagues/new", methods=["GET", "POST"])
@platform_admin_required
def new_league():
    form = CreateLeagueForm()
    if form.validate_on_submit():
        try:
            league = _create(form)
        except (LeagueError, ImageError) as error:
            db.session.rollback()
            add_error(form, getattr(error, "field", None) or "logo", str(error))
        else:
            db.session.commit()
            flash(f"{league.name} is ready at /l/{league.slug}/.", "success")
            return redirect(url_for("platform.index"), 303)
    return render("platform/new_league.html", form=form, status=422 if form.errors else 200)


def _create(form):
    fields = {name: form[name].data for name in services.LEAGUE_FIELDS}
    with unscoped():
        league = services.create_league(form.slug.data, **fields)
    with league_scope(league.id):
        if form.logo.data and getattr(form.logo.data, "filename", ""):
            services.set_logo(league, form.logo.data.read())
        if form.admin_email.data:
            services.invite(league, form.admin_email.data, Role.ADMIN, current_user)
    return league
