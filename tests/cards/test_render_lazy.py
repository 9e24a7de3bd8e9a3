"""WeasyPrint (over a second to import) loads where cards are made, not when a process starts."""

from __future__ import annotations

import subprocess
import sys

LOADED = (
    "import sys, {module}; "
    "print(sorted(m for m in sys.modules if m.split('.')[0] == 'weasyprint' "
    "or m in ('portal.cards.render', 'portal.cards.sheets')))"
)


def _loaded_by(module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(module=module)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_the_worker_starts_without_weasyprint():
    """Does `import portal.worker` (the consumer's start) leave WeasyPrint unloaded?"""
    assert _loaded_by("portal.worker") == "[]"
