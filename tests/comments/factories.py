"""Comment test data: notes (a stand-in target type) and comments written straight to the database,
so tests can set any status, date or depth without going through the services."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

from participation.comments import markdown
from participation.comments.models import Comment, CommentStatus
from participation.core.models import utcnow
from participation.extensions import db

_ids = itertools.count(1)


def new_id():
    return next(_ids)


@dataclass
class Note:
    """What a consultation or a section is to the comments component."""

    id: int
    open: bool = True
    moderation_mode: str = "post"
    allows_stance: bool = True
    institution_id: int | None = None
    readers: set | None = None  # user ids allowed to read, like a draft; None: everybody


def make_comment(
    note,
    author,
    *,
    body="A comment.",
    parent=None,
    status=CommentStatus.VISIBLE,
    stance=None,
    official_institution=None,
    age=timedelta(0),
    commit=True,
):
    comment = Comment(
        target_type="note",
        target_id=note.id,
        author_id=author.id,
        stance=stance,
        status=CommentStatus(status).value,
        is_official=official_institution is not None,
        official_institution_id=official_institution.id if official_institution else None,
        created_at=utcnow() - age,
    )
    comment.place_in_thread(parent)
    comment.write(markdown.clean_source(body))
    db.session.add(comment)
    db.session.flush()
    if commit:
        db.session.commit()
    return comment
