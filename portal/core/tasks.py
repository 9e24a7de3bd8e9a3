"""Background tasks that run inside a Flask app context.

The web process enqueues into huey; the worker process (`huey_consumer
portal.worker.huey`) builds one app and runs each task in its own app
context, so tasks use the same database session and config as views.
"""

from __future__ import annotations

from functools import wraps

from flask import has_app_context

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
    @wraps(func)
    def in_context(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        with worker_app().app_context():
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
