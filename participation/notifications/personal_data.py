"""Notifications in the download and at account deletion (core/personal_data.py;
docs/personal-data.md)."""

import sqlalchemy as sa

from participation.core.notifications import Notification
from participation.core.personal_data import (
    Erasure,
    iso,
    personal_data_eraser,
    personal_data_exporter,
    user_column,
)
from participation.extensions import db

user_column(
    "notifications.user_id",
    exported_in="notifications.received",
    erasure=Erasure.DELETED,
    why="they were written for the person alone and tell nobody else anything",
)


@personal_data_exporter("notifications")
def _export_notifications(user):
    notifications = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return {
        "received": [
            {
                "kind": notification.kind,
                "created_at": iso(notification.created_at),
                "read_at": iso(notification.read_at),
                "link": notification.link,
                "details": notification.params,
            }
            for notification in notifications
        ]
    }


@personal_data_eraser("notifications")
def _erase_notifications(user):
    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))
