"""What a thread of comments hangs on, described by the area that owns it.

The comments component knows nothing about consultations or petitions. Each area registers a
resolver for its target types (`register_target_type("section", resolve_section)`); the resolver
turns an id into a CommentTarget that answers every question the component asks: the title and
page of the thread, whether it is open, how it is moderated, whether stances are asked for, whose
officers answer officially, and who may read it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from participation.core.i18n import LANGUAGES

TARGET_TYPE = re.compile(r"[a-z][a-z_]{0,39}")  # stored in comments.target_type, String(40)
MODERATION_MODES = ("pre", "post")


@dataclass(frozen=True, kw_only=True)
class CommentTarget:
    target_type: str
    target_id: int
    title: str  # in the reader's language, or marked with its own (core.i18n.user_text)
    url: str  # path of the page that shows the thread, in the reader's language
    accepts_comments: bool  # open for new comments, replies and votes now
    is_visible_to: Callable  # is_visible_to(user) -> bool: who may read the thread
    moderation_mode: str = "post"  # "pre": new comments wait for a moderator
    allows_stance: bool = False  # agree / disagree / neutral on the comments that start a thread
    institution_id: int | None = None  # officers of this institution answer officially

    def __post_init__(self):
        if self.moderation_mode not in MODERATION_MODES:
            raise ValueError(
                f"moderation_mode must be one of {MODERATION_MODES}, not {self.moderation_mode!r}"
            )

    @property
    def pre_moderated(self):
        return self.moderation_mode == "pre"

    def holds(self, comment):
        return comment.target_type == self.target_type and comment.target_id == self.target_id

    def link(self, *, comment_id=None, page=1, order=None, language=None, anchor=None):
        """The thread's page at `page` (in another interface language when asked), scrolled to a
        comment or to `anchor`."""
        parts = urlsplit(self.url)
        path = parts.path
        if language is not None:
            segments = path.split("/")
            if len(segments) > 1 and segments[1] in LANGUAGES:
                segments[1] = language
                path = "/".join(segments)
        query = [
            (key, value) for key, value in parse_qsl(parts.query) if key not in {"page", "order"}
        ]
        if page > 1:
            query.append(("page", str(page)))
        if order:
            query.append(("order", order))
        fragment = f"comment-{comment_id}" if comment_id is not None else (anchor or parts.fragment)
        return urlunsplit(("", "", path, urlencode(query), fragment))


_resolvers = {}


def register_target_type(name, resolver):
    """Declare a kind of target; `resolver(target_id)` returns a CommentTarget or None.

    Registering a name again replaces its resolver (create_app may run more than once)."""
    if not TARGET_TYPE.fullmatch(name):
        raise ValueError(
            f"invalid comment target type {name!r}: lower-case letters and _, at most 40"
        )
    _resolvers[name] = resolver


def resolve_target(target_type, target_id):
    """The target, or None when the type is unknown or the object does not exist."""
    resolver = _resolvers.get(target_type)
    return resolver(target_id) if resolver is not None else None


def target_of(comment):
    return resolve_target(comment.target_type, comment.target_id)
