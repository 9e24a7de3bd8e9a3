"""League people: who holds which role, invitations out, and accepting one."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login import current_user

from portal.core.htmx import render
from portal.core.permissions import Role, league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.leagues import forms, queries, services
from portal.leagues.models import Invitation, LeagueRole
from portal.leagues.services import LeagueError

bp = Blueprint("members", __name__, url_prefix="/people")


def _people_page(form=None, status: int = 200):
    return render(
        "leagues/people.html",
        "leagues/_people.html",
        form=form or forms.InviteForm(),
        people=queries.people(),
        invitations=queries.open_invitations(),
        status=status,
    )


@bp.get("/")
@league_permission_required("manage_members")
def index():
    return _people_page()


@bp.post("/invite")
@league_permission_required("manage_members")
def invite():
    form = forms.InviteForm()
    if not form.validate_on_submit():
        return _people_page(form, status=422)
    invitation = services.invite(g.league, form.email.data, Role(form.role.data), current_user)
    db.session.commit()
    flash(f"Invitation sent to {invitation.email}.", "success")
    return _people_page(forms.InviteForm(formdata=None))  # an empty form for the next one


@bp.post("/invitations/<int:invitation_id>/resend")
@league_permission_required("manage_members")
def resend(invitation_id: int):
    invitation = get_or_404(Invitation, invitation_id)
    try:
        services.resend_invitation(invitation, current_user)
    except LeagueError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"A new invitation link was sent to {invitation.email}.", "success")
    return _people_page()


@bp.post("/invitations/<int:invitation_id>/revoke")
@league_permission_required("manage_members")
def revoke(invitation_id: int):
    services.revoke_invitation(get_or_404(Invitation, invitation_id))
    db.session.commit()
    flash("Invitation withdrawn.", "info")
    return _people_page()


@bp.post("/roles/<int:grant_id>/remove")
@league_permission_required("manage_members")
def remove_role(grant_id: int):
    grant = get_or_404(LeagueRole, grant_id)
    what = f"{grant.user.full_name} is no longer {grant.role.label.lower()}."
    try:
        services.revoke_role(grant)
    except LeagueError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(what, "info")
    return _people_page()


@bp.route("/join/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The invitation link: sign in or sign up first, then accept with one tap."""
    invitation = queries.invitation_by_token(token)
    if invitation is None:
        return render("leagues/invitation.html", invitation=None, status=404)
    if current_user.is_authenticated and request.method == "POST":
        try:
            services.accept_invitation(invitation, current_user)
        except LeagueError as error:
            db.session.rollback()
            return render(
                "leagues/invitation.html", invitation=invitation, error=str(error), status=410
            )
        db.session.commit()
        flash(
            f"Welcome to {g.league.name}! You are now {invitation.role.label.lower()}.", "success"
        )
        return redirect(url_for("l.leagues.home"), 303)
    return render("leagues/invitation.html", invitation=invitation, token=token)
