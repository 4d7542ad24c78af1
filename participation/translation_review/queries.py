"""Read side of the translators' desk: the entries with their status per language, filtered and
paginated, the counts shown on the desk and on /stats, an entry's history, and the proposals that
the export writes.

The status of an entry in a language is the kind of its latest review row, as long as that row
was made on the text the catalog holds now; otherwise (no row, or the text changed since) the
entry is not reviewed. One query reads the latest row of every reviewed (entry, language).
"""

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.core.i18n import LANGUAGES
from participation.extensions import db
from participation.translation_review.catalog import (
    get_catalog_entry,
    list_catalog_entries,
    read_catalogs,
)
from participation.translation_review.models import ReviewStatus, TranslationReview

PER_PAGE = 25
COUNTED_STATUSES = (ReviewStatus.REVIEWED, ReviewStatus.FLAGGED, ReviewStatus.PROPOSED)


@dataclass(frozen=True)
class EntryRow:
    entry: object
    statuses: dict  # {language: ReviewStatus}


@dataclass(frozen=True)
class Page:
    """The page of a list, with the attributes templates/_pagination.html reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def _latest_reviews(*, language=None, kind=None):
    """{(entry key, language): latest TranslationReview row}."""
    latest = sa.select(sa.func.max(TranslationReview.id)).group_by(
        TranslationReview.entry_key, TranslationReview.language
    )
    if language is not None:
        latest = latest.where(TranslationReview.language == language)
    query = sa.select(TranslationReview).where(TranslationReview.id.in_(latest))
    if kind is not None:
        query = query.where(TranslationReview.kind == kind)
    return {(row.entry_key, row.language): row for row in db.session.scalars(query)}


def _status(entry, language, latest):
    row = latest.get((entry.key, language))
    if row is None or tuple(row.catalog_text) != entry.texts.get(language):
        return ReviewStatus.NOT_REVIEWED
    return ReviewStatus(row.kind)


def _statuses(entry, latest):
    return {language: _status(entry, language, latest) for language in LANGUAGES}


def _matches(entry, needle):
    haystack = [entry.msgid, entry.msgid_plural or "", entry.msgctxt]
    haystack += [text for texts in entry.texts.values() for text in texts]
    haystack += [location.path for location in entry.locations]
    return any(needle in text.casefold() for text in haystack)


def list_entries(*, language=None, status=None, search="", page=1, per_page=PER_PAGE):
    """A Page of EntryRow. `status` filters on the status in `language`, or in any language when
    no language is chosen; `search` looks in the msgid, context, texts and file names."""
    latest = _latest_reviews()
    needle = (search or "").strip().casefold()
    languages = (language,) if language else LANGUAGES
    rows = []
    for entry in list_catalog_entries():
        if needle and not _matches(entry, needle):
            continue
        statuses = _statuses(entry, latest)
        if status is not None and all(statuses[lang] != status for lang in languages):
            continue
        rows.append(EntryRow(entry=entry, statuses=statuses))
    first = (page - 1) * per_page
    return Page(items=rows[first : first + per_page], page=page, per_page=per_page, total=len(rows))


def get_entry(key):
    """An entry of the catalogs (with where it appears), or None."""
    return get_catalog_entry(key)


def get_entry_statuses(entry):
    return _statuses(entry, _latest_reviews())


def list_entry_reviews(entry):
    """The review rows of an entry, newest first, with their authors."""
    return db.session.scalars(
        sa.select(TranslationReview)
        .where(TranslationReview.entry_key == entry.key)
        .order_by(TranslationReview.id.desc())
        .options(selectinload(TranslationReview.author))
    ).all()


def count_review_statuses():
    """{language: {"total": entries, "reviewed": n, "flagged": n, "proposed": n}}: one query and
    the catalogs, which are read once per process and again only when a file changes."""
    latest = _latest_reviews()
    entries = read_catalogs().entries
    counts = {
        language: {"total": len(entries), **{status.value: 0 for status in COUNTED_STATUSES}}
        for language in LANGUAGES
    }
    by_key = {entry.key: entry for entry in entries}
    for (key, language), row in latest.items():
        entry = by_key.get(key)
        if entry is None or language not in counts:
            continue
        status = _status(entry, language, latest)
        if status in COUNTED_STATUSES:
            counts[language][status.value] += 1
    return counts


def list_current_proposals(language):
    """[(entry, TranslationReview)] of the entries whose status in `language` is "proposed", in
    the catalog's order: what the export writes."""
    latest = _latest_reviews(language=language, kind=ReviewStatus.PROPOSED.value)
    return [
        (entry, latest[(entry.key, language)])
        for entry in read_catalogs().entries
        if _status(entry, language, latest) == ReviewStatus.PROPOSED
    ]
