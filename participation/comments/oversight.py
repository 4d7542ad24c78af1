"""Who oversees comments, as the comments component sees it: one registered overseer.

The component knows nothing of moderation. The area that oversees comments (the moderators'
desk) registers an Overseer when the app starts, the way host areas register comment targets in
targets.py, and the component calls its hooks: screen a comment about to be written or just
edited, tell a reader what they reported and why their own comment is withheld, and name the
partials that show those notices and the report form. With none registered (the component on its
own), every comment passes, readers see no notices and nobody can report.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Passed:
    """A screening that found nothing: the comment is written as its target's mode says."""

    holds: bool = False

    def record(self, comment, target):
        """Nothing to keep."""


@dataclass
class ReaderNotes:
    """For one page of a thread: the comment ids the reader reported, and, for the reader's own
    withheld comments, a notice (whatever the overseer's notice partial expects)."""

    reported: set = field(default_factory=set)
    notices: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Overseer:
    # screen_new(source, official=bool) -> an object with `.holds` and `.record(comment, target)`
    screen_new: Callable = lambda source, *, official: Passed()
    # screen_edit(actor, comment): after the author's edit is written (may hold the comment again)
    screen_edit: Callable = lambda actor, comment: None
    # reader_notes(reader, comments) -> ReaderNotes
    reader_notes: Callable = lambda reader, comments: ReaderNotes()
    # busy() -> a number to show when readers should expect slow publication, else None
    busy: Callable = lambda: None
    accepts_reports: bool = False
    notice_template: str | None = None  # shows node.notice on the author's own withheld comment
    report_template: str | None = None  # the report form under a comment


_UNSUPERVISED = Overseer()
_registered = {"overseer": _UNSUPERVISED}


def register_overseer(overseer):
    _registered["overseer"] = overseer


def current_overseer():
    return _registered["overseer"]
