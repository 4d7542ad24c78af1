"""The long commands' progress (core/progress.py): plain lines with counts, percentage and time
left when the output is not a terminal, click's bar when it is, nothing by default."""

import io

import pytest

from participation.core.progress import duration, progress, silent, tracker


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_every_tenth_with_counts_and_time_left_then_a_final_line():
    out, clock = io.StringIO(), FakeClock()
    with progress("open-data dump", 50_000, "rows", stream=out, clock=clock) as bar:
        for _ in range(25):
            clock.now += 2
            bar.update(2_000)
    lines = out.getvalue().splitlines()
    # 25 updates of 4 %: a line each time a tenth is passed, then the final one.
    assert lines[0] == "open-data dump: 6,000/50,000 rows (12 %), about 44 s left"
    assert lines[1] == "open-data dump: 10,000/50,000 rows (20 %), about 40 s left"
    assert len(lines) == 9 + 1
    assert lines[-2].startswith("open-data dump: 46,000/50,000 rows (92 %)")
    assert lines[-1] == "open-data dump: 50,000/50,000 rows (100 %) in 50 s"


def test_plain_line_after_some_seconds_even_below_a_tenth():
    out, clock = io.StringIO(), FakeClock()
    with progress("seed-large", 1_000_000, "signatures", stream=out, clock=clock) as bar:
        clock.now += 10
        bar.update(10_000)  # 1 % in 10 s: too soon, too little
        assert out.getvalue() == ""
        clock.now += 25
        bar.update(10_000)  # 35 s since the start
        assert out.getvalue() == (
            "seed-large: 20,000/1,000,000 signatures (2 %), about 28 min 35 s left\n"
        )
        bar.update(980_000)
    assert out.getvalue().splitlines()[-1] == (
        "seed-large: 1,000,000/1,000,000 signatures (100 %) in 35 s"
    )


def test_nothing_to_do_says_so_once():
    out = io.StringIO()
    with progress("stats refresh", 0, "months", stream=out):
        pass
    assert out.getvalue() == "stats refresh: 0/0 months (100 %) in 0 s\n"


def test_no_final_line_when_the_work_fails():
    out = io.StringIO()
    with pytest.raises(RuntimeError):
        with progress("petitions reconcile", 3, "petitions", stream=out) as bar:
            bar.update(1)
            raise RuntimeError("database gone")
    assert "(100 %)" not in out.getvalue() and " in " not in out.getvalue()


def test_a_terminal_gets_clicks_bar_with_counts():
    out = Terminal()
    with progress("open-data dump", 100, "files", stream=out) as bar:
        bar.update(40)
        bar.update(60)
    text = out.getvalue()
    assert "open-data dump: files" in text and "[####" in text and "100/100" in text
    assert "(100 %)" not in text  # not the plain lines


def test_tracker_passes_its_label_and_options():
    out = io.StringIO()
    with tracker("petitions reconcile", stream=out)(2, "petitions") as bar:
        bar.update(2)
    assert out.getvalue().startswith("petitions reconcile: 2/2 petitions (100 %) in ")


def test_silent_reports_nothing(capsys):
    with silent(10, "files") as bar:
        bar.update(10)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "0 s"),
        (42, "42 s"),
        (60, "1 min"),
        (200, "3 min 20 s"),
        (3600, "1 h"),
        (7500, "2 h 5 min"),
    ],
)
def test_duration(seconds, text):
    assert duration(seconds) == text
