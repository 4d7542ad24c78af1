"""The embedded set-up's in-process scheduler (participation/scheduler.py; SPEC §9, issue 16
item 2): the periodic jobs run in the serving process of the development set-up only, under the
same locks as the commands, and start with the first request, never with a command."""

from datetime import timedelta
from pathlib import Path

import pytest

import config
from participation import cli, create_app
from participation.consultations.models import Consultation
from participation.core.database import dispose_engines
from participation.core.jobs import single_run
from participation.core.models import utcnow
from participation.extensions import db
from participation.opendata.dumps import DATASETS, list_dump_files
from participation.scheduler import InProcessJobs
from participation.stats.aggregates import get_refreshed_at
from tests.conftest import make_config
from tests.factories import make_consultation, make_user


def due_consultation():
    """A scheduled consultation whose opening time has passed: the tick opens it."""
    consultation_id = make_consultation(
        state="scheduled", opens_at=utcnow() - timedelta(minutes=1)
    ).id
    db.session.rollback()  # outside a request a transaction holds SQLite's write lock
    return consultation_id


def state_of(consultation_id):
    db.session.rollback()  # the scheduler wrote in a session of its own
    return db.session.get(Consultation, consultation_id).state


def dumps_written():
    return all(f.size is not None for d in DATASETS for f in list_dump_files(d))


def refreshed_at():
    value = get_refreshed_at()
    db.session.rollback()
    return value


def test_only_the_development_set_up_runs_jobs_in_process(monkeypatch):
    monkeypatch.delenv("JOBS_IN_PROCESS", raising=False)
    for name, value in {
        "SECRET_KEY": "s" * 40,
        "CIN_HASH_KEY": "h" * 40,
        "CIN_ENCRYPTION_KEYS": "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZC11c2U=",
        "DATABASE_URL": "postgresql://example.invalid/participation",
        "PUBLIC_BASE_URL": "https://participation.example",
    }.items():
        monkeypatch.setenv(name, value)
    assert config.DevelopmentConfig().JOBS_IN_PROCESS is True
    assert config.ProductionConfig().JOBS_IN_PROCESS is False  # systemd timers run them there
    monkeypatch.setenv("JOBS_IN_PROCESS", "1")
    assert config.TestingConfig().JOBS_IN_PROCESS is False  # a test asks for them itself


def test_the_test_app_has_no_scheduler(app):
    assert "in_process_jobs" not in app.extensions


def test_a_pass_runs_each_due_job_under_the_commands_lock(app):
    make_user()  # something for the statistics to count
    consultation = due_consultation()
    jobs = InProcessJobs(app)
    with single_run("tick") as held:  # another process (`flask tick`) is running the tick
        assert held
        assert jobs.run_due() == ["outbox-send", "open-data-dump"]
    assert state_of(consultation) == "scheduled"
    assert refreshed_at() is None
    assert dumps_written()

    # Released: the next pass runs it; the dumps are fresh, so they are not written again.
    assert jobs.run_due() == ["tick", "outbox-send"]
    assert state_of(consultation) == "open"
    assert refreshed_at() is not None


def test_the_dumps_are_written_again_once_older_than_the_setting(app):
    app.config["OPEN_DATA_DUMP_MINUTES"] = 0
    jobs = InProcessJobs(app)
    assert "open-data-dump" in jobs.run_due()
    assert "open-data-dump" in jobs.run_due()


def test_a_failing_job_does_not_stop_the_others(app, monkeypatch):
    def broken():
        raise RuntimeError("the tick broke")

    monkeypatch.setitem(cli.PERIODIC_JOBS, "tick", (broken, {}))
    assert InProcessJobs(app).run_due() == ["outbox-send", "open-data-dump"]


@pytest.fixture
def served(app, tmp_path):
    """A second app on the test's database, built as the development server builds it."""
    served = create_app(
        make_config(
            tmp_path / "served",
            app.config["SQLALCHEMY_DATABASE_URI"],
            JOBS_IN_PROCESS=True,
            JOBS_INTERVAL_SECONDS=3600,  # one pass, then the test stops it
        )
    )
    yield served
    served.extensions["in_process_jobs"].stop()
    with served.app_context():
        dispose_engines(served)


def test_the_first_request_starts_the_jobs_and_a_command_does_not(app, served):
    consultation = due_consultation()
    jobs = served.extensions["in_process_jobs"]
    result = served.test_cli_runner().invoke(args=["territories", "load"])
    assert result.exit_code == 0, result.output
    assert not jobs.started  # neither building the app nor a command starts them

    assert served.test_client().get("/fr/").status_code == 200
    assert jobs.started and jobs.thread.daemon
    assert jobs.wait_for_passes(1, timeout=300)
    assert state_of(consultation) == "open"
    assert all(
        (Path(served.instance_path) / "open-data" / d.filename("csv")).is_file() for d in DATASETS
    )
    served.test_client().get("/fr/")
    assert jobs.thread is not None and jobs.passes == 1  # one thread, started once

    assert jobs.stop()  # wakes the thread from its wait: it ends without another pass
    assert not jobs.thread.is_alive() and jobs.passes == 1
