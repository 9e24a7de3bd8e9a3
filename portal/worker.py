"""Entry point of the worker process: `huey_consumer portal.worker.huey`.

Importing the task modules registers every task with the queue.
"""

from portal.core import mail  # noqa: F401  (registers the mail task)
from portal.extensions import huey

__all__ = ["huey"]
