"""`flask tick` keeps the monthly figures fresh (at most every STATS_REFRESH_MINUTES), `flask stats
refresh` rebuilds them, and `flask stats seed-large` writes a consistent large data set."""

import re
from datetime import timedelta

import sqlalchemy as sa

from participation.comments.models import Comment
from participation.core.models import utcnow
from participation.extensions import db
from participation.petitions.models import Signature, SignatureCounter
from participation.petitions.signing import reconcile_counts
from participation.stats.aggregates import get_refreshed_at, refresh_statistics_if_due
from participation.stats.models import Metric, MonthlyCount
from participation.stats.periods import month_of
from tests.factories import make_user


def _registrations():
    return db.session.scalar(
        sa.select(sa.func.sum(MonthlyCount.count)).where(
            MonthlyCount.metric == Metric.REGISTRATIONS
        )
    )


def test_tick_builds_then_refreshes_the_figures_when_they_are_due(app):
    make_user()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tick"]).exit_code == 0
    assert _registrations() == 1
    first = get_refreshed_at()
    make_user()
    assert runner.invoke(args=["tick"]).exit_code == 0
    assert _registrations() == 1
    assert get_refreshed_at() == first  # not due yet
    assert (
        refresh_statistics_if_due(
            now=utcnow() + timedelta(minutes=app.config["STATS_REFRESH_MINUTES"])
        )
        == 2
    )
    assert _registrations() == 2
    result = runner.invoke(args=["stats", "refresh", "--all"])
    assert result.exit_code == 0
    assert "statistics refreshed: 1 month(s)" in result.output
    # Not a terminal: plain progress lines, the last one with the total.
    assert "stats refresh: 1/1 months (100 %) in " in result.output


def test_seed_large_writes_consistent_data(app):
    result = app.test_cli_runner().invoke(
        args=["stats", "seed-large", "--signatures", "3000", "--comments", "400"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Each phase's progress, plain lines (not a terminal) ending with its total.
    assert "seed-large: 1,000/1,000 people (100 %)" in "\n".join(lines)
    assert any(line.startswith("seed-large: 3,000/3,000 signatures (100 %) in ") for line in lines)
    assert any(line.startswith("seed-large: 400/400 comments (100 %) in ") for line in lines)
    months = [line for line in lines if line.startswith("seed-large: ") and " months " in line]
    assert re.fullmatch(r"seed-large: (\d+)/\1 months \(100 %\) in .+", months[-1])
    assert lines[-1].startswith("1000 people, 48 consultations, 30 petitions, 3000 signatures")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 3000
    assert db.session.scalar(sa.select(sa.func.sum(SignatureCounter.count))) == 3000
    assert reconcile_counts() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 400
    signatures = db.session.scalar(
        sa.select(sa.func.sum(MonthlyCount.count)).where(MonthlyCount.metric == Metric.SIGNATURES)
    )
    assert signatures == 3000
    months = db.session.scalar(sa.select(sa.func.count(sa.distinct(MonthlyCount.month))))
    assert months >= 24
    assert db.session.scalar(sa.select(sa.func.max(MonthlyCount.month))) <= month_of(utcnow())
    again = app.test_cli_runner().invoke(
        args=["stats", "seed-large", "--signatures", "10", "--comments", "10"]
    )
    assert again.exit_code == 1
    assert "already in this database" in again.output
