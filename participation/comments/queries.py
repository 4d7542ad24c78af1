"""Read side of comments: a page of a thread for one reader, and counts for many targets.

Every function runs a fixed number of SQL queries, whatever the number of comments or targets.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from participation.auth.models import User
from participation.auth.permissions import is_citizen
from participation.comments import permissions as perms
from participation.comments.models import Comment, CommentStatus, CommentVote, Stance
from participation.comments.oversight import current_overseer
from participation.core.models import utcnow
from participation.core.permissions import is_signed_in
from participation.extensions import db

PER_PAGE = 20
ORDERS = ("oldest", "newest", "useful")


@dataclass
class CommentNode:
    comment: Comment
    replies: list = field(default_factory=list)
    withheld: bool = False  # not readable by the viewer, kept as a placeholder for its replies
    voted: bool = False
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_vote: bool = False
    can_report: bool = False
    reported: bool = False  # by the viewer
    notice: object = None  # why the viewer's own comment is withheld (from the overseer)
    own: bool = False

    def shown(self):
        """Everything the comment's own part of the thread shows (templates/comments/_thread.html),
        as the key of its stored rendering: a change to any of it is a new key, so nothing needs
        to be invalidated. None for the reader's own comment, whose notices and edit and delete
        links are theirs alone: it is rendered each time."""
        if self.own:
            return None
        comment, author = self.comment, self.comment.author
        institution = comment.official_institution if comment.is_official else None
        return (
            comment.id,
            comment.status,
            comment.deleted_at,
            comment.edited_at,
            comment.useful_count,
            comment.stance,
            institution.display_name() if institution else None,
            comment.body_html,  # cached_fragment hashes the key
            author.is_active,
            author.display_name,
            self.withheld,
            self.voted,
            self.can_reply,
            self.can_edit,
            self.can_delete,
            self.can_vote,
            self.can_report,
            self.reported,
        )


@dataclass
class Thread:
    """What templates/comments/_thread.html needs: one page of comments and the viewer's rights."""

    target: object
    nodes: list
    pagination: object
    order: str
    total: int  # public comments on the target
    can_comment: bool
    answers_officially: bool
    max_length: int
    oversight: object  # the registered comments.oversight.Overseer (its partials, its busy())

    def page_link(self, page):
        return self.target.link(
            page=page, order=self.order if self.order != ORDERS[0] else None, anchor="comments"
        )


def _unblocked(model=Comment):
    """SQL: the author is not blocked (a blocked person's comments are not public)."""
    return model.author_id.not_in(sa.select(User.id).where(User.blocked_at.is_not(None)))


def _readable(viewer, model=Comment):
    """SQL: public comments, and the viewer's own whatever their status."""
    public = sa.and_(model.status == CommentStatus.VISIBLE, _unblocked(model))
    if is_signed_in(viewer):
        return sa.or_(public, model.author_id == viewer.id)
    return public


def _top_level(target_type, target_id, viewer):
    """Threads on the target that the viewer can read: the first comment, or at least one reply
    (a hidden first comment then stays as a placeholder so the replies keep their context)."""
    reply = aliased(Comment)
    readable_reply = sa.exists().where(reply.root_id == Comment.id, _readable(viewer, reply))
    return (
        Comment.target_type == target_type,
        Comment.target_id == target_id,
        Comment.parent_id.is_(None),
        sa.or_(_readable(viewer), readable_reply),
    )


_ORDERING = {
    "oldest": (Comment.created_at, Comment.id),
    "newest": (Comment.created_at.desc(), Comment.id.desc()),
    "useful": (Comment.useful_count.desc(), Comment.created_at, Comment.id),
}


def get_thread(target, viewer, *, page=1, per_page=PER_PAGE, order="oldest"):
    order = order if order in ORDERS else ORDERS[0]
    pagination = db.paginate(
        sa.select(Comment.id)
        .where(*_top_level(target.target_type, target.target_id, viewer))
        .order_by(*_ORDERING[order]),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    root_ids = list(pagination.items)
    comments = []
    if root_ids:
        comments = db.session.scalars(
            sa.select(Comment)
            .where(sa.or_(Comment.id.in_(root_ids), Comment.root_id.in_(root_ids)))
            .order_by(Comment.created_at, Comment.id)
            .options(selectinload(Comment.author), selectinload(Comment.official_institution))
        ).all()
    voted = set()
    if comments and is_signed_in(viewer):
        voted = set(
            db.session.scalars(
                sa.select(CommentVote.comment_id).where(
                    CommentVote.user_id == viewer.id,
                    CommentVote.comment_id.in_([c.id for c in comments]),
                )
            )
        )
    overseer = current_overseer()
    nodes = _build_tree(
        comments, root_ids, target, viewer, voted, overseer.reader_notes(viewer, comments)
    )
    return Thread(
        target=target,
        nodes=nodes,
        pagination=pagination,
        order=order,
        total=count_comments(target.target_type, [target.target_id])[target.target_id],
        can_comment=perms.can_comment(viewer, target),
        answers_officially=perms.can_answer_officially(viewer, target),
        max_length=current_app.config["COMMENT_MAX_LENGTH"],
        oversight=overseer,
    )


def _build_tree(comments, root_ids, target, viewer, voted, notes):
    # The target's own checks run once, not once per comment: the per-comment rights below are
    # permissions.can_reply, can_vote_useful and the overseer's report permission with the
    # target part already answered.
    may_comment = perms.can_comment(viewer, target)
    may_report = current_overseer().accepts_reports and is_citizen(viewer)
    now = utcnow()
    nodes = {}
    for comment in comments:
        own = perms.is_comment_author(viewer, comment)
        public = perms.is_public(comment)
        nodes[comment.id] = CommentNode(
            comment=comment,
            withheld=not (
                (comment.status == CommentStatus.VISIBLE and not comment.author.is_blocked) or own
            ),
            voted=comment.id in voted,
            own=own,
            can_reply=may_comment and public and comment.accepts_replies,
            can_edit=perms.can_edit_comment(viewer, comment, now, target),
            can_delete=perms.can_delete_comment(viewer, comment),
            can_vote=may_comment and public and not own,
            can_report=may_report and public and not own,
            reported=comment.id in notes.reported,
            notice=notes.notices.get(comment.id),
        )
    for comment in comments:  # oldest first, so replies come in the order they were written
        if comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(nodes[comment.id])
    return [
        node
        for node in (_prune(nodes[root_id]) for root_id in root_ids if root_id in nodes)
        if node
    ]


def _prune(node):
    """Drop what the viewer may not read, unless readable replies hang below it."""
    node.replies = [reply for reply in (_prune(r) for r in node.replies) if reply]
    return node if not node.withheld or node.replies else None


def page_of(comment, viewer, *, per_page=PER_PAGE):
    """The page (oldest first) on which the viewer finds the thread holding this comment."""
    root = db.session.get(Comment, comment.root_id) if comment.root_id else comment
    earlier = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            *_top_level(root.target_type, root.target_id, viewer),
            sa.or_(
                Comment.created_at < root.created_at,
                sa.and_(Comment.created_at == root.created_at, Comment.id < root.id),
            ),
        )
    )
    return earlier // per_page + 1


def public_comment_conditions(target_type, target_ids):
    """SQL conditions: the comments anyone may read on these targets (visible, not deleted, the
    author not blocked). The API and the open-data dumps use them too."""
    return (
        Comment.target_type == target_type,
        Comment.target_id.in_(target_ids),
        Comment.status == CommentStatus.VISIBLE,
        Comment.deleted_at.is_(None),
        _unblocked(),
    )


def count_comments(target_type, target_ids):
    """{target id: public, not deleted comments and replies}, every id present, in one query."""
    target_ids = list(target_ids)
    counts = dict.fromkeys(target_ids, 0)
    if target_ids:
        rows = db.session.execute(
            sa.select(Comment.target_id, sa.func.count(Comment.id))
            .where(*public_comment_conditions(target_type, target_ids))
            .group_by(Comment.target_id)
        )
        counts.update(dict(rows.all()))
    return counts


def count_stances(target_type, target_ids):
    """{target id: {"agree": n, "disagree": n, "neutral": n}} over public comments, in one query."""
    target_ids = list(target_ids)
    counts = {target_id: {stance.value: 0 for stance in Stance} for target_id in target_ids}
    if target_ids:
        rows = db.session.execute(
            sa.select(Comment.target_id, Comment.stance, sa.func.count(Comment.id))
            .where(*public_comment_conditions(target_type, target_ids), Comment.stance.is_not(None))
            .group_by(Comment.target_id, Comment.stance)
        )
        for target_id, stance, n in rows:
            counts[target_id][stance] = n
    return counts
