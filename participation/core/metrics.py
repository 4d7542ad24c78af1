"""Prometheus metrics, the kernel's part (SPEC §9): request latency, job runs, and the registry
of the figures the areas compute when Prometheus asks. The endpoint and the areas' collectors
are in participation/public/metrics.py (the kernel imports no area).

Requests: `participation_request_duration_seconds`, a histogram labelled by the Flask endpoint
(`petitions.sign`, never the path, whose ids would make a series per petition), the method and
the status; a request that matched no route is endpoint "unmatched", an unusual method "other".

Several gunicorn workers: each is a process with its own counters, and a scrape reaches one of
them. With PROMETHEUS_MULTIPROC_DIR in the environment (set before Python starts: the library
reads it at import), every worker writes its samples to memory-mapped files in that directory and
the worker that answers /metrics sums them all (prometheus_client's MultiProcessCollector). The
directory is emptied when gunicorn starts and a dead worker's files are marked by gunicorn's
`child_exit` hook (deploy/gunicorn.conf.py). Without it (the embedded set-up, one process) the
process's own values are given.

Jobs: the periodic commands are short processes of their own, started by systemd timers; counters
in their memory would die with them, and in multiprocess mode every run would leave files behind.
`job_run(name)` adds each run, under a file lock, to a small JSON file per job in METRICS_JOB_DIR
(runs by outcome, a duration histogram, the time of the last success), which the collector reads
at scrape time: `participation_job_runs_total{job,outcome}`,
`participation_job_duration_seconds{job}`, `participation_job_last_success_timestamp_seconds{job}`.
Each node reports the runs it made; Prometheus sums the nodes.

Figures from the database (signatures, outbox, moderation queue) are computed at scrape time by
functions the areas register with `register_scrape_collector`, one query each, every scrape
interval; the signing path does no metrics work beyond the request histogram.
"""

import contextlib
import fcntl
import json
import logging
import math
import os
import re
import time
from pathlib import Path

from flask import current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from participation.extensions import db

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Not registered in the library's global registry: each scrape builds a registry of its own
# (see `exposition`), from this histogram or, with several workers, from their files.
REQUEST_SECONDS = Histogram(
    "participation_request_duration_seconds",
    "Time to answer a request, by Flask endpoint, method and status.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,
)

JOB_BUCKETS = (0.1, 1, 5, 15, 60, 300, 900, 3600, math.inf)
JOB_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
JOB_OUTCOMES = ("succeeded", "failed", "skipped")


# The histogram's child per (endpoint, method, status) of this process: what `labels()` returns
# for those values every time, looked up here without its argument checks and lock.
_request_series = {}


def observe_request(request, response, started):
    """Time one request into REQUEST_SECONDS (`started`: its time.perf_counter() at the start;
    None when the request failed before it was taken: not measured)."""
    rule = request.url_rule
    observe(
        rule.endpoint if rule is not None else "unmatched",
        request.method,
        response.status_code,
        started,
    )


def observe(endpoint, method, status, started):
    """What observe_request measures, for every answer: those of the application's hooks and
    those the page cache serves before Flask makes a request context."""
    if started is None:
        return
    key = (endpoint, method if method in METHODS else "other", status)
    try:
        series = _request_series.get(key)
        if series is None:
            endpoint, method, status = key
            series = _request_series[key] = REQUEST_SECONDS.labels(
                endpoint=endpoint, method=method, status=str(status)
            )
        series.observe(time.perf_counter() - started)
    except OSError:
        # A measurement never costs the answer: in multiprocess mode the samples live in
        # files under PROMETHEUS_MULTIPROC_DIR, which an operator may have removed. The
        # request has done its work (a signature is committed); say so in the log instead.
        log.warning("request not measured: PROMETHEUS_MULTIPROC_DIR is not writable")


class JobRun:
    """What `job_run` yields: a job that found another node running it sets outcome "skipped"."""

    def __init__(self, name):
        self.name = name
        self.outcome = "succeeded"


def _exit_succeeded(error):
    """SystemExit and click's Exit carry a status; 0 (or none) is a success."""
    code = getattr(error, "exit_code", getattr(error, "code", 1))
    return code in (0, None)


@contextlib.contextmanager
def job_run(name):
    """Record one run of periodic job `name` (its outcome and duration) for /metrics and the log:

    with job_run("tick") as run:
        ...  # run.outcome = "skipped" when another process holds the job
    """
    if not JOB_NAME.fullmatch(name):
        raise ValueError(f"job name {name!r}: lower-case letters, digits and dashes")
    run = JobRun(name)
    started = time.monotonic()
    try:
        yield run
    except Exception:
        run.outcome = "failed"
        raise
    except BaseException as error:
        if not _exit_succeeded(error):
            run.outcome = "failed"
        raise
    finally:
        seconds = time.monotonic() - started
        log.info(
            "job %s %s in %.3f s",
            name,
            run.outcome,
            seconds,
            extra={"job": name, "outcome": run.outcome, "duration_ms": round(seconds * 1000, 1)},
        )
        record_job_run(current_app.config["METRICS_JOB_DIR"], name, run.outcome, seconds)


def recorded_job(name):
    """`job_run` as a decorator, for a command whose whole body is the job."""

    def decorate(function):
        def run(*args, **kwargs):
            with job_run(name):
                return function(*args, **kwargs)

        run.__name__, run.__doc__ = function.__name__, function.__doc__
        run.__wrapped__ = function
        return run

    return decorate


def _empty_state():
    return {"runs": {}, "buckets": [0] * len(JOB_BUCKETS), "sum": 0.0, "last_success": None}


def record_job_run(directory, name, outcome, seconds):
    """Add one run to the job's file (read, change, replace, under an exclusive lock)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    with (directory / f"{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read_state(path) or _empty_state()
        state["runs"][outcome] = state["runs"].get(outcome, 0) + 1
        if outcome != "skipped":  # a skipped run did no work: its duration would say nothing
            index = next(i for i, bound in enumerate(JOB_BUCKETS) if seconds <= bound)
            state["buckets"][index] += 1
            state["sum"] += seconds
        if outcome == "succeeded":
            state["last_success"] = time.time()
        written = path.with_suffix(".tmp")
        written.write_text(json.dumps(state), encoding="utf-8")
        os.replace(written, path)


def _read_state(path):
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        log.warning("job metrics file %s is unreadable; starting it again", path.name)
        return None
    if len(state.get("buckets", ())) != len(JOB_BUCKETS):  # buckets changed since it was written
        return None
    return state


def job_families(directory):
    """The job metrics of every job that ran on this node."""
    runs = CounterMetricFamily(
        "participation_job_runs",
        "Runs of the periodic jobs on this node.",
        labels=["job", "outcome"],
    )
    durations = HistogramMetricFamily(
        "participation_job_duration_seconds",
        "Duration of the jobs' runs that did work (not the skipped ones).",
        labels=["job"],
    )
    last_success = GaugeMetricFamily(
        "participation_job_last_success_timestamp_seconds",
        "When the job last succeeded on this node (Unix time).",
        labels=["job"],
    )
    directory = Path(directory)
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    for path in paths:
        job = path.stem
        state = _read_state(path)
        if state is None:
            continue
        for outcome in JOB_OUTCOMES:
            runs.add_metric([job, outcome], state["runs"].get(outcome, 0))
        cumulative, buckets = 0, []
        for bound, count in zip(JOB_BUCKETS, state["buckets"]):
            cumulative += count
            buckets.append(("+Inf" if bound == math.inf else repr(float(bound)), cumulative))
        durations.add_metric([job], buckets, state["sum"])
        if state["last_success"] is not None:
            last_success.add_metric([job], state["last_success"])
    return [runs, durations, last_success]


_scrape_collectors = {}


def register_scrape_collector(name, collect):
    """An area's figures for /metrics: `collect()` returns metric families, computed when
    Prometheus asks (in the scraping request's application context). Registered from the app
    factory; the same name registered again replaces the earlier function."""
    _scrape_collectors[name] = collect


class _ScrapeTime:
    """The registered collectors, each on its own: one that fails (the database is down) is
    reported by `participation_scrape_collector_up` and logged, and the others still answer."""

    def collect(self):
        up = GaugeMetricFamily(
            "participation_scrape_collector_up",
            "Whether a scrape-time collector could compute its figures (1) or not (0).",
            labels=["collector"],
        )
        for name, collect in sorted(_scrape_collectors.items()):
            try:
                families = list(collect())
            except Exception as error:
                log.warning("metrics collector %s failed (%s)", name, type(error).__name__)
                db.session.rollback()
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up
        yield from job_families(current_app.config["METRICS_JOB_DIR"])


def exposition():
    """(body, content type) of a scrape: the requests of every worker of this node, its jobs and
    the registered figures, in Prometheus's text format."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(_ScrapeTime())
    return generate_latest(registry), CONTENT_TYPE_LATEST
