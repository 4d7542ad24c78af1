"""Services of the translators' desk: mark an entry reviewed, flag it, propose a text, and export
the proposals of one language as a catalog for the maintainers. Every change is audited."""

import io
import re

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from flask_babel import lazy_gettext as _l

from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.i18n import LANGUAGES
from participation.core.models import utcnow
from participation.core.permissions import guarded_by, require
from participation.extensions import db
from participation.translation_review import permissions as perms
from participation.translation_review.catalog import read_catalogs
from participation.translation_review.models import (
    NOTE_MAX_LENGTH,
    PROPOSAL_MAX_LENGTH,
    ReviewKind,
    TranslationReview,
)
from participation.translation_review.queries import list_current_proposals

# A conversion of Python's %-formatting: "%%", "%s", "%(name)s", "%(count)d", "%.2f"...
FORMAT_SPEC = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>.)?", re.S
)
CONVERSIONS = set("diouxXeEfFgGcrsa%")


def _language(entry, language):
    if language not in LANGUAGES or language not in entry.texts:
        raise DomainError(_l("Choose one of the options in the list."), code="unknown_language")
    return language


def _clean_note(note, *, required):
    note = (note or "").strip()
    if required and not note:
        raise DomainError(_l("Say what is wrong with this text."), code="note_required")
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(_l("This note is too long."), code="note_too_long")
    return note or None


def _format_specs(text):
    """(names, positional conversions) of a %-format string, or None when it is not one."""
    names, positional = set(), []
    for match in FORMAT_SPEC.finditer(text):
        conversion = match.group("conversion")
        if conversion not in CONVERSIONS:
            return None
        if conversion == "%":
            if match.group(0) != "%%":
                return None
            continue
        if match.group("name") is not None:
            names.add(match.group("name"))
        else:
            positional.append(conversion)
    if names and positional:
        return None
    return names, positional


def _check_placeholders(entry, forms):
    """A proposal keeps the placeholders of the message (msgfmt --check refuses the catalog
    otherwise): a singular text uses the msgid's exactly; each form of a plural entry uses some of
    those of the msgid and msgid_plural, and no other."""
    if not entry.python_format:
        return
    sources = [_format_specs(entry.msgid)]
    if entry.plural:
        sources.append(_format_specs(entry.msgid_plural))
    known_names = set().union(*(names for names, _positional in filter(None, sources)))
    positional = sources[0][1] if sources[0] else []
    for text in forms:
        specs = _format_specs(text)
        wrong = specs is None or not specs[0] <= known_names
        if not wrong and not entry.plural:
            wrong = specs[0] != known_names or specs[1] != positional
        if wrong:
            raise DomainError(
                _l(
                    "Keep the placeholders of the original text, written the same way (such as "
                    "%(example)s).",
                    example="%(count)s",
                ),
                code="placeholders",
            )


def _clean_forms(entry, language, texts):
    """One text per plural form of the language (one for an entry without plural), each with the
    msgid's leading and trailing line breaks."""
    expected = read_catalogs().plural_counts[language] if entry.plural else 1
    forms = [text.strip() if isinstance(text, str) else "" for text in (texts or [])]
    if len(forms) != expected or not all(forms):
        raise DomainError(_l("Write the text of every form."), code="forms_required")
    if any(len(text) > PROPOSAL_MAX_LENGTH for text in forms):
        raise DomainError(_l("This text is too long."), code="text_too_long")
    if any(ord(c) < 32 and c not in "\n\t" for text in forms for c in text):
        raise DomainError(
            _l("This field contains characters that are not allowed."), code="control_characters"
        )
    lead = "\n" if entry.msgid.startswith("\n") else ""
    tail = "\n" if entry.msgid.endswith("\n") else ""
    forms = [f"{lead}{text}{tail}" for text in forms]
    _check_placeholders(entry, forms)
    if tuple(forms) == entry.texts[language]:
        raise DomainError(
            _l("This is the text the catalog has already: mark it reviewed instead."),
            code="unchanged",
        )
    return forms


def _record(actor, entry, language, kind, *, note=None, proposal=None):
    review = TranslationReview(
        entry_key=entry.key,
        language=language,
        msgid=entry.msgid,
        msgctxt=entry.msgctxt,
        kind=kind.value,
        catalog_text=list(entry.texts[language]),
        proposal=proposal,
        note=note,
        author_id=actor.id,
    )
    db.session.add(review)
    db.session.flush()
    record_audit(
        actor,
        f"translation_review.{kind.value}",
        review,
        language=language,
        msgid=entry.msgid,
        msgctxt=entry.msgctxt,
        **({"proposal": proposal} if proposal is not None else {}),
    )
    return review


@guarded_by(perms.can_review_translations)
def mark_entry_reviewed(actor, entry, language):
    """The catalog's text of the entry in `language` is right as it stands."""
    require(perms.can_review_translations(actor))
    return _record(actor, entry, _language(entry, language), ReviewKind.REVIEWED)


@guarded_by(perms.can_review_translations)
def flag_entry(actor, entry, language, *, note):
    """The text is wrong or doubtful, for the reason the note gives."""
    require(perms.can_review_translations(actor))
    language = _language(entry, language)
    return _record(
        actor, entry, language, ReviewKind.FLAGGED, note=_clean_note(note, required=True)
    )


@guarded_by(perms.can_review_translations)
def propose_entry_text(actor, entry, language, *, texts, note=None):
    """A better text: `texts` holds one text per plural form of the language (one without)."""
    require(perms.can_review_translations(actor))
    language = _language(entry, language)
    return _record(
        actor,
        entry,
        language,
        ReviewKind.PROPOSED,
        proposal=_clean_forms(entry, language, texts),
        note=_clean_note(note, required=False),
    )


@guarded_by(perms.can_export_translation_proposals)
def export_proposals(actor, language):
    """The current proposals for `language` as a .po catalog (bytes) with the header of the
    language's catalog, for `msgfmt --check` and a merge with pybabel/msgcat. Audited."""
    require(perms.can_export_translation_proposals(actor))
    if language not in LANGUAGES:
        raise DomainError(_l("Choose one of the options in the list."), code="unknown_language")
    catalogs = read_catalogs()
    catalog = Catalog(locale=language, project="participation", fuzzy=False)
    catalog.mime_headers = [
        (name, value)
        for name, value in catalogs.headers.get(language, [])
        if name in ("Language", "Plural-Forms", "Content-Type", "Content-Transfer-Encoding")
    ]
    catalog.revision_date = utcnow()
    proposals = list_current_proposals(language)
    for entry, review in proposals:
        comments = [f"{review.author.display_name}, {review.created_at:%Y-%m-%d %H:%M} UTC"]
        if review.note:
            comments += review.note.splitlines()
        catalog.add(
            (entry.msgid, entry.msgid_plural) if entry.plural else entry.msgid,
            string=tuple(review.proposal) if entry.plural else review.proposal[0],
            context=entry.msgctxt or None,
            flags=("python-format",) if entry.python_format else (),
            user_comments=comments,
        )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, omit_header=False, sort_output=False)
    record_audit(
        actor, "translation_review.proposals_exported", language=language, count=len(proposals)
    )
    db.session.flush()
    return buffer.getvalue()
