"""Automatic screening of new comments (SPEC §5).

Three rules, each switched on or off by administrators (ScreeningSettings): too many links, the
same text posted again within a few hours, and terms of the word lists. Screening never deletes
and never refuses: a comment that trips a rule is kept `pending`, even where comments are
published at once, with the rules that fired, and waits in the moderators' queue.

Word lists are matched on a normal form of the text that both the lists and the comments go
through, so that simple variations do not evade them:
- Arabic script: harakat, tatweel and other marks dropped, alef forms, hamza seats, alef maqsura
  and taa marbuta folded (core.search.normalise_text), Persian and Maghrebi letter shapes folded
  (ک ی ڭ ...), presentation forms decomposed (NFKC), common prefixes (و ف ب ل ال) tried off;
- Latin script: case and accents ignored, look-alike Cyrillic letters read as Latin, and in a word
  that mixes letters and digits, the digits of Darija written in Latin letters (3 ع, 7 ح, 9 ق,
  2 ء, 5 خ, 8 غ) and of "leet" spelling (0 o, 1 i, 4 a, @ a, $ s) read as letters;
- every script, Tifinagh included: letters repeated for emphasis count once ("nuuuul"), invisible
  characters (zero-width joiners, the Tifinagh joiner) are dropped, and words spelled out letter
  by letter ("c o n" or "c.o.n") are joined again.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from participation.comments import markdown
from participation.moderation.models import (
    PREMODERATION,
    CommentFingerprint,
    ItemKind,
    ModerationItem,
    ScreeningFlag,
    ScreeningRule,
    WordList,
)
from participation.moderation.queries import get_screening_settings
from participation.comments.models import CommentStatus
from participation.core.models import utcnow
from participation.core.search import normalise_text
from participation.extensions import db

_INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u2d7f]")
_SHAPES = str.maketrans(
    {
        "ک": "ك",
        "ڪ": "ك",
        "گ": "ك",
        "ڭ": "ك",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ہ": "ه",
        "ۀ": "ه",
        "ھ": "ه",
        "ۃ": "ه",
        "ٯ": "ق",
        "ڨ": "ق",
        "ڤ": "ف",
        "ٶ": "و",
        "ٸ": "ي",
        # Cyrillic letters that look Latin
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
    }
)
_DIGIT_LETTERS = {
    "2": "a",
    "3": "a",
    "5": "kh",
    "7": "h",
    "8": "gh",
    "9": "q",
    "0": "o",
    "1": "i",
    "4": "a",
    "@": "a",
    "$": "s",
}
_LATIN = re.compile("[a-z]")
_DIGITS_IN_WORD = re.compile("[0-9@$]")
_SEPARATORS = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"(.)\1+")
_ARABIC_PREFIXES = ("وال", "فال", "بال", "كال", "ال", "و", "ف", "ب", "ل")
_LATIN_PREFIXES = ("el", "l")
_ARABIC = re.compile("[\u0600-\u06ff]")
_TIFINAGH = re.compile("[\u2d30-\u2d7f]")
_MIN_STEM = 3


def _letters(word):
    """Darija and leet digits as letters, in a word that also has Latin letters."""
    if _LATIN.search(word) and _DIGITS_IN_WORD.search(word):
        return "".join(_DIGIT_LETTERS.get(char, char) for char in word)
    return word


def _join_spelled_out(tokens):
    """Runs of three or more one-letter tokens ("c o n n a r d") become one word again."""
    joined, run = [], []
    for token in tokens + [""]:
        if len(token) == 1:
            run.append(token)
            continue
        if len(run) >= 3:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if token:
            joined.append(token)
    return joined


def _squash(token):
    return _REPEATS.sub(r"\1", token)


def screening_words(text):
    """The text's words in the normal form the word lists are matched on, and the whitespace
    words with their inner punctuation removed ("con.nard"), for one-word terms."""
    text = normalise_text(_INVISIBLE.sub("", text or "")).translate(_SHAPES)
    tokens, glued = [], []
    for word in text.split(" "):
        word = _letters(word)
        parts = [part for part in _SEPARATORS.split(word) if part]
        tokens.extend(parts)
        if len(parts) > 1:
            glued.append(_squash("".join(parts)))
    return [_squash(token) for token in _join_spelled_out(tokens)], glued


def _stems(token):
    """The token and the token without a common prefix (Arabic و ف ب ل ال, Darija l/el)."""
    prefixes = _ARABIC_PREFIXES if _ARABIC.match(token) else _LATIN_PREFIXES
    yield token
    for prefix in prefixes:
        if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_STEM:
            yield token[len(prefix) :]


class WordMatcher:
    """Finds the first term of the word lists in a text."""

    def __init__(self, lists):
        self._by_first_word = {}
        for word_list, terms in lists.items():
            for term in terms:
                words = tuple(screening_words(term)[0])
                if words:
                    self._by_first_word.setdefault(words[0], []).append((words, word_list, term))

    def find(self, text):
        """(word list, term as listed) of the first match, or None."""
        tokens, glued = screening_words(text)
        for position, token in enumerate(tokens):
            for stem in _stems(token):
                for words, word_list, term in self._by_first_word.get(stem, ()):
                    if tuple(tokens[position + 1 : position + len(words)]) == words[1:]:
                        return word_list, term
        for word in glued:
            for stem in _stems(word):
                for words, word_list, term in self._by_first_word.get(stem, ()):
                    if len(words) == 1:
                        return word_list, term
        return None


def guess_language(text):
    """The script a text is mostly written in, as a queue filter: ar, zgh, fr (Latin) or None."""
    counts = {
        "ar": len(_ARABIC.findall(text or "")),
        "zgh": len(_TIFINAGH.findall(text or "")),
        "fr": len(re.findall("[A-Za-zÀ-ÿ]", text or "")),
    }
    language, count = max(counts.items(), key=lambda pair: pair[1])
    return language if count else None


def fingerprint(text):
    words, _glued = screening_words(text)
    normal = " ".join(words)
    return hashlib.sha256(normal.encode()).hexdigest(), len(normal)


@dataclass
class Screening:
    """What screening found in a text about to be posted; `record` keeps it with the comment."""

    flags: list = field(default_factory=list)  # [(ScreeningRule, details)]
    digest: str = ""
    language: str | None = None

    @property
    def holds(self):
        return bool(self.flags)

    def record(self, comment, target):
        """Keep the fingerprint and the rules that fired, and put a pending comment in the queue."""
        db.session.add(
            CommentFingerprint(
                comment_id=comment.id, digest=self.digest, created_at=comment.created_at
            )
        )
        for rule, details in self.flags:
            db.session.add(ScreeningFlag(comment_id=comment.id, rule=rule.value, details=details))
        if comment.status == CommentStatus.PENDING:
            ModerationItem.open_for(
                comment,
                kind=ItemKind.PENDING,
                reason=self.flags[0][0].value if self.flags else PREMODERATION,
                institution_id=target.institution_id,
                language=self.language,
            )
        db.session.flush()

    def record_edit(self, comment, target, now):
        """After an edit: the fingerprint follows the new text, the rules that fired are kept, and
        the comment's open queue item (a new pending one if none) is returned when a rule fired."""
        fingerprint = db.session.get(CommentFingerprint, comment.id)
        if fingerprint is None:
            db.session.add(
                CommentFingerprint(comment_id=comment.id, digest=self.digest, created_at=now)
            )
        else:
            fingerprint.digest, fingerprint.created_at = self.digest, now
        for rule, details in self.flags:
            db.session.add(
                ScreeningFlag(
                    comment_id=comment.id,
                    rule=rule.value,
                    details={**details, "edit": True},
                    created_at=now,
                )
            )
        db.session.flush()
        if not self.holds:
            return None
        return ModerationItem.open_for(
            comment,
            kind=ItemKind.PENDING,
            reason=self.flags[0][0].value,
            institution_id=target.institution_id if target is not None else None,
            language=self.language,
        )


def _count_links(source):
    return markdown.render(source).count("<a ")


def _copies(digest, since, exclude_comment_id=None):
    query = (
        sa.select(sa.func.count())
        .select_from(CommentFingerprint)
        .where(CommentFingerprint.digest == digest, CommentFingerprint.created_at >= since)
    )
    if exclude_comment_id is not None:
        query = query.where(CommentFingerprint.comment_id != exclude_comment_id)
    return db.session.scalar(query)


def screen_comment(source, *, official=False, now=None, comment_id=None):
    """Screen the text of a new comment, or the new text of comment `comment_id` (already checked
    by markdown.clean_source). Official answers of institutions are not screened: they are staff,
    and their answers are audited."""
    settings = get_screening_settings()
    digest, length = fingerprint(source)
    screening = Screening(digest=digest, language=guess_language(source))
    if official:
        return screening
    if settings.check_links:
        links = _count_links(source)
        if links > settings.max_links:
            screening.flags.append(
                (ScreeningRule.LINKS, {"links": links, "limit": settings.max_links})
            )
    if settings.check_repeats and length >= settings.repeat_min_length:
        copies = _copies(
            digest, (now or utcnow()) - timedelta(hours=settings.repeat_window_hours), comment_id
        )
        if copies:
            screening.flags.append(
                (
                    ScreeningRule.REPEATED_TEXT,
                    {"copies": copies, "hours": settings.repeat_window_hours},
                )
            )
    if settings.check_words:
        found = WordMatcher(
            {word_list.value: settings.terms(word_list.value) for word_list in WordList}
        ).find(source)
        if found:
            screening.flags.append((ScreeningRule.WORD_LIST, {"list": found[0], "term": found[1]}))
    return screening
