"""League admin: player profile settings and age groups, on one page.

The settings form is a plain post (save, then redirect). The age group list
changes in place with htmx, and every one of its buttons is also a plain
form that works without JavaScript: then the answer is a redirect back to
the page. A worked example ("born on ... is 10 on 31 December 2026 -> U12")
shows the rule with the saved settings, so admins can trust it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from portal.core.forms import add_error
from portal.core.htmx import is_fragment_request, render
from portal.core.permissions import league_permission_required
from portal.core.tenancy import get_or_404
from portal.extensions import db
from portal.players import queries
from portal.players import settings_forms as forms
from portal.players import settings_services as services
from portal.players.models import AgeGroup
from portal.players.settings_services import SettingsError

bp = Blueprint("player_settings", __name__, url_prefix="/settings/players")

PAGE = "players/settings/edit.html"
AGE_GROUPS = "players/settings/_age_groups.html"
EXAMPLE = "players/settings/_example.html"


def _page(*, form=None, group_form=None, fragment: str | None = None, status: int = 200):
    """The whole page, or (for htmx) the fragment named; the example follows the tried date."""
    groups = queries.age_groups()
    example_form = forms.ExampleForm(formdata=request.values)
    born = example_form.dob.data if example_form.validate() else None
    return render(
        PAGE,
        fragment,
        status=status,
        form=form or forms.PlayerSettingsForm.for_league(g.league, formdata=None),
        group_form=group_form or forms.AgeGroupForm(formdata=None),
        example_form=example_form,
        example=services.age_example(g.league, groups, born),
        groups=groups,
        shadowed=services.shadowed(groups),
        presets=services.PRESETS,
    )


def _age_groups_changed(message: str | None = None, category: str = "success"):
    """Commit, then answer htmx with the new list and a plain post with a redirect."""
    db.session.commit()
    if message:
        flash(message, category)
    if is_fragment_request():
        return _page(fragment=AGE_GROUPS)
    return redirect(url_for(".edit", _anchor="age-groups"), 303)


@bp.route("", methods=["GET", "POST"])
@league_permission_required("manage_league")
def edit():
    """Required fields, gender, season and cutoff, approval, document keeping, renewal."""
    form = forms.PlayerSettingsForm.for_league(g.league)
    if form.validate_on_submit():
        try:
            services.update_player_settings(g.league, form.settings())
        except SettingsError as error:
            db.session.rollback()
            add_error(form, error.field, str(error))
        else:
            db.session.commit()
            flash("Player settings saved.", "success")
            return redirect(url_for(".edit"), 303)
    return _page(form=form, status=422 if form.errors else 200)


@bp.get("/age-example")
@league_permission_required("manage_league")
def example():
    """The worked example for a date of birth the admin typed (the page, without JS)."""
    return _page(fragment=EXAMPLE)


@bp.post("/age-groups")
@league_permission_required("manage_league")
def add_age_group():
    form = forms.AgeGroupForm()
    if form.validate_on_submit():
        try:
            group = services.add_age_group(
                g.league, form.name.data, form.min_age.data, form.max_age.data
            )
        except SettingsError as error:
            db.session.rollback()
            add_error(form, error.field, str(error))
        else:
            return _age_groups_changed(f"Added {group.name} ({group.span}).")
    return _page(group_form=form, fragment=AGE_GROUPS, status=422)


@bp.post("/age-groups/presets")
@league_permission_required("manage_league")
def add_preset():
    """Add a ready-made set of groups, leaving any group of the same name as it is."""
    preset = request.form.get("preset", "")
    if preset not in services.PRESETS:
        abort(400)
    added, skipped = services.add_preset(g.league, preset)
    if not added:
        return _age_groups_changed("All of these groups are already there.", "info")
    message = "Added " + ", ".join(group.name for group in added) + "."
    if skipped:
        message += " Already there, left as they were: " + ", ".join(skipped) + "."
    return _age_groups_changed(message)


@bp.post("/age-groups/<int:group_id>/move")
@league_permission_required("manage_league")
def move_age_group(group_id: int):
    """Move a group up or down: groups are checked in order and the first match wins."""
    group = get_or_404(AgeGroup, group_id)
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    services.move_age_group(group, direction)
    return _age_groups_changed()


@bp.post("/age-groups/<int:group_id>/delete")
@league_permission_required("manage_league")
def delete_age_group(group_id: int):
    group = get_or_404(AgeGroup, group_id)
    name = group.name
    services.delete_age_group(group)
    return _age_groups_changed(f"Removed {name}.", "info")
