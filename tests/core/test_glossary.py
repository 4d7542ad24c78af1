"""The catalogs use the glossary's terms (docs/glossary.md), not their known variants."""

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = json.loads((ROOT / "docs" / "glossary.json").read_text(encoding="utf-8"))["variants"]
LANGUAGES = ["ar", "fr", "zgh"]


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _whole(phrase):
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)


def test_every_variant_points_at_a_term_of_the_glossary():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    unknown = [v["term"] for v in VARIANTS if v["term"] not in glossary]
    assert unknown == []
    assert {v["lang"] for v in VARIANTS} == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_uses_the_glossary_terms(lang):
    variants = [
        (_whole(v["variant"]), re.compile(v["when"], re.IGNORECASE) if "when" in v else None, v)
        for v in VARIANTS
        if v["lang"] == lang
    ]
    flagged = []
    for message in _catalog(lang):
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else " ".join(message.id)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        texts = [re.sub(r"%\(\w+\)[sd]", "", text) for text in texts]
        for pattern, when, variant in variants:
            if when is not None and not when.search(english):
                continue
            if any(pattern.search(text) for text in texts):
                flagged.append(f"{english[:60]!r}: {variant['variant']} -> {variant['term']}")
    assert flagged == []
