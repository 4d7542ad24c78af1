import re

import sqlalchemy as sa

from participation.auth.models import Role, User
from participation.extensions import db
from tests.conftest import DEMO_PASSWORD


def test_seed_demo_creates_one_account_per_role_and_prints_working_passwords(
    app, client, post_form
):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    accounts = re.findall(r"^\s+(\S+)\s+(\S+@\S+)\s+password: (\S+)$", result.output, re.M)
    assert {role for role, _, _ in accounts} == {
        "citizen",
        "officer",
        "moderator",
        "observer",
        "administrator",
        "translator",
    }
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    for role, email, password in accounts:
        user = users[email]
        assert user.email_verified
        if role != "citizen":
            assert Role(role) in user.roles
        else:
            assert user.identity is not None
    role, email, password = next(a for a in accounts if a[0] == "administrator")
    assert post_form("/fr/account/login", {"email": email, "password": password}).status_code == 302
    assert client.get("/fr/admin/").status_code == 200


def test_seed_demo_is_repeatable(app, demo):
    runner = app.test_cli_runner()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count


def test_production_refuses_to_start_without_secrets(monkeypatch):
    import pytest

    from config import load_config

    for name in ("SECRET_KEY", "CIN_HASH_KEY", "CIN_ENCRYPTION_KEYS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config("production")


def test_seed_demo_fills_the_moderation_queue_and_the_transparency_page(
    app, client, post_form, demo
):
    from participation.comments.models import Comment
    from participation.moderation.models import (
        CommentReport,
        ModerationAppeal,
        ModerationDecision,
        ModerationItem,
    )
    from participation.moderation.queries import QueueFilters, list_monthly_statistics, list_queue
    from participation.petitions.models import Signature

    again = app.test_cli_runner().invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert again.exit_code == 0, again.output  # and the moderation demo is added once only
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentReport)) == 5
    kinds = sorted(
        db.session.scalars(sa.select(ModerationItem.kind).where(ModerationItem.closed_at.is_(None)))
    )
    assert kinds == ["appeal", "reported", "reported"]
    hidden = db.session.scalars(sa.select(Comment).where(Comment.status == "hidden")).all()
    assert len(hidden) == 1
    decisions = [
        (d.decision, d.reason)
        for d in db.session.scalars(sa.select(ModerationDecision).order_by(ModerationDecision.id))
    ]
    assert decisions == [("hide", "reported"), ("reject", "off_topic")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAppeal)) == 1
    held = db.session.scalars(sa.select(Signature).where(Signature.status == "suspect")).all()
    assert len(held) == 1
    assert held[0].held_limit == "ip"
    assert held[0].network_hash
    _pagination, entries = list_queue(QueueFilters())
    sources = [e.source for e in entries]
    assert (sources.count("comment"), sources.count("signature")) == (3, 1)
    month = list_monthly_statistics()[0]
    assert (month.count("reject"), month.automatic, month.appeals) == (1, 1, 1)
    assert (
        post_form(
            "/fr/account/login",
            {"email": "moderator@demo.participation.ma", "password": DEMO_PASSWORD},
        ).status_code
        == 302
    )
    assert client.get("/fr/moderation/").status_code == 200
    assert client.get(f"/fr/moderation/signatures/{held[0].id}").status_code == 200


def test_seed_demo_runs_the_periodic_jobs_once(app, demo):
    from participation.opendata.dumps import DATASETS, list_dump_files
    from participation.stats.aggregates import get_refreshed_at

    assert re.findall(r"^(\S+): done$", demo, re.M) == [
        "tick",
        "outbox-send",
        "open-data-dump",
    ]
    assert get_refreshed_at() is not None  # the statistics and the observatory are filled
    assert all(f.size for dataset in DATASETS for f in list_dump_files(dataset))


def test_seed_demo_prints_a_second_moderator_who_can_decide_the_demo_appeal(
    app, client, post_form, demo
):
    from participation.moderation.models import ModerationAppeal
    from participation.moderation.permissions import can_moderate_comment
    from participation.moderation.queries import get_comment_record

    moderators = re.findall(r"^\s+moderator\s+(\S+@\S+)\s+password: (\S+)$", demo, re.M)
    assert len(moderators) == 2
    appeal = db.session.scalar(sa.select(ModerationAppeal))
    comment = appeal.decision.comment
    decided_by = appeal.decision.moderator.email
    other = next(email for email, _password in moderators if email != decided_by)
    assert f"for {other}," in demo  # the console says who decides the appeal
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    record = get_comment_record(comment)
    assert not can_moderate_comment(users[decided_by], comment, record.open_appeal)
    assert can_moderate_comment(users[other], comment, record.open_appeal)

    response = post_form("/fr/account/login", {"email": other, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/fr/moderation/comments/{comment.id}").get_data(as_text=True)
    assert f"/fr/moderation/comments/{comment.id}/take" in page  # they may take it and decide
