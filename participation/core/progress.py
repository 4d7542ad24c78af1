"""Progress of the long commands (`flask stats seed-large`, `open-data dump`, `petitions
reconcile`, `stats refresh --all`): on a terminal, click's progress bar with the counts, the
percentage and the time left; elsewhere (cron, CI, a log file) a plain line every tenth of the work
or every PLAIN_EVERY_SECONDS, whichever comes first, and one line at the end.

The work itself (in the areas) takes a `track` argument, called as `track(total, unit)` once the
total is known; it returns a context manager whose `update(n)` reports n more units done. The
commands pass `tracker(label)`; every other caller (the scheduler, the tests, the benchmarks) keeps
the default, `silent`. Command output stays English, like the other commands' output."""

import functools
import sys
import time

import click

PLAIN_EVERY_SECONDS = 30
PLAIN_STEPS = 10  # a line every tenth of the work


def progress(label, total, unit, *, stream=None, every_seconds=PLAIN_EVERY_SECONDS, clock=None):
    """A context manager reporting `total` units of work: click's bar when `stream` (default:
    standard output) is a terminal, plain lines otherwise."""
    stream = stream or sys.stdout  # read now: click's test runner replaces it
    if stream.isatty():
        return click.progressbar(
            length=total,
            label=f"{label}: {unit}",
            show_pos=True,
            show_eta=True,
            file=stream,
        )
    return PlainProgress(
        label, total, unit, stream=stream, every_seconds=every_seconds, clock=clock
    )


def tracker(label, **options):
    """The `track` argument of the areas' long work, reporting under `label`."""
    return functools.partial(progress, label, **options)


class _Silent:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n):
        pass


def silent(total, unit):
    """The default `track`: reports nothing."""
    return _Silent()


def duration(seconds):
    """12 s, 3 min 20 s, 2 h 5 min."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class PlainProgress:
    """Lines such as "open-data dump: 12,000/50,000 rows (24 %), about 40 s left"."""

    def __init__(self, label, total, unit, *, stream, every_seconds, clock=None):
        self.label, self.total, self.unit = label, total, unit
        self.stream, self.every_seconds = stream, every_seconds
        self.clock = clock or time.monotonic
        self.done = 0

    def __enter__(self):
        self.started = self.last_line = self.clock()
        self.next_step = self._step_after(0)
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self._line(f" in {duration(self.clock() - self.started)}")
        return False

    def _step_after(self, done):
        """The count at the next tenth of the work."""
        return (
            (done * PLAIN_STEPS // self.total + 1) * self.total / PLAIN_STEPS if self.total else 0
        )

    def update(self, n):
        self.done += n
        now = self.clock()
        if self.done >= self.total:
            return  # the final line says it
        if self.done >= self.next_step or now - self.last_line >= self.every_seconds:
            elapsed = now - self.started
            left = elapsed * (self.total - self.done) / self.done if self.done else None
            self._line(f", about {duration(left)} left" if left is not None else "")
            self.last_line = now
            self.next_step = self._step_after(self.done)

    def _line(self, tail):
        percent = self.done * 100 // self.total if self.total else 100
        click.echo(
            f"{self.label}: {self.done:,}/{self.total:,} {self.unit} ({percent} %){tail}",
            file=self.stream,
        )
