"""Threads for a reader, and counts for many targets, in a fixed number of queries."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from participation.auth.models import User
from participation.comments.models import Comment, CommentStatus, CommentVote
from participation.institutions.models import Institution
from participation.comments.queries import count_comments, count_stances, get_thread, page_of
from participation.comments.services import delete_comment
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.factories import make_institution, make_user
from tests.query_counts import counted_queries

ANONYMOUS = AnonymousUserMixin()


def shape(nodes):
    """[(comment id, withheld, [replies...])] for comparing trees."""
    return [(n.comment.id, n.withheld, shape(n.replies)) for n in nodes]


def test_thread_nests_replies_under_their_parents(note, target):
    alice, bob = make_user(), make_user()
    first = make_comment(note, alice, age=timedelta(minutes=10))
    second = make_comment(note, bob, age=timedelta(minutes=9))
    reply = make_comment(note, bob, parent=first, age=timedelta(minutes=8))
    deeper = make_comment(note, alice, parent=reply, age=timedelta(minutes=7))
    later_reply = make_comment(note, alice, parent=first, age=timedelta(minutes=6))
    thread = get_thread(target, ANONYMOUS)
    assert shape(thread.nodes) == [
        (
            first.id,
            False,
            [(reply.id, False, [(deeper.id, False, [])]), (later_reply.id, False, [])],
        ),
        (second.id, False, []),
    ]
    assert thread.total == 5
    assert thread.pagination.total == 2


@pytest.mark.parametrize(
    "order, expected",
    [
        ("oldest", ["a", "b", "c"]),
        ("newest", ["c", "b", "a"]),
        ("useful", ["b", "c", "a"]),
        ("nonsense", ["a", "b", "c"]),
    ],
)
def test_thread_orders(note, target, order, expected):
    author = make_user()
    comments = {
        "a": make_comment(note, author, body="a", age=timedelta(minutes=3)),
        "b": make_comment(note, author, body="b", age=timedelta(minutes=2)),
        "c": make_comment(note, author, body="c", age=timedelta(minutes=1)),
    }
    comments["b"].useful_count, comments["c"].useful_count = 5, 2
    db.session.commit()
    thread = get_thread(target, ANONYMOUS, order=order)
    assert [n.comment.body_source for n in thread.nodes] == expected
    assert thread.order == (order if order != "nonsense" else "oldest")


def test_pages_of_threads(note, target):
    author = make_user()
    firsts = [
        make_comment(note, author, age=timedelta(minutes=100 - i), commit=False) for i in range(25)
    ]
    make_comment(note, author, parent=firsts[0])
    page_two = get_thread(target, ANONYMOUS, page=2, per_page=20)
    assert [n.comment.id for n in page_two.nodes] == [c.id for c in firsts[20:]]
    assert (page_two.pagination.pages, page_two.pagination.page) == (2, 2)
    assert get_thread(target, ANONYMOUS, page=99).nodes == []


@pytest.mark.parametrize(
    "status", [CommentStatus.PENDING, CommentStatus.HIDDEN, CommentStatus.REJECTED]
)
def test_comments_that_are_not_public_are_shown_to_their_author_only(note, target, status):
    author = make_user()
    comment = make_comment(note, author, status=status)
    [own] = get_thread(target, author).nodes
    assert own.comment.id == comment.id
    assert own.own
    assert not own.withheld
    assert own.comment.status_notice is not None
    for viewer in (make_user(), ANONYMOUS):
        assert get_thread(target, viewer).nodes == []
    assert get_thread(target, ANONYMOUS).total == 0


def test_a_hidden_comment_with_public_replies_stays_as_a_placeholder(note, target):
    author = make_user()
    first = make_comment(note, author)
    reply = make_comment(note, make_user(), parent=first)
    hidden_leaf = make_comment(note, make_user(), parent=first, status=CommentStatus.HIDDEN)
    first.status = CommentStatus.HIDDEN.value
    db.session.commit()
    assert shape(get_thread(target, ANONYMOUS).nodes) == [(first.id, True, [(reply.id, False, [])])]
    assert shape(get_thread(target, author).nodes) == [(first.id, False, [(reply.id, False, [])])]
    assert shape(get_thread(target, hidden_leaf.author).nodes) == [
        (first.id, True, [(reply.id, False, []), (hidden_leaf.id, False, [])])
    ]


def test_deleted_comments_stay_in_the_thread(note, target):
    author = make_user()
    first = make_comment(note, author)
    reply = make_comment(note, make_user(), parent=first)
    delete_comment(author, first)
    db.session.commit()
    [node] = get_thread(target, ANONYMOUS).nodes
    assert node.comment.is_deleted
    assert [r.comment.id for r in node.replies] == [reply.id]
    assert get_thread(target, ANONYMOUS).total == 1


def test_rights_and_votes_of_the_viewer(note, target):
    viewer, other = make_user(), make_user()
    mine = make_comment(note, viewer)
    theirs = make_comment(note, other)
    db.session.add(CommentVote(comment_id=theirs.id, user_id=viewer.id))
    db.session.commit()
    nodes = {n.comment.id: n for n in get_thread(target, viewer).nodes}
    assert (
        nodes[mine.id].own,
        nodes[mine.id].can_edit,
        nodes[mine.id].can_delete,
        nodes[mine.id].can_vote,
    ) == (True, True, True, False)
    assert (
        nodes[theirs.id].own,
        nodes[theirs.id].can_edit,
        nodes[theirs.id].can_vote,
        nodes[theirs.id].voted,
    ) == (False, False, True, True)
    assert nodes[mine.id].voted is False
    assert nodes[theirs.id].can_reply
    anonymous = get_thread(target, ANONYMOUS)
    assert not anonymous.can_comment
    assert not any(n.can_vote or n.can_reply or n.can_edit for n in anonymous.nodes)


def test_no_reply_button_at_the_deepest_level(note, target):
    author = make_user()
    comment = make_comment(note, author)
    for _ in range(3):
        comment = make_comment(note, author, parent=comment)
    node = get_thread(target, make_user()).nodes[0]
    depths = []
    while node:
        depths.append((node.comment.depth, node.can_reply))
        node = node.replies[0] if node.replies else None
    assert depths == [(0, True), (1, True), (2, True), (3, False)]


def test_closed_target_shows_the_thread_without_actions(notes):
    note = notes(open=False)
    make_comment(note, make_user())
    thread = get_thread(notes.target(note), make_user())
    assert not thread.can_comment
    assert len(thread.nodes) == 1
    assert not (thread.nodes[0].can_reply or thread.nodes[0].can_vote)


def populate(note, count, institution):
    """`count` comments: a third start threads, the rest reply (some deep, some official,
    some pending), with a few votes by the viewer."""
    authors = [make_user(commit=False) for _ in range(5)]
    viewer = authors[0]
    roots, everything = [], []
    for i in range(count):
        parent = None
        if roots and i % 3:
            parent = roots[i % len(roots)] if i % 2 else everything[-1]
            while parent.depth >= 3:
                parent = db.session.get(Comment, parent.parent_id)
        comment = make_comment(
            note,
            authors[i % 5],
            parent=parent,
            status=CommentStatus.PENDING if i % 7 == 0 else CommentStatus.VISIBLE,
            official_institution=institution if i % 11 == 0 else None,
            age=timedelta(minutes=count - i),
            commit=False,
        )
        everything.append(comment)
        if parent is None:
            roots.append(comment)
        if i % 4 == 0 and comment.author_id != viewer.id:
            db.session.add(CommentVote(comment_id=comment.id, user_id=viewer.id))
    db.session.commit()
    return viewer.id


def render_thread(app, target, viewer, page):
    with app.test_request_context("/fr/"):
        from flask import render_template_string

        thread = get_thread(target, viewer, page=page)
        html = render_template_string(
            '{% include "comments/_thread.html" %}', thread=thread, target=target
        )
    return thread, html


def test_the_number_of_queries_does_not_grow_with_the_number_of_comments(app, notes):
    institution_id = make_institution().id
    counts = []
    for size in (10, 300):
        note = notes(institution_id=institution_id)
        institution = db.session.get(Institution, institution_id)
        viewer_id = populate(note, size, institution)
        db.session.expunge_all()  # nothing already loaded: every query the page needs is counted
        viewer = db.session.get(User, viewer_id)
        target = notes.target(note)
        with counted_queries() as statements:
            thread, html = render_thread(app, target, viewer, page=1)
        counts.append(len(statements))
        comments_shown = html.count('<article id="comment-')
        assert comments_shown > (5 if size == 10 else 40)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10


def test_counts_for_many_targets_in_one_query(notes):
    author = make_user()
    a, b, empty = notes(), notes(), notes()
    make_comment(a, author, stance="agree")
    make_comment(a, author, stance="agree")
    first = make_comment(a, author, stance="disagree")
    make_comment(a, author, parent=first)
    make_comment(a, author, stance="neutral", status=CommentStatus.PENDING)
    deleted = make_comment(a, author, stance="neutral")
    delete_comment(author, deleted)
    make_comment(b, author, stance="neutral", status=CommentStatus.HIDDEN)
    make_comment(b, author)
    make_comment(notes(), author)
    db.session.commit()
    ids = [a.id, b.id, empty.id]
    with counted_queries() as statements:
        assert count_comments("note", ids) == {a.id: 4, b.id: 1, empty.id: 0}
        assert count_stances("note", ids) == {
            a.id: {"agree": 2, "disagree": 1, "neutral": 0},
            b.id: {"agree": 0, "disagree": 0, "neutral": 0},
            empty.id: {"agree": 0, "disagree": 0, "neutral": 0},
        }
    assert len(statements) == 2
    with counted_queries() as statements:
        count_comments("note", range(1, 2000))
        count_stances("note", range(1, 2000))
    assert len(statements) == 2
    assert count_comments("other_type", ids) == dict.fromkeys(ids, 0)
    with counted_queries() as statements:
        assert count_comments("note", []) == {}
        assert count_stances("note", []) == {}
    assert statements == []


def test_page_of_finds_the_thread_of_a_reply(note):
    author = make_user()
    firsts = [
        make_comment(note, author, age=timedelta(minutes=100 - i), commit=False) for i in range(45)
    ]
    reply = make_comment(note, author, parent=firsts[41])
    deeper = make_comment(note, author, parent=reply)
    assert page_of(firsts[0], ANONYMOUS) == 1
    assert page_of(firsts[19], ANONYMOUS) == 1
    assert page_of(firsts[20], ANONYMOUS) == 2
    assert page_of(deeper, ANONYMOUS) == 3
    assert page_of(deeper, ANONYMOUS, per_page=50) == 1
