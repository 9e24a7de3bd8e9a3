"""Leagues: the tenants. League URLs live under /l/<league_slug>/.

`league_bp` is the parent of every league-scoped blueprint. It resolves the
league from the URL once per request, scopes the database session to it, and
puts the slug back into `url_for` so templates never pass it by hand.
"""

from __future__ import annotations

from flask import Blueprint, abort, g
from sqlalchemy import select

from portal.core import tenancy
from portal.extensions import db

league_bp = Blueprint("l", __name__, url_prefix="/l/<league_slug>")


@league_bp.url_value_preprocessor
def load_league(endpoint, values) -> None:
    from portal.leagues.models import League

    slug = (values or {}).pop("league_slug", None)
    league = db.session.execute(select(League).where(League.slug == slug)).scalar_one_or_none()
    if league is None:
        abort(404)
    g.league = league
    g.pop("league_roles", None)
    tenancy.set_current_league(league.id)


@league_bp.url_defaults
def add_league_slug(endpoint, values) -> None:
    league = g.get("league")
    if league is not None:
        values.setdefault("league_slug", league.slug)


_children: set[str] = set()


def add_children(*blueprints: Blueprint) -> None:
    """Mount domain blueprints under /l/<league_slug> (once, however many apps are made).

    Called from the app factory rather than at import, so importing a model
    never drags in every view module.
    """
    for child in blueprints:
        if child.name not in _children:
            league_bp.register_blueprint(child)
            _children.add(child.name)
