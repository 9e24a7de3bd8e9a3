"""gunicorn settings from the environment (PORT, WEB_CONCURRENCY), Heroku-style.

Sync workers: measured fastest for our short SQLAlchemy requests on 2 cores.

The app is imported once, before the workers fork (`preload_app`): importing it
takes about a second of CPU, so without preloading every worker spent its first
second importing while the others already took traffic, and the first requests
after a deploy or a worker restart waited up to 300 ms for a CPU. A forked worker
never reuses a database connection of the parent (`post_fork`).

The imported app is then frozen out of the garbage collector (`pre_fork`): its
200,000 long-lived objects never become garbage, yet every few hundred requests
each worker's full collection walked them all, a 250 ms pause, and since workers
serve about the same number of requests they paused together. Frozen objects are
skipped, and the pages they sit on stay shared with the parent.
"""

import gc
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
forwarded_allow_ips = "*"
# The longest request line gunicorn allows: a pasted 8 KB "token" still reaches the
# check page and reads UNKNOWN, instead of gunicorn's own 414 page.
limit_request_line = 8190
accesslog = None  # the app logs each request as JSON with its request id
# gunicorn's control socket is one path per machine user; several servers
# (dev, tests, CI) on one machine would fight over it, and we do not use it.
control_socket_disable = True
preload_app = True


def pre_fork(server, worker):
    """Move everything the parent holds (the imported app) out of the collector's reach."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """Drop any pooled connection the parent opened before the fork without closing it
    (SQLAlchemy's rule for forked processes: the parent still owns the socket). None is
    opened while importing the app today; this keeps it safe if that ever changes."""
    from portal.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
