"""Entry point of the worker process: `huey_consumer portal.worker.huey`.

Importing the task modules registers every task and schedule with the queue.
"""

from portal.cards import print_tasks  # noqa: F401
from portal.cards import tasks as card_tasks  # noqa: F401
from portal.core import mail  # noqa: F401
from portal.extensions import huey
from portal.memberships import tasks as membership_tasks  # noqa: F401
from portal.payments import tasks as payment_tasks  # noqa: F401
from portal.payments import testmode  # noqa: F401  (delivers the test checkout's events)
from portal.players import tasks as player_tasks  # noqa: F401

__all__ = ["huey"]
