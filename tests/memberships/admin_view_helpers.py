"""Helpers for the league admin's page tests: the pages' address and the errors on a
page. `_errors` keeps its leading underscore so the moved tests read as before."""

from __future__ import annotations

import html
import re

HX = {"HX-Request": "true"}
BASE = "/l/riverside/programs"


def _errors(page: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<p class="error"[^>]*>([^<]*)</p>', page)]
