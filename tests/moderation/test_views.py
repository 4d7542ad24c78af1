"""Moderation pages as a browser without JavaScript uses them, with several people at once."""

import re

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.comments.models import Comment, CommentStatus
from participation.moderation.models import (
    ModerationAppeal,
    ModerationDecision,
    ModerationItem,
    ScreeningSettings,
)
from participation.moderation.services import decide_comment, report_comment, take_item
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.comments.helpers import shown, shows
from tests.factories import make_user


def page(visitor, path, status=200):
    response = visitor.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def article(html, comment):
    match = re.search(rf'<article id="comment-{comment.id}".*?</article>', html, re.S)
    assert match, f"comment {comment.id} is not on the page"
    return match.group(0)


def status_of(comment):
    db.session.expire_all()
    return db.session.get(Comment, comment.id).status


ROUTES = [
    ("get", "/fr/moderation/"),
    ("post", "/fr/moderation/bulk"),
    ("get", "/fr/moderation/comments/{comment}"),
    ("post", "/fr/moderation/comments/{comment}/take"),
    ("post", "/fr/moderation/comments/{comment}/release"),
    ("post", "/fr/moderation/comments/{comment}/decide"),
    ("get", "/fr/moderation/users/{author}"),
    ("post", "/fr/moderation/users/{author}/block"),
    ("post", "/fr/moderation/users/{author}/unblock"),
    ("get", "/fr/admin/moderation/screening"),
]
# Anonymous visitors go to the sign-in page; people the policy lets in get the page, a redirect
# after a POST or the form again (200, 302, 400); everyone else 403.


def _allowed(role, path):
    if role == "moderator":
        return "admin" not in path and "unblock" not in path
    if role == "administrator":
        return path.endswith(("users/{author}", "screening", "unblock"))
    return False


@pytest.mark.parametrize("role", ["anonymous", "citizen", "moderator", "administrator"])
@pytest.mark.parametrize("method, path", ROUTES)
def test_who_reaches_the_moderation_pages(visitor, comment, author, role, method, path):
    ModerationItem.open_for(comment, kind="reported", reason="spam")
    user = (
        None
        if role == "anonymous"
        else make_user(
            roles={
                "citizen": [],
                "moderator": [Role.MODERATOR],
                "administrator": [Role.ADMINISTRATOR],
            }[role]
        )
    )
    if role == "administrator" and path.endswith("unblock"):
        author.blocked_at, author.blocked_reason = comment.created_at, "Spam"
        db.session.commit()
    browser = visitor(user)
    url = path.format(comment=comment.id, author=author.id)
    response = browser.get(url) if method == "get" else browser.post(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
    elif _allowed(role, path):
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 403


def test_three_reports_hide_the_comment_and_the_author_sees_why(
    visitor, note, comment, author, reporters
):
    for reporter in reporters[:3]:
        browser = visitor(reporter)
        assert 'action="/fr/moderation/comments/%d/report"' % comment.id in article(
            page(browser, f"/fr/test-notes/{note.id}"), comment
        )
        response = browser.post(
            f"/fr/moderation/comments/{comment.id}/report", {"reason": "insult_or_hate"}
        )
        assert response.headers["Location"] == f"/fr/test-notes/{note.id}#comment-{comment.id}"
    assert status_of(comment) == CommentStatus.HIDDEN
    html = page(browser, f"/fr/test-notes/{note.id}")
    assert shows(html, shown("Thank you. Moderators will look at this comment."))
    assert f'id="comment-{comment.id}"' not in html  # hidden from everyone else
    own = article(page(visitor(author), f"/fr/test-notes/{note.id}"), comment)
    assert shows(
        own,
        shown(
            "Hidden after reports from several participants, until a moderator reviews it: only you can see this comment."
        ),
    )


def test_the_reporter_sees_the_report_once(visitor, note, comment, reporters):
    browser = visitor(reporters[0])
    browser.post(f"/fr/moderation/comments/{comment.id}/report", {"reason": "spam"})
    text = article(page(browser, f"/fr/test-notes/{note.id}"), comment)
    assert shows(text, shown("You reported this comment."))
    assert "/report" not in text
    response = browser.post(f"/fr/moderation/comments/{comment.id}/report", {"reason": "spam"})
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown("You have already reported this comment."))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": ""}, "Choose a reason."),
        ({"reason": "other", "details": ""}, "Say what is wrong with this comment."),
        ({"reason": "nonsense"}, "Choose one of the options in the list."),
    ],
)
def test_a_bad_report_comes_back_with_the_message(visitor, comment, reporters, data, message):
    response = visitor(reporters[0]).post(f"/fr/moderation/comments/{comment.id}/report", data)
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown(message))


def test_the_report_page_works_on_its_own(visitor, comment, reporters, author):
    html = page(visitor(reporters[0]), f"/fr/moderation/comments/{comment.id}/report")
    assert "Un avis sur l&#39;article 2." in html or "Un avis sur l'article 2." in html
    assert visitor(author).get(f"/fr/moderation/comments/{comment.id}/report").status_code == 403


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_REPORT": "2 per minute"}])
def test_reporting_is_rate_limited(visitor, note, author, reporters):
    browser = visitor(reporters[0])
    comments = [make_comment(note, author) for _ in range(3)]
    codes = [
        browser.post(f"/fr/moderation/comments/{c.id}/report", {"reason": "spam"}).status_code
        for c in comments
    ]
    assert codes == [302, 302, 429]


def test_a_moderator_takes_rejects_and_the_author_appeals_to_another(
    visitor, note, comment, author, moderator, second_moderator, reporters, outbox
):
    for reporter in reporters[:3]:
        report_comment(reporter, comment, reason="spam")
    db.session.commit()
    first = visitor(moderator)
    queue = page(first, "/fr/moderation/")
    assert "Un avis sur l" in queue
    assert shows(queue, shown("Spam or advertising"))
    path = f"/fr/moderation/comments/{comment.id}"
    assert first.post(f"{path}/take", form_page=path).status_code == 302
    html = page(first, path)
    item = db.session.scalar(sa.select(ModerationItem))
    assert item.locked_by_id == moderator.id
    assert 'name="item"' in html
    other = page(visitor(second_moderator), path)
    assert shows(
        other, shown("Wait until the other moderator has finished, or until the lock expires.")
    )
    response = visitor(second_moderator).post(
        f"{path}/decide", {"decision": "hide", "reason": "spam", "item": item.id}
    )
    assert response.status_code == 400
    assert status_of(comment) == CommentStatus.HIDDEN
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(ModerationDecision)) == 1
    )  # only the automatic hide
    response = first.post(
        f"{path}/decide",
        {"decision": "reject", "reason": "spam", "note": "Lien publicitaire", "item": item.id},
    )
    assert response.status_code == 302
    assert status_of(comment) == CommentStatus.REJECTED

    decision = db.session.scalars(
        sa.select(ModerationDecision).order_by(ModerationDecision.id.desc())
    ).first()
    writer = visitor(author)
    notice = article(page(writer, f"/fr/test-notes/{note.id}"), comment)
    assert f"/fr/moderation/decisions/{decision.id}/appeal" in notice
    appeal_page = page(writer, f"/fr/moderation/decisions/{decision.id}/appeal")
    assert "Lien publicitaire" in appeal_page
    assert (
        writer.post(
            f"/fr/moderation/decisions/{decision.id}/appeal",
            {"text": "Ce n'est pas une publicité."},
        ).status_code
        == 302
    )
    again = writer.post(f"/fr/moderation/decisions/{decision.id}/appeal", {"text": "Encore"})
    assert again.status_code == 400
    assert shows(again.get_data(as_text=True), shown("You have already appealed this decision."))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAppeal)) == 1

    appeal_item = db.session.scalar(
        sa.select(ModerationItem).where(ModerationItem.closed_at.is_(None))
    )
    own = first.post(
        f"{path}/decide",
        {"decision": "restore", "reason": "decision_corrected", "item": appeal_item.id},
    )
    assert own.status_code == 400
    assert status_of(comment) == CommentStatus.REJECTED
    assert shows(
        page(first, path),
        shown("The author appealed your decision: another moderator must decide the appeal."),
    )
    second = visitor(second_moderator)
    assert "Ce n&#39;est pas une publicité." in page(
        second, path
    ) or "Ce n'est pas une publicité." in page(second, path)
    second.post(
        f"{path}/decide",
        {"decision": "restore", "reason": "decision_corrected", "item": appeal_item.id},
    )
    assert status_of(comment) == CommentStatus.VISIBLE
    assert [m.template for m in outbox()] == [
        "moderation_decision",
        "moderation_decision",
        "moderation_appeal_decided",
    ]
    assert shows(
        page(writer, f"/fr/moderation/decisions/{decision.id}/appeal"),
        shown("Another moderator examined your appeal and restored your comment."),
    )


def test_a_moderator_cannot_decide_on_their_own_comment(visitor, note, moderator):
    comment = make_comment(note, moderator, status=CommentStatus.PENDING)
    item = ModerationItem.open_for(comment, kind="pending", reason="premoderation")
    db.session.commit()
    browser = visitor(moderator)
    html = page(browser, f"/fr/moderation/comments/{comment.id}")
    assert shows(html, shown("You cannot moderate your own comment: another moderator will."))
    assert "/decide" not in html
    response = browser.post(
        f"/fr/moderation/comments/{comment.id}/decide",
        {"decision": "approve", "reason": "respects_rules", "item": item.id},
    )
    assert response.status_code == 400
    assert status_of(comment) == CommentStatus.PENDING


def test_a_decision_form_with_errors_comes_back(visitor, comment, moderator):
    response = visitor(moderator).post(
        f"/fr/moderation/comments/{comment.id}/decide", {"decision": "hide", "reason": ""}
    )
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown("Choose a reason."))
    response = visitor(moderator).post(
        f"/fr/moderation/comments/{comment.id}/decide", {"decision": "approve", "reason": "spam"}
    )
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown("Choose a reason that fits this decision."))


def test_bulk_decisions_from_the_queue(visitor, note, author, moderator, second_moderator):
    comments = [make_comment(note, author, status=CommentStatus.PENDING) for _ in range(3)]
    items = [ModerationItem.open_for(c, kind="pending", reason="premoderation") for c in comments]
    take_item(second_moderator, items[2])
    db.session.commit()
    browser = visitor(moderator)
    assert 'name="items"' in page(browser, "/fr/moderation/?kind=pending")
    response = browser.client.post(
        "/fr/moderation/bulk?kind=pending",
        data={
            "items": [i.id for i in items],
            "decision": "approve",
            "reason": "respects_rules",
            "csrf_token": _token(browser),
        },
    )
    assert response.headers["Location"] == "/fr/moderation/?kind=pending"
    assert [status_of(c) for c in comments] == ["visible", "visible", "pending"]
    html = page(browser, "/fr/moderation/")
    assert shows(html, shown("%(num)d comment decided.", "%(num)d comments decided.", 2))
    assert shows(
        html,
        shown(
            "%(num)d comment stays in the queue: another moderator is working on it, or you may not decide it.",
            "%(num)d comments stay in the queue: another moderator is working on them, or you may not decide them.",
            1,
        ),
    )
    empty = browser.client.post(
        "/fr/moderation/bulk",
        data={"decision": "approve", "reason": "respects_rules", "csrf_token": _token(browser)},
    )
    assert empty.status_code == 400
    assert shows(empty.get_data(as_text=True), shown("Select at least one comment."))


def _token(browser):
    from tests.conftest import csrf_token

    return csrf_token(browser.client, "/fr/account/")


def test_the_appeal_page_belongs_to_the_author(visitor, comment, author, moderator, reporters):
    decision = decide_comment(moderator, comment, decision="hide", reason="spam")
    db.session.commit()
    assert (
        visitor(reporters[0]).get(f"/fr/moderation/decisions/{decision.id}/appeal").status_code
        == 404
    )
    assert (
        visitor(author).get(f"/fr/moderation/decisions/{decision.id + 1}/appeal").status_code == 404
    )
    assert visitor().get(f"/fr/moderation/decisions/{decision.id}/appeal").status_code == 302


def test_blocking_and_lifting_a_block(
    visitor, note, comment, author, moderator, administrator, reporters
):
    browser = visitor(moderator)
    html = page(browser, f"/fr/moderation/users/{author.id}")
    assert "Un avis sur l" in html
    assert "/block" in html
    response = browser.post(f"/fr/moderation/users/{author.id}/block", {"reason": ""})
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown("Give the reason for blocking."))
    browser.post(f"/fr/moderation/users/{author.id}/block", {"reason": "Insultes répétées"})
    db.session.expire_all()
    assert author.is_blocked
    assert f'id="comment-{comment.id}"' not in page(
        visitor(reporters[0]), f"/fr/test-notes/{note.id}"
    )
    blocked = page(visitor(author), f"/fr/test-notes/{note.id}")
    assert shows(
        blocked,
        shown("Your account is blocked by the moderators: you cannot take part in discussions."),
    )
    assert browser.post(f"/fr/moderation/users/{author.id}/unblock").status_code == 403
    admin = visitor(administrator)
    assert "Insultes répétées" in page(admin, f"/fr/moderation/users/{author.id}")
    admin.post(f"/fr/moderation/users/{author.id}/unblock")
    db.session.expire_all()
    assert not author.is_blocked
    assert f'id="comment-{comment.id}"' in page(visitor(reporters[0]), f"/fr/test-notes/{note.id}")


def test_the_transparency_page_is_public_and_anonymous(
    visitor, comment, author, moderator, reporters
):
    report_comment(reporters[0], comment, reason="spam")
    decide_comment(
        moderator,
        comment,
        decision="hide",
        reason="insult_or_hate",
        item=db.session.scalar(sa.select(ModerationItem)),
    )
    db.session.commit()
    html = page(visitor(), "/ar/moderation/transparency")
    assert "<table" in html
    assert 'scope="row"' in html
    assert "<caption" in html  # with an id: the scroll region around the table names it
    assert shows(html, shown("Insult or hate speech", lang="ar"))
    for personal in (
        author.display_name,
        moderator.display_name,
        reporters[0].display_name,
        "Un avis",
    ):
        assert personal not in html


def test_administrators_edit_the_screening_settings(visitor, administrator, target, citizen):
    from participation.comments.services import post_comment

    admin = visitor(administrator)
    html = page(admin, "/fr/admin/moderation/screening")
    assert "connard" in html
    assert "9a7ba" in html
    assert "ⴰⵖⵢⵓⵍ" in html
    form = {
        "check_links": "y",
        "max_links": "1",
        "check_repeats": "y",
        "repeat_window_hours": "12",
        "repeat_min_length": "20",
        "check_words": "y",
        "words_fr": "zut\nflûte",
        "words_ar": "",
        "words_zgh": "",
        "words_ary_arab": "",
        "words_ary_latn": "",
    }
    assert admin.post("/fr/admin/moderation/screening", form).status_code == 302
    settings = db.session.get(ScreeningSettings, 1)
    assert (settings.max_links, settings.repeat_window_hours, settings.terms("fr")) == (
        1,
        12,
        ["zut", "flûte"],
    )
    assert post_comment(citizen, target, body="Flûte alors").status == CommentStatus.PENDING
    bad = admin.post("/fr/admin/moderation/screening", {**form, "repeat_window_hours": "0"})
    assert bad.status_code == 400


@pytest.mark.parametrize("config_overrides", [{"MODERATION_BACKLOG_NOTICE": 2}])
def test_a_large_backlog_is_announced(visitor, notes, author, moderator, citizen):
    note = notes(moderation_mode="pre")
    for _ in range(2):
        comment = make_comment(note, author, status=CommentStatus.PENDING)
        ModerationItem.open_for(comment, kind="pending", reason="premoderation")
    db.session.commit()
    html = page(visitor(moderator), "/fr/")
    assert 'class="site-notice"' in html
    assert "/fr/moderation/" in html
    assert 'class="site-notice"' not in page(visitor(citizen), "/fr/")
    thread = page(visitor(citizen), f"/fr/test-notes/{note.id}")
    assert shows(
        thread,
        shown(
            "Moderators have many comments to read at the moment: yours may take longer than usual to be published."
        ),
    )


def test_no_backlog_notice_below_the_threshold(visitor, notes, moderator, citizen):
    note = notes(moderation_mode="pre")
    assert 'class="site-notice"' not in page(visitor(moderator), "/fr/")
    assert not shows(
        page(visitor(citizen), f"/fr/test-notes/{note.id}"),
        shown(
            "Moderators have many comments to read at the moment: yours may take longer than usual to be published."
        ),
    )


def test_the_moderation_link_is_for_moderators(visitor, moderator, citizen):
    assert 'href="/fr/moderation/"' in page(visitor(moderator), "/fr/")
    assert 'href="/fr/moderation/"' not in page(visitor(citizen), "/fr/")
