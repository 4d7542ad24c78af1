"""The embedded set-up's periodic jobs, run in-process (SPEC §9).

In production systemd timers start `flask tick`, `flask outbox send` and `flask open-data dump` on
every node (deploy/systemd). In the embedded set-up (`flask run` on SQLite, JOBS_IN_PROCESS, on in
the development configuration only) one background thread of the serving process runs the same
jobs through the same code and the same locks (cli.run_job: participation/core/jobs.py's
single_run, recorded for /metrics): tick and outbox send every JOBS_INTERVAL_SECONDS, the open-data
dumps when the files are missing or older than OPEN_DATA_DUMP_MINUTES.

The thread starts with the first request the process serves, not when the application is built:
every `flask` command builds the application (and must not start jobs behind the command's back),
and so does the Werkzeug reloader's watching process, which serves nothing; only its child, the
server, does. Stopping: the thread is a daemon (it never keeps the process alive), and at exit the
process asks it to stop and waits up to STOP_TIMEOUT_SECONDS for a job in progress to finish its
transaction, e.g. when the reloader restarts the server after a code change. A job cut off anyway
leaves nothing behind: its transaction is rolled back, the dumps are written to temporary files
renamed into place, and the kernel releases the job's lock with the process.
"""

import atexit
import logging
import threading
from datetime import timedelta

from participation.cli import PERIODIC_JOBS, run_periodic_job
from participation.core.models import utcnow
from participation.extensions import db

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 30


class InProcessJobs:
    """The scheduler of one serving process: `start()` once, `run_due()` for each pass."""

    def __init__(self, app):
        self.app = app
        self.interval = app.config["JOBS_INTERVAL_SECONDS"]
        self.dump_age = timedelta(minutes=app.config["OPEN_DATA_DUMP_MINUTES"])
        self.stopping = threading.Event()
        self.thread = None
        self.passes = 0  # completed passes, for tests and the log
        self.passed = threading.Condition()
        self._starting = threading.Lock()

    @property
    def started(self):
        return self.thread is not None

    def start(self):
        with self._starting:
            if self.thread is not None:
                return
            self.thread = threading.Thread(
                target=self._loop, name="participation-jobs", daemon=True
            )
            self.thread.start()
        atexit.register(self.stop)
        log.info("in-process jobs started: every %s s", self.interval)

    def stop(self, timeout=STOP_TIMEOUT_SECONDS):
        """Ask the thread to stop after the job in progress; True when it has stopped."""
        self.stopping.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)
            return not self.thread.is_alive()
        return True

    def wait_for_passes(self, count, timeout):
        """Block until `count` passes have completed (or `timeout` seconds); True if they have."""
        with self.passed:
            return self.passed.wait_for(lambda: self.passes >= count, timeout)

    def _loop(self):
        while not self.stopping.is_set():
            self.run_due()
            with self.passed:
                self.passes += 1
                self.passed.notify_all()
            self.stopping.wait(self.interval)

    def run_due(self):
        """One pass: every job that is due, one after the other (the tick may queue mail that
        outbox send then delivers). Returns the names of the jobs that ran."""
        ran = []
        for name in PERIODIC_JOBS:
            if self.stopping.is_set():
                break
            with self.app.app_context():
                if not self._due(name):
                    continue
                try:
                    done, _result = run_periodic_job(name)
                except Exception:  # the next pass tries again; the thread must live on
                    log.exception("in-process job %s failed", name)
                    db.session.rollback()
                    continue
                if done:
                    ran.append(name)
        return ran

    def _due(self, name):
        if name != "open-data-dump":
            return True
        from participation.opendata.dumps import DATASETS, list_dump_files

        written = [file.written_at for dataset in DATASETS for file in list_dump_files(dataset)]
        return None in written or utcnow() - min(written) >= self.dump_age


class _StartOnFirstRequest:
    """WSGI middleware: starts the scheduler when the process serves its first request."""

    def __init__(self, wsgi_app, jobs):
        self.wsgi_app = wsgi_app
        self.jobs = jobs

    def __call__(self, environ, start_response):
        if not self.jobs.started:
            self.jobs.start()
        return self.wsgi_app(environ, start_response)


def install_in_process_jobs(app):
    """In the embedded set-up (JOBS_IN_PROCESS), have the serving process run the periodic jobs;
    elsewhere (production, tests) do nothing at all."""
    if not app.config["JOBS_IN_PROCESS"]:
        return None
    jobs = InProcessJobs(app)
    app.extensions["in_process_jobs"] = jobs
    app.wsgi_app = _StartOnFirstRequest(app.wsgi_app, jobs)
    return jobs
