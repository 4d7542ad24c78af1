"""Notifications: what the platform tells a person on its own pages ("my notifications").

Whatever is e-mailed to a person about their participation (a reply or an official answer to
their comment, a consultation they follow, each step of a petition they started, signed or
follow, a moderation decision on their content) is also written here, next to `queue_mail`, in
the same transaction. Unlike the e-mail, a notification is not rendered when it is written: a row
holds its kind, the parameters of its sentence (texts as {language: text} mappings) and a link
without its language part, and the sentence and the link are made in the reader's language when
the page is shown, in whatever language they read it that day.

The kernel knows no area: each area declares its kinds with `notification_kind(name, render)`,
`render(params)` giving the sentence in the current language (Markup).
"""

from collections.abc import Callable

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup, escape

from participation.core.i18n import LANGUAGES, current_language, in_language
from participation.core.models import UTCDateTime, translated, utcnow
from participation.extensions import db

KIND_LENGTH = 40
LINK_LENGTH = 500


class Notification(db.Model):
    __tablename__ = "notifications"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    kind = sa.Column(sa.String(KIND_LENGTH), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    read_at = sa.Column(UTCDateTime, nullable=True)
    # A path on the site without its language part ("/petitions/3/water#steps"), or none.
    link = sa.Column(sa.String(LINK_LENGTH), nullable=True)
    params = sa.Column(sa.JSON, nullable=False, default=dict)

    # "Unread of a user" (the header's count) and "newest of a user" (the page) by one index.
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    @property
    def is_read(self):
        return self.read_at is not None

    def sentence(self):
        """What happened, in the current language."""
        kind = _kinds.get(self.kind)
        if kind is None:
            return ""
        return kind(self.params or {})

    def url(self, language=None):
        """The link in `language` (the current one by default), or None."""
        if not self.link:
            return None
        return f"/{language or current_language()}{self.link}"


_kinds: dict[str, Callable] = {}


def notification_kind(name, render):
    """Declare a kind; `render(params)` returns its sentence in the current language. Declaring
    a name again replaces it (modules may be imported again by tests)."""
    if not name or len(name) > KIND_LENGTH:
        raise ValueError(f"invalid notification kind {name!r}")
    _kinds[name] = render
    return name


def declared_kinds():
    return frozenset(_kinds)


def language_free(path):
    """A site path without its leading language segment: "/fr/petitions/3" -> "/petitions/3"."""
    if not path:
        return None
    segments = path.split("/")
    if len(segments) > 1 and segments[1] in LANGUAGES:
        del segments[1]
    return "/".join(segments) or "/"


def link_to(endpoint, **values):
    """The language-free link of a page of the site (for `notify`'s `link`)."""
    return language_free(url_for(endpoint, lang_code=LANGUAGES[0], **values))


def all_languages(text_for):
    """{language: text_for(language)} for every interface language: a name or label the reader
    will read in their own language."""
    return {language: text_for(language) for language in LANGUAGES}


def _row(user_id, kind, link, params, now):
    if kind not in _kinds:
        raise ValueError(f"undeclared notification kind {kind!r}")
    return {"user_id": user_id, "kind": kind, "link": link, "params": params, "created_at": now}


def notify(user, kind, *, link=None, **params):
    """Tell one person; called next to queue_mail, in the same transaction."""
    notify_many([user.id], kind, link=link, **params)


def notify_many(user_ids, kind, *, link=None, **params):
    """Tell several people the same thing with one statement (an executemany): signers of a
    petition may be a hundred thousand. The caller has chosen who is told."""
    now = utcnow()
    rows = [_row(user_id, kind, link, params, now) for user_id in dict.fromkeys(user_ids)]
    if rows:
        db.session.execute(sa.insert(Notification), rows)


def sentence(message, **values):
    """A translated sentence (gettext called without values) with its values escaped: texts
    people wrote keep their own language marks (core.i18n.in_language)."""
    return Markup(escape(message)) % values


def text_in_reader_language(values):
    """One of a {language: text} mapping, in the reader's language or marked with its own."""
    if isinstance(values, str):
        return escape(values)
    return in_language(*translated(values, current_language()))


def titled(message):
    """The render of a kind whose sentence names its object by the `title` parameter, a
    {language: text} mapping; `message()` gives the translated sentence with `%(title)s`."""
    return lambda params: sentence(message(), title=text_in_reader_language(params["title"]))
