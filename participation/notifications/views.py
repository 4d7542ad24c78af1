"""/<lang>/account/notifications: a person's notifications, and the header's unread count."""

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.core import policy
from participation.core.i18n import current_language
from participation.core.views import page_number, perform
from participation.notifications import queries, services
from participation.notifications.permissions import can_read_notification

bp = Blueprint("notifications", __name__, url_prefix="/<lang:lang_code>/account/notifications")


def _to_list(page=None):
    return redirect(
        url_for("notifications.index", lang_code=current_language(), page=page), code=303
    )


def _own_notification(notification_id):
    """The signed-in person's notification; someone else's is not found (404), like one that
    does not exist."""
    notification = queries.get_notification(notification_id)
    if not can_read_notification(current_user, notification):
        abort(404)
    return notification


@bp.route("")
@policy.authenticated
def index():
    pagination = queries.list_notifications(current_user.id, page=page_number())
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        unread=unread_notifications(),
    )


@bp.route("/<int:notification_id>")
@policy.authenticated
def open_notification(notification_id):
    """Follow a notification's link through the platform: it is read now. A GET (a plain link)
    that changes only the owner's own read mark."""
    notification = _own_notification(notification_id)
    perform(lambda: services.mark_notification_read(current_user, notification))
    target = notification.url()
    return redirect(target) if target else _to_list()


@bp.route("/<int:notification_id>/read", methods=["POST"])
@policy.authenticated
def mark_read(notification_id):
    """CSRF is checked for every POST before any view (participation/__init__.py)."""
    notification = _own_notification(notification_id)
    perform(
        lambda: services.mark_notification_read(current_user, notification),
        success=_("The notification is marked as read."),
    )
    page = page_number()
    return _to_list(page if page > 1 else None)


@bp.route("/read", methods=["POST"])
@policy.authenticated
def mark_all_read():
    perform(
        lambda: services.mark_all_notifications_read(current_user),
        success=_("All your notifications are marked as read."),
    )
    return _to_list()


def unread_notifications():
    """The signed-in person's unread count, counted once per request; None for anonymous
    visitors (no query: their pages are shared-cached)."""
    if not current_user.is_authenticated:
        return None
    if "unread_notifications" not in g:
        g.unread_notifications = queries.count_unread_notifications(current_user.id)
    return g.unread_notifications


@bp.app_context_processor
def _notification_helpers():
    return {"unread_notifications": unread_notifications}
