"""Reading notifications as a person would, in a language of the interface."""

import sqlalchemy as sa
from flask import current_app, g, url_for
from flask_babel import force_locale

from participation.core.i18n import FORMAT_LOCALES
from participation.core.notifications import Notification
from participation.extensions import db


def notifications_of(user, kind=None):
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return db.session.scalars(query.order_by(Notification.id)).all()


def read(notification, language):
    """(sentence as plain text, no-break spaces as spaces; link) as a page in `language` shows
    them."""
    with current_app.test_request_context(), force_locale(FORMAT_LOCALES[language]):
        g.lang_code = language
        text = notification.sentence().striptags().replace("\u00a0", " ")
        return text, notification.url()


def page_path(endpoint, **values):
    """The language-free path of a page, as notifications store it."""
    with current_app.test_request_context():
        return url_for(endpoint, lang_code="fr", **values).removeprefix("/fr")
