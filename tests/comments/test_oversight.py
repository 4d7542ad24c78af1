"""The comments component on its own: with no overseer registered it screens nothing, shows no
notices and offers no report form, so it runs without the moderators' desk (which registers
itself at start-up, as host areas register their targets)."""

import pytest

from participation.comments import oversight
from participation.comments.models import CommentStatus
from participation.comments.queries import get_thread
from participation.comments.services import post_comment
from tests.factories import make_user

MANY_LINKS = " ".join(f"https://example.org/{n}" for n in range(12))


@pytest.fixture
def unsupervised(monkeypatch):
    monkeypatch.setattr(oversight, "_registered", {"overseer": oversight.Overseer()})


def test_the_desk_registers_itself_and_screens_new_comments(app, citizen, target):
    assert oversight.current_overseer().accepts_reports
    comment = post_comment(citizen, target, body=MANY_LINKS)
    assert comment.status == CommentStatus.PENDING


def test_without_an_overseer_nothing_is_screened_and_nobody_can_report(
    app, unsupervised, citizen, target
):
    comment = post_comment(citizen, target, body=MANY_LINKS)
    assert comment.status == CommentStatus.VISIBLE
    thread = get_thread(target, make_user(display_name="Reader"))
    assert [node.comment.id for node in thread.nodes] == [comment.id]
    assert thread.nodes[0].can_report is False
    assert thread.oversight.busy() is None
