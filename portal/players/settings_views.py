"""League admin: player profile settings and age groups."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("player_settings", __name__, url_prefix="/settings/players")
