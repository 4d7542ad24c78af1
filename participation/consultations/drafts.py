"""Splitting a pasted draft text into sections by its headings (an officer adjusts afterwards)."""

import re

# A heading line: Markdown (#, ##, ...), or the words legal drafts start their parts with, in
# Arabic, French and Amazigh, followed by a number or an ordinal.
_HEADING = re.compile(
    r"""^\s*(?:
        \#{1,6}\s+\S.*
      | (?:article|art\.|chapitre|titre|section|partie)\s+[\w\u0600-\u06ff]+.*
      | (?:المادة|مادة|الفصل|الباب|القسم|الجزء|البند)\s+\S+.*
      | (?:ⴰⵎⴰⴳⵓ|ⴰⵙⵉⵜⵜⵉ|ⵜⴰⵙⵏⵜⵉⵍⵜ)\s+\S+.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def split_into_sections(text, max_sections=300):
    """[(heading or None, body)] in order. Text before the first heading comes with None."""
    sections = []
    heading, lines = None, []

    def flush():
        body = "\n".join(lines).strip()
        if heading is not None or body:
            sections.append((heading, body))

    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if _HEADING.match(line) and len(line.strip()) <= 200:
            flush()
            heading, lines = line.strip().lstrip("#").strip(), []
        else:
            lines.append(line)
    flush()
    return sections[:max_sections]
