"""The project's copy of the 2018–2020 action plan (participation/data/ogp_commitments_2018_2020.json):
Arabic titles as in the plan, French and Amazigh titles and theme names written for the platform."""

import json
from functools import cache
from importlib import resources

from participation.core.i18n import LANGUAGES
from participation.core.models import translated

PLAN_FILE = "ogp_commitments_2018_2020.json"


@cache
def read_plan():
    with resources.files("participation.data").joinpath(PLAN_FILE).open(encoding="utf-8") as handle:
        return json.load(handle)


def _by_language(item, field):
    return {lang: item[f"{field}_{lang}"] for lang in LANGUAGES if item.get(f"{field}_{lang}")}


def plan_commitments():
    """[{"number": 1, "theme": "access_to_information", "title": {"ar": ..., "fr": ..., "zgh": ...}}, ...]"""
    return [
        {"number": c["number"], "theme": c["theme"], "title": _by_language(c, "title")}
        for c in read_plan()["commitments"]
    ]


def theme_names():
    """{theme key: {lang: name}}"""
    return {theme["key"]: _by_language(theme, "name") for theme in read_plan()["themes"]}


def theme_name(key, language):
    return translated(theme_names().get(key), language)[0] or key
