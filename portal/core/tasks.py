"""Background tasks that run inside a Flask app context.

The web process enqueues into huey; the worker process (`huey_consumer
portal.worker.huey`) builds one app and runs each task in its own app
context, so tasks use the same database session and config as views.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, has_app_context

from portal.extensions import huey

_worker_app = None


def worker_app():
    """The app the worker runs tasks in, built on first use."""
    global _worker_app
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    return _worker_app


def _in_context(func):
    """Run the task in an app context of its own, like a worker would.

    Even when a task runs inline (huey's immediate mode, or a caller already
    inside the app), it gets a fresh context: its own database session and
    `g`, so it never writes into the caller's transaction or league scope.
    """

    @wraps(func)
    def in_context(*args, **kwargs):
        app = current_app._get_current_object() if has_app_context() else worker_app()
        with app.app_context():
            return func(*args, **kwargs)

    return in_context


def app_task(**task_options):
    """Like `huey.task()`, but the body runs in an app context."""

    def decorator(func):
        return huey.task(**task_options)(_in_context(func))

    return decorator


def app_periodic_task(schedule, **task_options):
    """Like `huey.periodic_task()`, in an app context; jobs must be safe to run twice."""

    def decorator(func):
        return huey.periodic_task(schedule, **task_options)(_in_context(func))

    return decorator
