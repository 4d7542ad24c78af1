"""Model base pieces: the constraint naming convention, UTC timestamps, translatable text."""

from datetime import datetime, timedelta, timezone

from flask import current_app

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    SQLite has no time zones, so values are stored naive-UTC and given tzinfo back on load;
    PostgreSQL stores timestamptz. Naive datetimes are refused so local times cannot sneak in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)


def as_utc(moment):
    """An aware UTC moment. A naive one is UTC, as stored: SQLite returns naive values, and so
    does any database for aggregates (min, max) of these columns that bypass this type."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def clean_translations(mapping):
    """Keep the interface languages' non-empty texts, stripped: {"ar": " x ", "fr": ""} -> {"ar": "x"}."""
    from participation.core.i18n import LANGUAGES

    return {
        lang: text.strip()
        for lang, text in (mapping or {}).items()
        if lang in LANGUAGES and text and text.strip()
    }


class TranslatedFields:
    """Models whose fields are {lang: text} mappings read them with text(field)."""

    def text(self, field, language=None):
        """(text, language shown) for a translatable field, falling back to another language."""
        from participation.core.i18n import current_language

        return translated(getattr(self, field), language or current_language())


def translated(values, language, fallback_order=("ar", "fr", "zgh")):
    """Pick the text for `language` from a {lang: text} mapping, falling back to another language.

    Returns (text, language_used) so a page can say when it shows another language.
    """
    values = values or {}
    if values.get(language):
        return values[language], language
    order = ("fr", "ar") if language == "zgh" else fallback_order
    for other in order:
        if values.get(other):
            return values[other], other
    return "", None


class TimedLock:
    """Someone's hold on something to decide (locked_by_id, locked_until), so that two people
    (moderators) do not decide it twice; it lapses at locked_until."""

    def locked_by_other(self, user, now=None):
        return (
            self.locked_by_id is not None
            and self.locked_by_id != user.id
            and self.locked_until > (now or utcnow())
        )

    def held_by(self, user, now=None):
        return (
            self.locked_by_id == user.id
            and self.locked_until is not None
            and self.locked_until > (now or utcnow())
        )


def lock_expiry(now):
    """When a TimedLock taken now lapses."""
    return now + timedelta(minutes=current_app.config["MODERATION_LOCK_MINUTES"])


def refresh_for_update(obj):
    """Read the row again under a write lock (PostgreSQL; SQLite's write transactions are
    already serial), so that two people never act on a stale state."""
    from participation.extensions import db

    # OF the object's own table: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    # joins that eagerly loaded relationships add.
    db.session.refresh(obj, with_for_update={"of": type(obj)})
    return obj
