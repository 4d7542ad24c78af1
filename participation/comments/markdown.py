"""The small Markdown subset of comments, rendered and sanitised once, when a comment is written.

Markdown is rendered without its raw-HTML, image, heading, code and rule syntaxes, so anything
that looks like HTML is shown as text; bleach then keeps only the allow-listed tags, drops links
whose scheme is not http, https or mailto, and marks every link rel="nofollow ugc noopener".
Pages show the stored HTML as it is.
"""

import re
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markdown.extensions import Extension

from participation.core.errors import DomainError

ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class _CommentSubset(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        for pattern in ("html", "backtick", "image_link", "image_reference", "short_image_ref"):
            md.inlinePatterns.deregister(pattern)
        for processor in ("code", "hashheader", "setextheader", "hr"):
            md.parser.blockprocessors.deregister(processor)


def _link_attributes(attrs, new=False):
    """Links keep an absolute http, https or mailto address and get the rel; any other link
    (relative, or whose address bleach removed) becomes plain text."""
    scheme = SCHEME.match(attrs.get((None, "href"), ""))
    if scheme is None or scheme.group(1).lower() not in ALLOWED_PROTOCOLS:
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


def clean_source(source):
    """The text as it will be stored, or a DomainError saying why it cannot be accepted."""
    text = (source or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise DomainError(_l("Write something before sending."), code="empty")
    maximum = current_app.config["COMMENT_MAX_LENGTH"]
    if len(text) > maximum:
        raise DomainError(
            ngettext(
                "Your text is too long: use at most %(num)d character.",
                "Your text is too long: use at most %(num)d characters.",
                maximum,
            ),
            code="too_long",
        )
    return text


def render(source):
    """Sanitised HTML for a source already checked by clean_source()."""
    html = markdown.markdown(source, extensions=[_CommentSubset(), "nl2br", "sane_lists"])
    # A Cleaner is not safe to share between threads: one per call (comments are written rarely).
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(LinkifyFilter, callbacks=[_link_attributes], parse_email=False)],
    )
    return cleaner.clean(html)
