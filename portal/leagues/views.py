"""A league's public page, its colours and logo, and its settings page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.forms import add_error
from portal.core.htmx import render
from portal.core.images import ImageError
from portal.core.permissions import league_permission_required
from portal.core.storage import get_storage
from portal.extensions import db
from portal.leagues import forms, services
from portal.leagues.services import LeagueError

bp = Blueprint("leagues", __name__)


@bp.get("/")
def home():
    """The public page: who the league is and what it offers; your players if signed in."""
    from portal.players.queries import profiles_of

    mine = profiles_of(current_user.id) if current_user.is_authenticated else []
    return render("leagues/home.html", my_players=mine)


@bp.get("/theme.css")
def theme():
    """League colours as CSS variables (a stylesheet, so the CSP needs no inline style)."""
    response = Response(render_template("leagues/theme.css"), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/logo")
def logo():
    """The league logo, public like the league page; the `v` in its URL busts caches."""
    if not g.league.logo_key:
        abort(404)
    response = Response(get_storage().get(g.league.logo_key), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.route("/settings", methods=["GET", "POST"])
@league_permission_required("manage_league")
def settings():
    form = forms.LeagueForm(obj=g.league)
    if form.validate_on_submit():
        try:
            _save_settings(form)
        except (LeagueError, ImageError) as error:
            db.session.rollback()
            add_error(form, getattr(error, "field", None) or "logo", str(error))
        else:
            db.session.commit()
            flash("League settings saved.", "success")
            return redirect(url_for(".settings"), 303)
    return render("leagues/settings.html", form=form, status=422 if form.errors else 200)


def _save_settings(form) -> None:
    services.update_league(g.league, **{name: form[name].data for name in services.LEAGUE_FIELDS})
    upload = form.logo.data
    if upload and getattr(upload, "filename", ""):
        services.set_logo(g.league, upload.read())
