"""The worker process is real: a huey consumer delivers mail the app enqueued.

Runs on the SQLite queue by default and on Redis when TEST_REDIS_URL is set.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.servers import running

BIN = Path(sys.executable).parent
ENQUEUE = """
from portal.core.mail import deliver_mail
from portal.extensions import huey
huey.flush()
deliver_mail({"to": "worker@example.com", "subject": "Queued hello", "text": "Sent by the worker.",
              "html": None})
print("queued")
"""


def test_consumer_delivers_queued_mail(tmp_path, redis_url):
    """Does mail enqueued by the app reach the mail backend through the worker process?"""
    env = {
        "APP_ENV": "development",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/worker.db",
        "MAIL_URL": f"file://{tmp_path}/mail",
        "STORAGE_URL": f"file://{tmp_path}/storage",
        "REDIS_URL": redis_url or "",
    }
    queued = subprocess.run(
        [sys.executable, "-c", ENQUEUE],
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert queued.returncode == 0, queued.stderr
    consumer = [
        str(BIN / "huey_consumer"),
        "portal.worker.huey",
        "--workers",
        "1",
        "--worker-type",
        "thread",
        "--delay",
        "0.1",
    ]
    with running(consumer, env=env) as process:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list((tmp_path / "mail").glob("*.eml")):
            assert process.poll() is None, "consumer died"
            time.sleep(0.2)
    (message,) = (tmp_path / "mail").glob("*.eml")
    content = message.read_text()
    assert "To: worker@example.com" in content and "Sent by the worker." in content


def _base_env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
