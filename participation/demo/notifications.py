"""The demo citizen's notifications page: the services wrote her notifications as the demo played
its story (her petitions published, deposited and answered step by step, a reply and an official
answer to her comment, a moderation decision); all but the newest few are marked read, so that her
page and the header's count show both kinds."""

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.notifications import Notification
from participation.extensions import db

UNREAD = 3


def seed_notifications(*, citizen):
    newest = (
        sa.select(Notification.id)
        .where(Notification.user_id == citizen.id)
        .order_by(Notification.id.desc())
        .limit(UNREAD)
    )
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == citizen.id,
            Notification.read_at.is_(None),
            Notification.id.not_in(newest),
        )
        .values(read_at=utcnow())
    )
    db.session.flush()
