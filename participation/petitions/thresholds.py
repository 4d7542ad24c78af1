"""How many signatures a petition needs, from its kind and, for territorial kinds, the
population of its territory. When the population is not known the answer says so instead of
guessing (an administrator can then enter it)."""

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from participation.petitions.models import Level


@dataclass(frozen=True)
class Threshold:
    signatures: int | None
    reason: object = None  # a translated explanation when `signatures` is None
    per_province_minimum: int | None = (
        None  # regional petitions: signatures each province must give
    )

    @property
    def known(self):
        return self.signatures is not None


def _by_population(brackets, population):
    for bracket in brackets:
        below = bracket.get("population_below")
        if below is None or population < below:
            return bracket["signatures"]
    return None


def required_signatures(kind, territory=None):
    """`territory`: the Region (regional kinds), Province (provincial) or Commune (communal; a
    communal council Institution for petitions drafted before communes were loaded) the
    petition is about; ignored for national kinds."""
    if (
        kind.level == Level.COMMUNE
        and territory is not None
        and territory.has_arrondissements
        and kind.signatures_with_arrondissements
    ):
        return Threshold(kind.signatures_with_arrondissements)
    if not kind.signatures_by_population:
        return _with_share(kind, kind.signatures_required, territory)
    if territory is None:
        return Threshold(
            None,
            _l("Choose the territory first: the number of signatures depends on its population."),
        )
    if territory.population is None:
        return Threshold(
            None,
            _l(
                "The population of this territory is not known yet, so the number of signatures cannot be computed. The platform team has been asked to enter it."
            ),
        )
    return _with_share(
        kind, _by_population(kind.signatures_by_population, territory.population), territory
    )


def _with_share(kind, signatures, territory):
    if signatures is None:
        return Threshold(None, _l("This kind of petition has no signature threshold configured."))
    share = kind.per_province_min_share
    minimum = math.ceil(round(signatures * share, 6)) if share else None
    return Threshold(signatures, per_province_minimum=minimum)
