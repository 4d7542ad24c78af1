"""/metrics (issue 14, item 5): hidden without its token, labelled by endpoint, and each figure
the operators watch, after real requests, signatures, mail and job runs."""

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from config import ROOT
from participation.core import metrics as core_metrics
from participation.core.mail import FAILED, OutboxMessage, queue_mail
from participation.core.metrics import job_run, register_scrape_collector
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_user
from tests.petition_world import citizen, held_by_ip, open_petition  # noqa: F401 (fixture)

TOKEN = "s3cret-metrics-token-for-tests"


@pytest.fixture
def config_overrides(tmp_path):
    return {"METRICS_TOKEN": TOKEN, "METRICS_JOB_DIR": str(tmp_path / "jobs")}


def scrape(client):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response.headers["Cache-Control"]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", f"bearer {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
def test_without_the_right_token_metrics_is_the_ordinary_404(app, client, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert "participation_" not in response.get_data(as_text=True)


def test_unset_token_hides_metrics_even_from_an_empty_bearer(app, client):
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer None"}).status_code == 404


def test_request_latency_by_endpoint_and_status_never_by_path(app, client, login, post_form, world):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/fr/no-such-page/12345").status_code == 404
    petition, *_ = open_petition()
    assert client.get(f"/fr/petitions/{petition.id}-{petition.slug}").status_code == 200
    login(citizen())
    signed = post_form(
        f"/fr/petitions/{petition.id}/sign",
        {"consent": "y"},
        form_page=f"/fr/petitions/{petition.id}-{petition.slug}",
    )
    assert signed.status_code == 302
    after = scrape(client)

    def requests(**labels):
        name = "participation_request_duration_seconds_count"
        return value(after, name, **labels) - value(before, name, **labels)

    assert requests(endpoint="public.health", method="GET", status="200") == 3
    assert requests(endpoint="unmatched", method="GET", status="404") == 1
    assert requests(endpoint="petitions.sign", method="POST", status="302") == 1
    assert requests(endpoint="petitions.detail", method="GET", status="200") >= 1
    endpoints = {
        dict(labels)["endpoint"]
        for name, labels in after
        if name.startswith("participation_request_duration_seconds")
    }
    assert not [endpoint for endpoint in endpoints if "/" in endpoint or "fr" == endpoint[:2]]
    assert value(after, "participation_signatures", state="counted") == 1
    assert value(after, "participation_signatures", state="held") == 0


def test_signatures_held_and_the_moderation_queue(app, client, world, held_by_ip):  # noqa: F811
    petition, *_ = open_petition()
    held = held_by_ip(petition, 2)
    samples = scrape(client)
    assert value(samples, "participation_signatures", state="counted") == 1
    assert value(samples, "participation_signatures", state="held") == 2
    assert value(samples, "participation_moderation_waiting_items") == 2
    assert value(samples, "participation_moderation_overdue_items") == 0

    hours = app.config["MODERATION_OVERDUE_HOURS"]
    held[0].created_at = utcnow() - timedelta(hours=hours, minutes=5)
    db.session.commit()
    samples = scrape(client)
    assert value(samples, "participation_moderation_waiting_items") == 2
    assert value(samples, "participation_moderation_overdue_items") == 1
    assert value(samples, "participation_scrape_collector_up", collector="moderation") == 1


def test_outbox_backlog_and_failures(app, client):
    for _ in range(3):
        user = make_user()
        queue_mail(to=user.email, language="fr", template="password_changed", user=user)
    db.session.flush()
    first, second, _third = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    first.status, first.last_error = FAILED, "SMTPRecipientsRefused"
    second.last_error, second.created_at = "TimeoutError", utcnow() - timedelta(minutes=30)
    db.session.commit()
    samples = scrape(client)
    assert value(samples, "participation_outbox_messages", state="queued") == 1
    assert value(samples, "participation_outbox_messages", state="retrying") == 1
    assert value(samples, "participation_outbox_messages", state="failed") == 1
    oldest = value(samples, "participation_outbox_oldest_waiting_seconds")
    assert 30 * 60 - 5 <= oldest < 31 * 60 + 60


def test_job_runs_and_durations(app, client):
    with job_run("tick"):
        pass
    with job_run("tick"):
        pass
    with job_run("tick") as run:
        run.outcome = "skipped"
    with pytest.raises(RuntimeError), job_run("outbox-send"):
        raise RuntimeError("SMTP down")
    samples = scrape(client)
    assert value(samples, "participation_job_runs_total", job="tick", outcome="succeeded") == 2
    assert value(samples, "participation_job_runs_total", job="tick", outcome="skipped") == 1
    assert value(samples, "participation_job_runs_total", job="outbox-send", outcome="failed") == 1
    # Skipped runs did no work: not in the durations.
    assert value(samples, "participation_job_duration_seconds_count", job="tick") == 2
    assert value(samples, "participation_job_duration_seconds_bucket", job="tick", le="+Inf") == 2
    assert value(samples, "participation_job_duration_seconds_count", job="outbox-send") == 1
    assert value(samples, "participation_job_last_success_timestamp_seconds", job="tick") > 0
    assert ("participation_job_last_success_timestamp_seconds", (("job", "outbox-send"),)) not in (
        samples
    )


def test_the_periodic_commands_record_their_runs(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert runner.invoke(args=["tick"]).exit_code == 0
    samples = scrape(client)
    assert (
        value(samples, "participation_job_runs_total", job="outbox-send", outcome="succeeded") == 1
    )
    assert value(samples, "participation_job_runs_total", job="tick", outcome="succeeded") == 1


def test_a_measurement_that_cannot_be_written_never_costs_the_answer(app, client, monkeypatch):
    def unwritable(**labels):
        raise FileNotFoundError("/run/participation/prometheus/histogram_1.db")

    monkeypatch.setattr(core_metrics.REQUEST_SECONDS, "labels", unwritable)
    monkeypatch.setattr(core_metrics, "_request_series", {})  # series made earlier: made again
    assert client.get("/fr/").status_code == 200


def test_a_failing_collector_is_reported_and_the_others_still_answer(app, client):
    def broken():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    register_scrape_collector("zz-broken", broken)
    try:
        samples = scrape(client)
    finally:
        core_metrics._scrape_collectors.pop("zz-broken")
    assert value(samples, "participation_scrape_collector_up", collector="zz-broken") == 0
    assert value(samples, "participation_scrape_collector_up", collector="signatures") == 1


def test_several_workers_are_summed_in_multiprocess_mode(tmp_path):
    """What gunicorn does with PROMETHEUS_MULTIPROC_DIR: two worker processes observe requests,
    a third answers the scrape with the sum of both."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    worker = textwrap.dedent(
        """
        from participation.core.metrics import REQUEST_SECONDS
        REQUEST_SECONDS.labels(endpoint="public.health", method="GET", status="200").observe(0.01)
        """
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, cwd=ROOT, check=True)
    scraper = textwrap.dedent(
        f"""
        from flask import Flask
        from participation.core.metrics import exposition
        app = Flask("scraper")
        app.config["METRICS_JOB_DIR"] = {str(tmp_path / "jobs")!r}
        with app.app_context():
            print(exposition()[0].decode())
        """
    )
    output = subprocess.run(
        [sys.executable, "-c", scraper], env=env, cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(output)
        for sample in family.samples
    }
    assert (
        value(
            samples,
            "participation_request_duration_seconds_count",
            endpoint="public.health",
            method="GET",
            status="200",
        )
        == 2
    )
