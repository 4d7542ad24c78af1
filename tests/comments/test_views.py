"""The comment routes, through the page that shows a thread, as a browser without JavaScript."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.comments.models import Comment, CommentVote
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.comments.helpers import shown, shows
from tests.factories import make_institution, make_user

ACCOUNT = "/fr/account/"  # any page with a form gives the session's CSRF token


@pytest.fixture
def signed_in(login, citizen):
    login(citizen)
    return citizen


def page(client, note, **args):
    response = client.get(f"/fr/test-notes/{note.id}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def article(html, comment):
    match = re.search(
        rf'<article id="comment-{comment.id}".*?(?=<article|</div>\s*</div>\s*</section>)',
        html,
        re.S,
    )
    assert match, f"comment {comment.id} is not on the page"
    return match.group(0)


def only_comment():
    return db.session.scalars(sa.select(Comment)).one()


def test_a_citizen_posts_and_is_sent_back_to_the_comment(client, post_form, signed_in, note):
    response = post_form(
        f"/fr/comments/note/{note.id}",
        {"body": "I *support* this", "stance": "agree"},
        form_page=ACCOUNT,
    )
    comment = only_comment()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/fr/test-notes/{note.id}#comment-{comment.id}"
    assert (comment.author_id, comment.stance, comment.status) == (signed_in.id, "agree", "visible")
    html = page(client, note)
    assert shows(html, shown("Your comment is published."))
    text = article(html, comment)
    assert "<bdi>Amina</bdi>" in text
    assert "<p>I <em>support</em> this</p>" in text
    assert shows(text, shown("Position: %(stance)s", stance=shown("Agree")))


def test_the_redirect_finds_the_page_of_the_thread(client, post_form, signed_in, notes):
    note = notes()
    author = make_user()
    roots = [make_comment(note, author, age=timedelta(hours=1), commit=False) for _ in range(21)]
    db.session.commit()
    response = post_form(
        f"/fr/comments/{roots[20].id}/reply", {"body": "On page two"}, form_page=ACCOUNT
    )
    reply = db.session.scalars(sa.select(Comment).where(Comment.parent_id == roots[20].id)).one()
    assert response.headers["Location"] == f"/fr/test-notes/{note.id}?page=2#comment-{reply.id}"
    assert f'id="comment-{reply.id}"' in page(client, note, page=2)


def test_anonymous_visitors_are_sent_to_sign_in(client, note):
    response = client.post(f"/fr/comments/note/{note.id}", data={"body": "hello"})
    assert response.status_code == 400  # no CSRF token: refused before anything else
    token_page = client.get("/fr/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page).group(1)
    response = client.post(
        f"/fr/comments/note/{note.id}", data={"body": "hello", "csrf_token": token}
    )
    assert response.status_code == 302
    assert "/fr/account/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    html = page(client, note)
    assert shows(html, shown("Sign in to take part in the discussion."))
    assert 'action="/fr/comments/note/' not in html


def test_unverified_users_get_403(client, login, post_form, note):
    login(make_user(verified=False))
    response = post_form(f"/fr/comments/note/{note.id}", {"body": "hello"}, form_page=ACCOUNT)
    assert response.status_code == 403
    assert shows(
        page(client, note), shown("Confirm your e-mail address to take part in the discussion.")
    )


def test_closed_target_refuses_comments(client, post_form, signed_in, notes):
    note = notes(open=False)
    assert (
        post_form(f"/fr/comments/note/{note.id}", {"body": "late"}, form_page=ACCOUNT).status_code
        == 403
    )
    html = page(client, note)
    assert shows(html, shown("This discussion is closed to new comments."))
    assert "<textarea" not in html


@pytest.mark.parametrize(
    "path", ["/fr/comments/note/{id}", "/fr/comments/nothing/{id}", "/fr/comments/note/999999"]
)
def test_invisible_or_unknown_targets_are_404(client, post_form, signed_in, notes, path):
    note = notes(readers=set())
    response = post_form(path.format(id=note.id), {"body": "hello"}, form_page=ACCOUNT)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_pre_moderated_comment_is_shown_to_its_author_only(
    client, login, post_form, signed_in, notes
):
    note = notes(moderation_mode="pre")
    post_form(f"/fr/comments/note/{note.id}", {"body": "Wait for me"}, form_page=ACCOUNT)
    comment = only_comment()
    html = page(client, note)
    assert shows(
        html, shown("Your comment is saved. It will be published when a moderator approves it.")
    )
    notice = shown(
        "Waiting for moderation: only you can see this comment until a moderator approves it."
    )
    assert shows(article(html, comment), notice)
    client.post(
        "/fr/account/logout",
        data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)},
    )
    assert "Wait for me" not in page(client, note)
    login(make_user())
    html = page(client, note)
    assert "Wait for me" not in html
    assert not shows(html, notice)


TOO_LONG = (
    "Your text is too long: use at most %(num)d character.",
    "Your text is too long: use at most %(num)d characters.",
    2000,
)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"body": ""}, ("Write something before sending.",)),
        ({"body": "   \r\n  "}, ("Write something before sending.",)),
        ({"body": "x" * 2001}, TOO_LONG),
        (
            {"body": "Fine text", "stance": "enthusiastic"},
            ("Choose one of the options in the list.",),
        ),
        (
            {"body": "bell \x07 character"},
            ("This field contains characters that are not allowed.",),
        ),
    ],
)
def test_a_bad_form_comes_back_with_the_text_and_a_message(
    client, post_form, signed_in, note, data, message
):
    response = post_form(f"/fr/comments/note/{note.id}", data, form_page=ACCOUNT)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert shows(html, shown(*message))
    assert 'class="error-summary"' in html
    if data["body"].strip():
        assert f"{data['body']}</textarea>" in html
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_a_refusal_by_the_service_keeps_the_text(client, post_form, signed_in, notes):
    note = notes(allows_stance=False)
    response = post_form(
        f"/fr/comments/note/{note.id}", {"body": "Keep me", "stance": "agree"}, form_page=ACCOUNT
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert shows(html, shown("Positions (agree, disagree, neutral) are not asked for here."))
    assert "Keep me</textarea>" in html
    assert 'name="stance"' not in html  # sending again without it will work


def test_a_megabyte_body_is_refused_with_the_length_message(client, post_form, signed_in, note):
    response = post_form(
        f"/fr/comments/note/{note.id}", {"body": "<script>" * (1024 * 1024 // 8)}, form_page=ACCOUNT
    )
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown(*TOO_LONG))
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_a_multipart_body_over_the_form_memory_limit_is_a_413(
    app, client, post_form, signed_in, note
):
    # Small numbers keep the body in memory, as in tests/core/test_security.py.
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    response = post_form(
        f"/fr/comments/note/{note.id}",
        {"body": "x" * 2000},
        form_page=ACCOUNT,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert 'lang="fr"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_a_body_just_under_the_form_memory_limit_gets_the_length_message(
    app, client, post_form, signed_in, note
):
    response = post_form(f"/fr/comments/note/{note.id}", {"body": "x" * 500_000}, form_page=ACCOUNT)
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), shown(*TOO_LONG))


def _csrf(client):
    return re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get(ACCOUNT).get_data(as_text=True),
    ).group(1)


def test_invalid_utf8_in_an_urlencoded_form_is_not_a_server_error(client, signed_in, note):
    response = client.post(
        f"/fr/comments/note/{note.id}",
        data=b"csrf_token=" + _csrf(client).encode() + b"&body=caf%C3%A9+%FF%FE+%C3",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    stored = only_comment().body_source
    assert stored.startswith("café ")
    assert stored.encode("utf-8")
    assert page(client, note).count('<article id="comment-') == 1


def test_invalid_utf8_in_a_multipart_form_is_not_a_server_error(client, signed_in, note):
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{_csrf(client)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n'
        ).encode()
        + b"caf\xc3\xa9 \xff\xfe \xc3\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        f"/fr/comments/note/{note.id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302
    stored = only_comment().body_source
    assert stored.startswith("café ")
    assert "\ufffd" in stored


def test_reply_and_its_limits(client, post_form, signed_in, note):
    comment = make_comment(note, make_user())
    for _ in range(3):
        comment = make_comment(note, make_user(), parent=comment)
    html = page(client, note)
    assert f'action="/fr/comments/{comment.parent_id}/reply"' in html
    assert f'action="/fr/comments/{comment.id}/reply"' not in html  # depth 3: no reply form
    response = post_form(
        f"/fr/comments/{comment.id}/reply", {"body": "Deeper still"}, form_page=ACCOUNT
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    too_deep = "This reply is already at the deepest level of the discussion: answer the comment above it instead."
    assert shows(text, shown(too_deep))
    assert "Deeper still</textarea>" in text
    response = post_form(
        f"/fr/comments/{comment.parent_id}/reply", {"body": "At depth three"}, form_page=ACCOUNT
    )
    assert response.status_code == 302
    reply = db.session.scalars(
        sa.select(Comment).where(Comment.body_source == "At depth three")
    ).one()
    assert reply.depth == 3
    assert reply.stance is None


def test_a_reply_ignores_any_stance_field(client, post_form, signed_in, note):
    parent = make_comment(note, make_user())
    post_form(
        f"/fr/comments/{parent.id}/reply", {"body": "Re", "stance": "agree"}, form_page=ACCOUNT
    )
    assert (
        db.session.scalars(sa.select(Comment.stance).where(Comment.parent_id == parent.id)).one()
        is None
    )


@pytest.mark.parametrize("status", ["pending", "hidden", "rejected"])
def test_no_reply_to_someone_elses_comment_that_is_not_public(
    client, post_form, signed_in, note, status
):
    parent = make_comment(note, make_user(), status=status)
    assert (
        post_form(f"/fr/comments/{parent.id}/reply", {"body": "Re"}, form_page=ACCOUNT).status_code
        == 404
    )


def test_reply_to_a_comment_on_an_invisible_target_is_404(client, post_form, signed_in, notes):
    note = notes(readers={make_user().id})
    parent = make_comment(note, make_user())
    assert (
        post_form(f"/fr/comments/{parent.id}/reply", {"body": "Re"}, form_page=ACCOUNT).status_code
        == 404
    )


def test_edit_within_the_window(client, post_form, signed_in, note):
    comment = make_comment(note, signed_in, body="Frist")
    form = client.get(f"/fr/comments/{comment.id}/edit")
    assert form.status_code == 200
    assert "Frist</textarea>" in form.get_data(as_text=True)
    response = post_form(
        f"/fr/comments/{comment.id}/edit",
        {"body": "First"},
        form_page=f"/fr/comments/{comment.id}/edit",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    db.session.refresh(comment)
    assert comment.body_source == "First"
    assert comment.edited_at is not None
    text = article(page(client, note), comment)
    assert shows(text, shown("Edited"))
    assert "<p>First</p>" in text


def test_edit_with_a_bad_text_keeps_it(client, post_form, signed_in, note):
    comment = make_comment(note, signed_in, body="Short")
    response = post_form(f"/fr/comments/{comment.id}/edit", {"body": "y" * 2001}, form_page=ACCOUNT)
    assert response.status_code == 400
    assert "y" * 2001 in response.get_data(as_text=True)


def test_edit_after_the_window(client, post_form, signed_in, note):
    comment = make_comment(note, signed_in, body="Old", age=timedelta(minutes=20))
    response = client.get(f"/fr/comments/{comment.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    window_over = shown(
        "A comment can be changed only during the first %(num)d minute after it was sent. You can still delete it.",
        "A comment can be changed only during the first %(num)d minutes after it was sent. You can still delete it.",
        15,
    )
    no_longer = "This comment can no longer be changed: the time for changes is over, or a moderator approved it as it is. You can still delete it."
    assert shows(page(client, note), shown(no_longer))
    assert f"/fr/comments/{comment.id}/edit" not in page(client, note)
    response = post_form(f"/fr/comments/{comment.id}/edit", {"body": "New text"}, form_page=ACCOUNT)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert shows(html, window_over)
    assert "New text</textarea>" in html
    db.session.refresh(comment)
    assert comment.body_source == "Old"


def test_an_approved_comment_on_a_pre_moderated_target_cannot_be_edited(
    client, post_form, signed_in, notes
):
    note = notes(moderation_mode="pre")
    pending = make_comment(note, signed_in, body="Still pending", status="pending")
    approved = make_comment(note, signed_in, body="Approved text")
    html = page(client, note)
    assert f"/fr/comments/{pending.id}/edit" in html
    assert f"/fr/comments/{approved.id}/edit" not in html
    assert client.get(f"/fr/comments/{approved.id}/edit").status_code == 302
    response = post_form(
        f"/fr/comments/{approved.id}/edit", {"body": "Spam after approval"}, form_page=ACCOUNT
    )
    assert response.status_code == 400
    message = "A moderator approved this comment as it is, so it can no longer be changed. You can still delete it."
    assert shows(response.get_data(as_text=True), shown(message))
    db.session.refresh(approved)
    assert approved.body_source == "Approved text"
    assert (
        post_form(
            f"/fr/comments/{pending.id}/edit", {"body": "Corrected"}, form_page=ACCOUNT
        ).status_code
        == 302
    )


def test_someone_elses_comment_cannot_be_edited_or_deleted(client, post_form, signed_in, note):
    comment = make_comment(note, make_user(), body="Theirs")
    assert client.get(f"/fr/comments/{comment.id}/edit").status_code == 403
    assert (
        post_form(
            f"/fr/comments/{comment.id}/edit", {"body": "Mine"}, form_page=ACCOUNT
        ).status_code
        == 403
    )
    assert post_form(f"/fr/comments/{comment.id}/delete", {}, form_page=ACCOUNT).status_code == 403
    db.session.refresh(comment)
    assert comment.body_source == "Theirs"
    assert comment.deleted_at is None


def test_delete_leaves_a_tombstone_in_the_thread(client, post_form, signed_in, note):
    comment = make_comment(note, signed_in, body="Regret this")
    reply = make_comment(note, make_user(), parent=comment, body="A reply")
    response = post_form(f"/fr/comments/{comment.id}/delete", {}, form_page=ACCOUNT)
    assert response.status_code == 302
    html = page(client, note)
    tombstone = article(html, comment)
    assert shows(tombstone, shown("Comment deleted by its author."))
    assert "Regret this" not in html
    assert "Amina" not in tombstone
    assert "A reply" in article(html, reply)
    assert post_form(f"/fr/comments/{comment.id}/delete", {}, form_page=ACCOUNT).status_code == 403


def test_useful_vote_toggles_and_is_shown(client, post_form, signed_in, note):
    comment = make_comment(note, make_user())
    post_form(f"/fr/comments/{comment.id}/useful", {}, form_page=ACCOUNT)
    found_useful = shown(
        "%(count)s person found this useful", "%(count)s people found this useful", 1, count=1
    )
    text = article(page(client, note), comment)
    assert shows(text, found_useful)
    assert shows(text, shown("Take back my “useful” mark"))
    post_form(f"/fr/comments/{comment.id}/useful", {}, form_page=ACCOUNT)
    text = article(page(client, note), comment)
    assert not shows(text, found_useful)
    assert shows(text, shown("Mark as useful"))
    assert db.session.scalar(sa.select(sa.func.count(CommentVote.id))) == 0


def test_no_useful_vote_on_ones_own_comment(client, post_form, signed_in, note):
    comment = make_comment(note, signed_in)
    assert f'action="/fr/comments/{comment.id}/useful"' not in article(page(client, note), comment)
    assert post_form(f"/fr/comments/{comment.id}/useful", {}, form_page=ACCOUNT).status_code == 403
    assert db.session.get(Comment, comment.id).useful_count == 0


def test_official_answer_is_labelled_and_mailed(client, login, post_form, notes, outbox):
    institution = make_institution(
        name={"ar": "وزارة الصحة", "fr": "Ministère de la Santé", "zgh": "ⵜⴰⵎⴰⵡⴰⵙⵜ"}
    )
    note = notes(institution_id=institution.id)
    question = make_comment(note, make_user(language="zgh"), body="When?")
    login(make_user(roles=[Role.OFFICER], institution=institution))
    html = page(client, note)
    assert shows(
        html,
        shown(
            "You are an officer of the institution in charge: your comments here are published as official answers."
        ),
    )
    assert 'name="stance"' not in html.split('id="comment-list-heading"')[0]
    response = post_form(
        f"/fr/comments/{question.id}/reply", {"body": "Next month."}, form_page=ACCOUNT
    )
    answer = db.session.scalars(sa.select(Comment).where(Comment.parent_id == question.id)).one()
    assert response.status_code == 302
    assert answer.is_official
    label = shown(
        "Official answer from <bdi>%(institution)s</bdi>", institution="Ministère de la Santé"
    )
    assert label in article(page(client, note), answer)
    [mail] = outbox(template="official_answer")
    assert mail.language == "zgh"
    assert mail.to_address == question.author.email
    assert (
        f"http://participation.test/zgh/test-notes/{note.id}#comment-{answer.id}" in mail.body_text
    )


def test_rate_limit_on_posting(app, client, post_form, signed_in, note):
    app.config["RATELIMIT_COMMENT"] = "2 per minute"
    parent = make_comment(note, make_user())
    statuses = [
        post_form(f"/fr/comments/note/{note.id}", {"body": "one"}, form_page=ACCOUNT).status_code,
        post_form(
            f"/fr/comments/{parent.id}/reply", {"body": "two"}, form_page=ACCOUNT
        ).status_code,
        post_form(f"/fr/comments/note/{note.id}", {"body": "three"}, form_page=ACCOUNT).status_code,
    ]
    assert statuses == [302, 302, 429]


def test_the_rate_limit_counts_per_person(app, client, login, post_form, note):
    app.config["RATELIMIT_COMMENT"] = "1 per minute"
    login(make_user())
    assert (
        post_form(f"/fr/comments/note/{note.id}", {"body": "one"}, form_page=ACCOUNT).status_code
        == 302
    )
    client.post(
        "/fr/account/logout",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page(client, note)).group(
                1
            )
        },
    )
    login(make_user())
    assert (
        post_form(f"/fr/comments/note/{note.id}", {"body": "two"}, form_page=ACCOUNT).status_code
        == 302
    )


def test_user_text_is_escaped_and_isolated(client, login, notes):
    note = notes()
    make_comment(
        note,
        make_user(display_name='<script>alert("name")</script>'),
        body='<img src=x onerror="alert(1)">',
    )
    html = page(client, note)
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "<bdi>&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;</bdi>" in html
    assert '<div class="comment__body" lang="" dir="auto">' in html


def test_every_form_of_the_thread_works_without_javascript(client, signed_in, note):
    mine = make_comment(note, signed_in)
    make_comment(note, make_user(), parent=mine)
    html = page(client, note)
    thread = html[html.index('<div class="comments">') :]
    post_forms = re.findall(r'<form method="post".*?</form>', thread, re.S)
    assert len(post_forms) >= 5  # comment, reply x2, useful, delete
    for form in post_forms:
        assert 'name="csrf_token"' in form
    assert "<script" not in html
    assert " onclick=" not in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for label_for in re.findall(r'<label[^>]* for="([^"]+)"', thread):
        assert f'id="{label_for}"' in thread


def test_headings_follow_the_page(client, signed_in, note):
    make_comment(note, make_user())
    html = page(client, note)
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[:2] == [1, 2]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_pages_of_comments_keep_the_order(client, note):
    author = make_user()
    for i in range(22):
        make_comment(note, author, body=f"number {i}", age=timedelta(minutes=100 - i), commit=False)
    db.session.commit()
    html = page(client, note, order="newest")
    assert "number 21" in html
    assert "number 0<" not in html
    assert f'href="/fr/test-notes/{note.id}?page=2&amp;order=newest#comments"' in html
    assert "number 0<" in page(client, note, order="newest", page=2)


@pytest.mark.parametrize("lang", ["ar", "zgh"])
def test_thread_renders_in_every_language(client, note, lang):
    make_comment(note, make_user(), stance="agree")
    response = client.get(f"/{lang}/test-notes/{note.id}")
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.get_data(as_text=True)
