"""Who may do what with notifications. Anonymous users answer False."""

from participation.core.permissions import is_signed_in


def can_read_notification(user, notification):
    """Only the person told: another person's notification does not exist for them (404)."""
    return is_signed_in(user) and notification is not None and notification.user_id == user.id


def can_read_notifications(user):
    return is_signed_in(user)
