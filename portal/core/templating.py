"""Template globals shared by every page: the league in scope, permissions, assets."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Flask, current_app, g, url_for
from flask_wtf.csrf import generate_csrf

from portal.core.money import format_money
from portal.core.permissions import ROLE_LABELS, can

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def asset(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year.

    In development the file is looked at on every use (an edited file gets a new
    hash); otherwise the hash is worked out once per file and process, because the
    files do not change under a running release.
    """
    path = str(Path(current_app.static_folder) / filename)
    version = _version(path) if current_app.debug else _released_version(path)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def _version(path: str) -> str | None:
    try:
        return _hash(path, Path(path).stat().st_mtime)
    except FileNotFoundError:
        return None


@cache
def _released_version(path: str) -> str | None:
    return _version(path)


@cache
def _hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


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
