"""What the comments component holds about a person, in the download and at account deletion
(core/personal_data.py; docs/personal-data.md)."""

import sqlalchemy as sa

from participation.comments.models import Comment, CommentVote
from participation.core.personal_data import Erasure, iso, personal_data_exporter, user_column
from participation.extensions import db

user_column(
    "comments.author_id",
    exported_in="comments.written",
    erasure=Erasure.KEPT,
    why="comments stay in their threads, shown as by a former participant (SPEC §10)",
)
user_column(
    "comment_votes.user_id",
    exported_in="comments.useful_votes",
    erasure=Erasure.KEPT,
    why="a vote stays counted in its comment's useful count; it points at the anonymised account",
)


@personal_data_exporter("comments")
def _export_comments(user):
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
    )
    votes = db.session.scalars(
        sa.select(CommentVote).where(CommentVote.user_id == user.id).order_by(CommentVote.id)
    )
    return {
        "written": [
            {
                "comment_id": comment.id,
                "target_type": comment.target_type,
                "target_id": comment.target_id,
                "in_reply_to": comment.parent_id,
                "created_at": iso(comment.created_at),
                "edited_at": iso(comment.edited_at),
                "deleted_at": iso(comment.deleted_at),
                "status": comment.status,
                "stance": comment.stance,
                "official": comment.is_official,
                "text": comment.body_source,
            }
            for comment in comments
        ],
        "useful_votes": [
            {"comment_id": vote.comment_id, "at": iso(vote.created_at)} for vote in votes
        ],
    }
