"""gunicorn's configuration for Haven: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be changed from the environment (docs/runbooks/configuration.md). Behind nginx on
the same machine, gunicorn listens on 127.0.0.1 only; nginx ends TLS, buffers slow clients and
forwards the client's address (docs/runbooks/nginx-haven.conf).
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("HAVEN_BIND", "127.0.0.1:8000")
# Synchronous workers behind a buffering proxy, as gunicorn advises: (2 x cores) + 1 processes, each
# with HAVEN_WEB_THREADS threads (more than 1 switches to the threaded worker).
workers = int(os.environ.get("HAVEN_WEB_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("HAVEN_WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer is cut and its worker replaced (the largest PDF and exports take a few
# seconds; the linkage run and the backups are commands, never requests).
timeout = int(os.environ.get("HAVEN_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Each worker is replaced after about this many requests, so a slow leak never grows for long.
max_requests = int(os.environ.get("HAVEN_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Trust X-Forwarded-* only from the proxy on this machine (Django decides the scheme from
# HAVEN_TLS_PROXY, the client's address from HAVEN_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("HAVEN_TRUSTED_PROXIES", "127.0.0.1,::1") or "127.0.0.1,::1"
# The application writes its own access line (JSON, with the request id and no address or query);
# gunicorn's would repeat it with both.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("HAVEN_LOG_LEVEL", "info").lower()
proc_name = "haven-web"
# Managed by systemd (`systemctl reload haven-web` sends HUP): no control socket in the home folder.
control_socket_disable = True
# Bodies over Haven's own limits are refused by Haven itself (haven/core/limits.py); these bound what
# gunicorn reads before it gets there.
limit_request_line = 8190
limit_request_fields = 100

if (
    os.environ.get("HAVEN_LOG_FORMAT", "json" if os.environ.get("HAVEN_ENV") == "production" else "text")
    == "json"
):
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "haven.ops.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def on_starting(server):
    # Each worker writes its request metrics to files here; a previous run's must not be added in.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
