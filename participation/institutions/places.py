"""Choosing where: region → prefecture or province → commune, in any form that asks for it.

Each list shows only the places inside the one chosen above it, without JavaScript (a step button
submits the form to fill the next list, keeping what was typed) and at once with
static/js/places.js, which reads the same lists from institutions.views as JSON.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from participation.core.forms import choices
from participation.institutions.queries import (
    get_commune,
    list_communes,
    list_provinces,
    list_regions,
)


@dataclass
class Places:
    regions: list
    provinces: list = field(default_factory=list)
    communes: list = field(default_factory=list)


def list_places(region_id=None, province_id=None):
    """The regions, the provinces of `region_id` and the communes of `province_id` when that
    province is in that region."""
    regions = list_regions()
    provinces = list_provinces(region_id) if region_id else []
    communes = list_communes(province_id) if province_id in {p.id for p in provinces} else []
    return Places(regions, provinces, communes)


def set_place_choices(form, places, choose):
    """Fill the form's region_id, province_id and commune_id selects (those it has) from
    `places`. A value not in its list (the region above changed) stays for validation to
    refuse; the browser shows the list's first option instead."""
    for name, rows in (
        ("region_id", places.regions),
        ("province_id", places.provinces),
        ("commune_id", places.communes),
    ):
        select = getattr(form, name, None)
        if select is None:
            continue
        select.choices = choices([(0, choose)] + [(row.id, row.display_name()) for row in rows])


def commune_problem(province_id, commune_id, *, required):
    """Why this commune cannot be the one chosen in this province (a translated sentence), or
    None. `required`: whether a commune must be chosen at all."""
    if not commune_id:
        return _l("Choose your commune.") if required else None
    commune = get_commune(commune_id)
    if commune is None or commune.province_id != province_id:
        return _l("This commune is not in the prefecture or province you chose.")
    return None
