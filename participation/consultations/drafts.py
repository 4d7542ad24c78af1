"""Splitting a pasted draft text into sections by its headings (an officer adjusts afterwards)."""

import difflib
import re
from dataclasses import dataclass

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


# The number that identifies a part across languages: "Article 3", "المادة 3", "ⴰⵎⴰⴳⵓ 3",
# "Chapitre III", "المادة الثالثة" and "## 3. Objet" all say 3. The word before it is left out on
# purpose: Moroccan texts call an article "الفصل" (the Constitution, the codes) where the French
# says "Article", and "الفصل" is also a chapter; the sequence of numbers, aligned, tells the rest.
_ARABIC_ORDINALS = {
    "الأول": 1,
    "الأولى": 1,
    "الثاني": 2,
    "الثانية": 2,
    "الثالث": 3,
    "الثالثة": 3,
    "الرابع": 4,
    "الرابعة": 4,
    "الخامس": 5,
    "الخامسة": 5,
    "السادس": 6,
    "السادسة": 6,
    "السابع": 7,
    "السابعة": 7,
    "الثامن": 8,
    "الثامنة": 8,
    "التاسع": 9,
    "التاسعة": 9,
    "العاشر": 10,
    "العاشرة": 10,
}
_FRENCH_FIRST = {"premier", "première", "premiere", "1er", "1re", "1ère", "ier"}  # "Titre Ier"
_ROMAN = re.compile(r"^[IVXLC]+$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# "Article 7 bis", "المادة 7 مكررة": a second article 7, not the seventh.
_REPEATED = {"bis", "مكرر", "مكررة", "المكرر", "المكررة"}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_WORD = re.compile(r"[\w.]+")


def _roman(word):
    values = [_ROMAN_VALUES[c] for c in word]
    return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0], strict=True))


def _number(word):
    word = word.strip(".").translate(_DIGITS)
    if word.isdigit():
        return int(word)
    if word.lower() in _FRENCH_FIRST:
        return 1
    if word in _ARABIC_ORDINALS:
        return _ARABIC_ORDINALS[word]
    if _ROMAN.match(word):
        return _roman(word)
    return None


def heading_number(heading):
    """(number, repeated) read from the first words of a heading, or None when it has none."""
    words = _WORD.findall((heading or "").lstrip("#").strip())[:3]
    for index, word in enumerate(words):
        number = _number(word)
        if number is not None:
            following = words[index + 1] if index + 1 < len(words) else ""
            return number, following.lower() in _REPEATED
    return None


@dataclass
class Alignment:
    """Pairs (section index, part index), and what is left on either side."""

    pairs: list
    sections_without_part: list
    parts_without_section: list


_UNKNOWN = object()


def align_parts(section_numbers, part_numbers):
    """Match a text's parts to existing sections, in order and by their headings' numbers, so that a
    part missing or added in one language moves none of the others. Where a side has no number to
    compare (a preamble, a heading in words), the order alone decides."""
    left = [_UNKNOWN if n is None else n for n in section_numbers]
    right = [_UNKNOWN if n is None else n for n in part_numbers]
    result = Alignment([], [], [])
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        sections, parts = list(range(i1, i2)), list(range(j1, j2))
        if tag == "equal":
            result.pairs.extend(zip(sections, parts, strict=True))
            continue
        for i, j in zip(sections, parts, strict=False):
            if left[i] is _UNKNOWN or right[j] is _UNKNOWN:
                result.pairs.append((i, j))
            else:
                result.sections_without_part.append(i)
                result.parts_without_section.append(j)
        result.sections_without_part.extend(sections[len(parts) :])
        result.parts_without_section.extend(parts[len(sections) :])
    result.pairs.sort()
    result.sections_without_part.sort()
    result.parts_without_section.sort()
    return result
