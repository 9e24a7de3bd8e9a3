"""Template globals shared by every page: the league in scope, permissions, assets."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, current_app, g, url_for
from flask_wtf.csrf import generate_csrf

from portal.core.money import format_money
from portal.core.permissions import ROLE_LABELS, can

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_asset_versions: dict[tuple[str, float], str] = {}
_released_versions: dict[str, str] = {}


def asset(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year.

    In development the file is looked at on every use (an edited file gets a new
    hash); otherwise the hash is worked out once per file and process, because the
    files do not change under a running release.
    """
    if not current_app.debug and filename in _released_versions:
        return url_for("static", filename=filename, v=_released_versions[filename])
    path = Path(current_app.static_folder) / filename
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return url_for("static", filename=filename)
    key = (filename, mtime)
    if key not in _asset_versions:
        _asset_versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    _released_versions[filename] = _asset_versions[key]
    return url_for("static", filename=filename, v=_asset_versions[key])


def css_colour(value: str | None, fallback: str = "#1d4ed8") -> str:
    """Only a #rrggbb colour may reach a stylesheet."""
    return value if value and HEX_COLOUR.match(value) else fallback


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_globals():
        return {"league": g.get("league"), "can": can, "role_labels": ROLE_LABELS}

    app.jinja_env.globals.update(csrf_token=generate_csrf, asset=asset)
    app.jinja_env.filters["css_colour"] = css_colour
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
