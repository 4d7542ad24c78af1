"""gunicorn's settings for the logs and the metrics (issue 14, item 5); the rest (bind, workers,
timeouts) is given on the command line by the systemd unit:

    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8000 --workers 4 wsgi:app

Logs: gunicorn's own loggers write through the application's formatter (LOG_FORMAT: json, one
object per line, or text), scrubbed of personal data like every other record of the process
(participation/core/logs.py). The application writes one line per request itself, with its
request id, endpoint and duration, so gunicorn's access log is off by default; GUNICORN_ACCESS_LOG=1
turns it on, in a format without the query string or the Referer (either can carry an e-mail
address, a name or a token) and with the request id the application answered with.

Metrics: with several workers, prometheus_client's multiprocess mode (participation/core/metrics.py)
needs PROMETHEUS_MULTIPROC_DIR before the application is imported, emptied when gunicorn starts
(samples of a previous run would be added to this one's) and told when a worker dies.
"""

import os
import shutil
from pathlib import Path

# Before anything imports prometheus_client, which reads it once.
PROMETHEUS_MULTIPROC_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", "/run/participation/prometheus"
)

from participation.core.logs import install_personal_data_filter  # noqa: E402

install_personal_data_filter()  # the master's records too (boot, worker timeouts)

_FORMATTERS = {
    "json": "participation.core.logs.JsonFormatter",
    "text": "participation.core.logs.TextFormatter",
}
_access = os.environ.get("GUNICORN_ACCESS_LOG", "0").lower() in {"1", "true", "yes", "on"}

# Path without the query string (%(U)s), status, bytes, duration in milliseconds, and the
# X-Request-ID of the answer (checked by the application), never the one the client sent.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "participation": {"()": _FORMATTERS[os.environ.get("LOG_FORMAT", "json")]},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "participation",
            "stream": "ext://sys.stderr",
        },
    },
    # The root logger gets its handler from the application (configure_logging, in each worker).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO" if _access else "WARNING",
            "handlers": ["stderr"],
            "propagate": False,
        },
    },
}


def on_starting(server):
    directory = Path(PROMETHEUS_MULTIPROC_DIR)
    if directory.is_dir():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
