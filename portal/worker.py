"""Entry point of the worker process: `huey_consumer portal.worker.huey`.

Importing the task modules registers every task and schedule with the queue.
"""

import gc
import threading

from portal.cards import print_tasks  # noqa: F401
from portal.cards import tasks as card_tasks  # noqa: F401
from portal.core import mail  # noqa: F401
from portal.core.tasks import worker_app
from portal.extensions import huey
from portal.memberships import tasks as membership_tasks  # noqa: F401
from portal.payments import tasks as payment_tasks  # noqa: F401
from portal.payments import testmode  # noqa: F401  (delivers the test checkout's events)
from portal.players import tasks as player_tasks  # noqa: F401

__all__ = ["huey"]

_ready = threading.Lock()
_frozen = False


@huey.on_startup()
def build_and_freeze() -> None:
    """Build the app before the first task, then freeze it out of the garbage collector
    (as gunicorn.conf.py does for the web workers): its long-lived objects are never
    garbage, and every full collection would otherwise walk them all again, a pause of
    a quarter of a second every few hundred tasks. Runs once, whichever worker thread
    starts first."""
    global _frozen
    with _ready:
        if not _frozen:
            worker_app()
            gc.collect()
            gc.freeze()
            _frozen = True
