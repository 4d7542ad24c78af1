"""The read side of a person's notifications."""

import sqlalchemy as sa

from participation.core.notifications import Notification
from participation.extensions import db

PER_PAGE = 20


def count_unread_notifications(user_id):
    """One COUNT on the index ix_notifications_user_unread."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def list_notifications(user_id, *, page=1, per_page=PER_PAGE):
    """Newest first."""
    query = (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_notification(notification_id):
    return db.session.get(Notification, notification_id)
