"""gunicorn settings for production (``gunicorn --config deploy/gunicorn.conf.py``).

Every value can be changed from the environment (the systemd unit reads
``/etc/tsunagu/tsunagu.env``; see ``deploy/tsunagu.env.example`` and ``docs/operations.md``):

- ``TSUNAGU_WEB_BIND``: address to listen on, comma-separated for several (default
  ``127.0.0.1:8000``: only the reverse proxy on the same host talks to gunicorn)
- ``TSUNAGU_WEB_WORKERS``: worker processes (default 2 × CPUs + 1, at most 9)
- ``TSUNAGU_WEB_THREADS``: threads per worker (default 1)
- ``TSUNAGU_WEB_TIMEOUT``: seconds a request may take before its worker is restarted
  (default 120: PDF and Excel downloads; CSV imports run in the background worker)
- ``TSUNAGU_WEB_GRACEFUL_TIMEOUT``: seconds running requests get to finish on stop/restart
- ``TSUNAGU_WEB_ACCESS_LOG`` / ``TSUNAGU_WEB_ERROR_LOG``: log files, ``-`` for stdout/stderr
  (default ``-``: the systemd journal)
- ``TSUNAGU_WEB_LOG_LEVEL``: gunicorn's own log level (default ``info``)
- ``TSUNAGU_WEB_FORWARDED_ALLOW_IPS``: addresses of the reverse proxy (default the loopback),
  whose ``X-Forwarded-Proto`` and ``X-Real-IP`` headers are trusted

Behind the reverse proxy every request comes from the proxy's address; the client's address is
in ``X-Real-IP`` (nginx sets it from the connection, replacing whatever the client sent). Each
worker puts that address in ``REMOTE_ADDR`` when the request comes from a trusted proxy, so the
audit log, the sign-in lockout and the access log record the terminal, not the proxy.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings.production")

wsgi_app = "tsunagu.wsgi:application"
chdir = str(ROOT)
proc_name = "tsunagu"

bind = [b.strip() for b in os.environ.get("TSUNAGU_WEB_BIND", "127.0.0.1:8000").split(",")]
workers = _int("TSUNAGU_WEB_WORKERS", min(2 * _cpus() + 1, 9))
threads = _int("TSUNAGU_WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("TSUNAGU_WEB_TIMEOUT", 120)
graceful_timeout = _int("TSUNAGU_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # behind the reverse proxy's keep-alive connections
# a worker is replaced after this many requests, so memory cannot creep up over months
max_requests = 2000
max_requests_jitter = 200

# load the application once in the master: a broken configuration stops the start at once
# (instead of workers failing one by one), and the workers share the loaded code
preload_app = True

accesslog = os.environ.get("TSUNAGU_WEB_ACCESS_LOG", "-")
errorlog = os.environ.get("TSUNAGU_WEB_ERROR_LOG", "-")
loglevel = os.environ.get("TSUNAGU_WEB_LOG_LEVEL", "info")
# print() and tracebacks written to stderr by the application go to the error log too
capture_output = True
# The path without the query string: a search for a name (?q=…) must not land in the log.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'

forwarded_allow_ips = os.environ.get("TSUNAGU_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
TRUSTED_PROXIES = {a.strip() for a in forwarded_allow_ips.split(",") if a.strip()}

# no runtime control socket (gunicorn 25+ opens one in the home folder by default): systemd
# starts, stops and reloads the server
control_socket_disable = True

# heartbeat files in memory, not on a disk that may stall
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"


def pre_fork(server, worker):
    """No database connection opened while loading the application may be shared by workers."""
    from django.db import connections

    connections.close_all()


class ClientAddressFromProxy:
    """WSGI wrapper: ``REMOTE_ADDR`` becomes the client address a trusted proxy reports."""

    def __init__(self, app, trusted: set[str]):
        self.app = app
        self.trusted = trusted

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        # an empty peer is a Unix socket: only local processes allowed by its permissions
        if "*" in self.trusted or peer in self.trusted or not peer:
            reported = environ.get("HTTP_X_REAL_IP", "").strip()
            try:
                client = str(ipaddress.ip_address(reported))
            except ValueError:
                client = None
            if client:
                environ["tsunagu.proxy_addr"] = peer
                environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)


def post_worker_init(worker):
    worker.wsgi = ClientAddressFromProxy(worker.wsgi, TRUSTED_PROXIES)
