"""Institutions and territories: creation, edits, census populations, loading regions.json."""

import json
from dataclasses import dataclass
from importlib import resources

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.permissions import SYSTEM, guarded_by, require
from participation.extensions import db
from participation.institutions import permissions as perms
from participation.institutions.communes import read_communes
from participation.institutions.models import (
    TERRITORIAL_KINDS,
    Commune,
    Institution,
    InstitutionKind,
    Province,
    Region,
)


def _clean_names(names):
    cleaned = {lang: (text or "").strip() for lang, text in names.items() if (text or "").strip()}
    if not cleaned:
        raise DomainError(_l("Give the name in at least one language."), code="name_required")
    return cleaned


def _check_territory(kind, region, province, commune):
    if InstitutionKind(kind) in TERRITORIAL_KINDS and region is None:
        raise DomainError(_l("A council must be linked to its region."), code="region_required")
    if province is not None and region is not None and province.region_id != region.id:
        raise DomainError(
            _l("This prefecture or province is not in the region you chose."),
            code="province_mismatch",
        )
    if commune is not None and (province is None or commune.province_id != province.id):
        raise DomainError(
            _l("This commune is not in the prefecture or province you chose."),
            code="commune_mismatch",
        )


def _apply(
    institution,
    *,
    kind,
    names,
    acronym,
    website,
    region,
    province,
    active,
    population=None,
    has_arrondissements=False,
    commune=None,
):
    _check_territory(kind, region, province, commune)
    if population is not None and population < 0:
        raise DomainError(_l("A population cannot be negative."), code="negative_population")
    institution.population = population
    institution.has_arrondissements = bool(has_arrondissements)
    institution.kind = InstitutionKind(kind).value
    institution.name = _clean_names(names)
    institution.acronym = (acronym or "").strip() or None
    institution.website = (website or "").strip() or None
    institution.region_id = region.id if region else None
    institution.province_id = province.id if province else None
    institution.commune_id = commune.id if commune else None
    institution.active = active


@guarded_by(perms.can_manage_institutions)
def create_institution(
    actor,
    *,
    kind,
    names,
    acronym=None,
    website=None,
    region=None,
    province=None,
    population=None,
    has_arrondissements=False,
    commune=None,
):
    require(perms.can_manage_institutions(actor))
    institution = Institution()
    _apply(
        institution,
        kind=kind,
        names=names,
        acronym=acronym,
        website=website,
        region=region,
        province=province,
        active=True,
        population=population,
        has_arrondissements=has_arrondissements,
        commune=commune,
    )
    db.session.add(institution)
    db.session.flush()
    record_audit(
        actor, "institution.created", institution, name=institution.name, kind=institution.kind
    )
    return institution


@guarded_by(perms.can_manage_institutions)
def update_institution(
    actor,
    institution,
    *,
    kind,
    names,
    acronym=None,
    website=None,
    region=None,
    province=None,
    active=True,
    population=None,
    has_arrondissements=False,
    commune=None,
):
    require(perms.can_manage_institutions(actor))
    before = {
        "name": institution.name,
        "kind": institution.kind,
        "active": institution.active,
        "population": institution.population,
    }
    _apply(
        institution,
        kind=kind,
        names=names,
        acronym=acronym,
        website=website,
        region=region,
        province=province,
        active=active,
        population=population,
        has_arrondissements=has_arrondissements,
        commune=commune,
    )
    db.session.flush()
    record_audit(
        actor,
        "institution.updated",
        institution,
        before=before,
        after={
            "name": institution.name,
            "kind": institution.kind,
            "active": institution.active,
            "population": institution.population,
        },
    )
    return institution


@guarded_by(perms.can_edit_population)
def set_population(actor, territory, *, population, year=None):
    """Set a region's or province's census population (None when unknown)."""
    require(perms.can_edit_population(actor))
    if population is not None and population < 0:
        raise DomainError(_l("A population cannot be negative."), code="negative_population")
    before = territory.population
    territory.population = population
    territory.population_year = year if population is not None else None
    db.session.flush()
    record_audit(
        actor, "territory.population_set", territory, before=before, after=population, year=year
    )


def _regions_data():
    with (
        resources.files("participation.data")
        .joinpath("regions.json")
        .open(encoding="utf-8") as handle
    ):
        return json.load(handle)["regions"]


def _names(item, prefix="name"):
    return {
        lang: item[f"{prefix}_{lang}"]
        for lang in ("ar", "fr", "zgh")
        if item.get(f"{prefix}_{lang}")
    }


def _gain_missing_languages(current, names):
    """The stored names with the languages they lack taken from the data file; a name an
    administrator changed is kept."""
    return {**names, **{lang: text for lang, text in (current or {}).items() if text}}


@guarded_by(SYSTEM)
def load_territories():
    """Insert the 12 regions and 75 prefectures/provinces; existing rows keep their edits.

    Returns the number of rows added. Names come from the data file (ar, fr and zgh); an existing
    row only gains the languages it lacks (the Tifinagh names came after the first load).
    Populations are only filled where the file has one and an administrator has not set it.
    """
    added = 0
    existing_regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    existing_provinces = {p.iso_code: p for p in db.session.scalars(sa.select(Province))}
    for item in _regions_data():
        region = existing_regions.get(item["code"])
        if region is None:
            region = Region(
                code=item["code"],
                iso_code=item["iso_3166_2"],
                name=_names(item),
                capital=_names(item, "capital"),
                population=item.get("population_2024"),
                population_year=2024 if item.get("population_2024") else None,
            )
            db.session.add(region)
            db.session.flush()
            added += 1
        else:
            region.name = _gain_missing_languages(region.name, _names(item))
            region.capital = _gain_missing_languages(region.capital, _names(item, "capital"))
        for sub in item["prefectures_provinces"]:
            province = existing_provinces.get(sub["iso_3166_2"])
            if province is not None:
                province.name = _gain_missing_languages(province.name, _names(sub))
                continue
            db.session.add(
                Province(
                    region_id=region.id,
                    iso_code=sub["iso_3166_2"],
                    kind=sub["type_iso"],
                    name=_names(sub),
                )
            )
            added += 1
    db.session.flush()
    return added


@dataclass(frozen=True)
class CommuneImport:
    added: int
    updated: int
    unchanged: int


def _commune_values(line, province_ids):
    return {
        "province_id": province_ids[line.province],
        "kind": line.kind,
        "name": line.names,
        "population": line.population,
        "population_year": line.population_year,
        "has_arrondissements": line.has_arrondissements,
    }


def _province_ids():
    return dict(db.session.execute(sa.select(Province.iso_code, Province.id)).all())


@guarded_by(SYSTEM)
def import_communes(text, *, dry_run=False):
    """Insert or update the communes of a CSV file (institutions/communes.py documents it), by
    code: the file is authoritative for every column it has. A file with any invalid line changes
    nothing (CommuneFileRefused lists the problems). With `dry_run` nothing is written either; the
    answer counts what would change."""
    province_ids = _province_ids()
    lines = read_communes(text, set(province_ids))
    existing = {c.code: c for c in db.session.scalars(sa.select(Commune))}
    added = updated = unchanged = 0
    new_rows = []
    for line in lines:
        values = _commune_values(line, province_ids)
        commune = existing.get(line.code)
        if commune is None:
            added += 1
            new_rows.append({"code": line.code, **values})
            continue
        if all(getattr(commune, key) == value for key, value in values.items()):
            unchanged += 1
            continue
        updated += 1
        if not dry_run:
            for key, value in values.items():
                setattr(commune, key, value)
    if not dry_run:
        if new_rows:
            db.session.execute(sa.insert(Commune), new_rows)
        db.session.flush()
        record_audit(None, "communes.imported", added=added, updated=updated, unchanged=unchanged)
    return CommuneImport(added, updated, unchanged)


def _shipped_communes():
    return resources.files("participation.data").joinpath("communes.csv").read_text("utf-8")


@guarded_by(SYSTEM)
def load_communes():
    """Insert the communes of the shipped communes.csv that are missing (the provinces must be
    loaded first); existing communes keep their edits and an import's figures. Returns the
    number added."""
    province_ids = _province_ids()
    known = set(db.session.scalars(sa.select(Commune.code)))
    rows = [
        {"code": line.code, **_commune_values(line, province_ids)}
        for line in read_communes(_shipped_communes(), set(province_ids))
        if line.code not in known
    ]
    if rows:
        db.session.execute(sa.insert(Commune), rows)
        db.session.flush()
    return len(rows)
