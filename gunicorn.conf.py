"""gunicorn settings for surveyapp: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every number can be changed from the environment (see docs/deploy.md). The
defaults suit a 2-core machine behind nginx on the same host.
"""

from __future__ import annotations

import os
from typing import Any

from surveyapp.extensions import db

# nginx forwards to this address; nothing else should reach gunicorn directly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# A submission spends most of its time waiting on PostgreSQL, so threads keep the
# cores busy: cores + 1 processes of 4 threads each (12 requests at once on 2
# cores). More processes cost memory (numpy and scipy are loaded in each).
workers = int(os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# Load the app once in the master: a worker that dies (out of memory, kill -9) is
# replaced by a fork in milliseconds instead of a fresh import of several seconds,
# and a broken configuration stops the start instead of looping workers.
preload_app = True

# A worker silent this long is killed and replaced (a stuck query, a hung socket);
# the slowest legitimate request (a yearly PDF of a province) takes a few seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (systemctl stop, a deploy) requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to the upstream open between requests.
keepalive = 5
# Recycle workers now and then, so that slow growth of memory never adds up.
max_requests = 5000
max_requests_jitter = 500
# The heartbeat file on tmpfs: a slow disk must not make the master kill workers.
# (A directory of the server's own, not a shared temporary one: S108 is moot.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None

# gunicorn's control socket is one fixed path per user: two servers on one machine
# would fight over it. Signals (systemctl reload/stop, kill -TTIN) do the same.
control_socket_disable = True

# No gunicorn access log: its lines would carry the URL's secrets (a counter's
# signature, a kiosk key, query strings). The app writes one line per request
# instead, with those parts hidden and the request id (ACCESS_LOG, on in
# production). gunicorn's own messages (workers started, killed, timed out) go to
# stdout, as JSON lines like the app's unless LOG_FORMAT=text.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "surveyapp.web.requestlog.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "root": {"level": "WARNING", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {
                "handlers": ["stdout"],
                "level": loglevel.upper(),
                "propagate": False,
            }
        },
    }


def post_fork(server: Any, worker: Any) -> None:
    """Give each worker its own database connections, never the master's.

    The master built the engine while loading the app; a pooled connection shared
    across a fork would mix two processes' queries on one socket.
    """
    app = server.app.callable
    if app is not None:
        with app.app_context():
            db.engine.dispose(close=False)
