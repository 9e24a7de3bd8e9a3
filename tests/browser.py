"""Debian's Chromium for the tests that lay pages out: the browser tests (tests/e2e) and
the unit tests that only need a page laid out (no server). One browser per session,
shared by both: Playwright's sync API cannot be started twice in one process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def ensure_chromium() -> None:
    """Install Chromium if it is missing (as `make test` does), or fail saying how."""
    if Path(CHROMIUM).exists():
        return
    installed = subprocess.run(
        [str(ROOT / "scripts" / "apt-ensure"), "chromium", "chromium-driver"], check=False
    )
    if installed.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `scripts/apt-ensure chromium chromium-driver` "
            "as root (`make test` does)",
            pytrace=False,
        )
