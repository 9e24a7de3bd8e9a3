"""League admins: programs and plans, and the memberships players hold."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("programs", __name__, url_prefix="/programs")
