"""Marking notifications read. Writing them: core.notifications.notify, next to queue_mail."""

import sqlalchemy as sa

from participation.core.models import utcnow
from participation.core.notifications import Notification
from participation.core.permissions import guarded_by, require
from participation.extensions import db
from participation.notifications import permissions as perms


@guarded_by(perms.can_read_notification)
def mark_notification_read(actor, notification, *, now=None):
    require(perms.can_read_notification(actor, notification))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()
    return notification


@guarded_by(perms.can_read_notifications)
def mark_all_notifications_read(actor, *, now=None):
    """Returns how many were unread."""
    require(perms.can_read_notifications(actor))
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return result.rowcount
