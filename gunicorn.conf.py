"""gunicorn settings from the environment (PORT, WEB_CONCURRENCY), Heroku-style.

Sync workers: measured fastest for our short SQLAlchemy requests on 2 cores.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
forwarded_allow_ips = "*"
accesslog = None  # the app logs each request as JSON with its request id
# gunicorn's control socket is one path per machine user; several servers
# (dev, tests, CI) on one machine would fight over it, and we do not use it.
control_socket_disable = True
