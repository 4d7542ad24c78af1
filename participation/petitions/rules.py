"""Loading the petition and motion kinds from the project's copy of petition_rules.json.

The data file carries the legal figures with their sources, and every text shown to people (name,
addressee, legal basis, staff note, admissibility grounds) as an {"ar", "fr", "zgh"} mapping. Each
kind names its set of grounds: the national petitions of OL 44.14, the motions of OL 64.14, and
one set per territorial law (111.14, 112.14, 113.14), whose councils check other conditions.
"""

import json
from importlib import resources

import sqlalchemy as sa

from participation.core.permissions import SYSTEM, guarded_by
from participation.extensions import db
from participation.institutions.models import Institution, InstitutionKind
from participation.petitions.models import PetitionKind

# kind key -> (category, level, institution kind)
SHAPES = {
    "petition_head_of_government": ("petition", "national", InstitutionKind.HEAD_OF_GOVERNMENT),
    "petition_house_of_representatives": (
        "petition",
        "national",
        InstitutionKind.HOUSE_OF_REPRESENTATIVES,
    ),
    "petition_house_of_councillors": ("petition", "national", InstitutionKind.HOUSE_OF_COUNCILLORS),
    "legislative_motion_house_of_representatives": (
        "motion",
        "national",
        InstitutionKind.HOUSE_OF_REPRESENTATIVES,
    ),
    "legislative_motion_house_of_councillors": (
        "motion",
        "national",
        InstitutionKind.HOUSE_OF_COUNCILLORS,
    ),
    "regional_petition": ("petition", "region", InstitutionKind.REGIONAL_COUNCIL),
    "provincial_petition": ("petition", "province", InstitutionKind.PROVINCIAL_COUNCIL),
    "communal_petition": ("petition", "commune", InstitutionKind.COMMUNAL_COUNCIL),
}


def _data():
    with (
        resources.files("participation.data")
        .joinpath("petition_rules.json")
        .open(encoding="utf-8") as handle
    ):
        return json.load(handle)


def kind_grounds(rule, grounds):
    """The admissibility checklist a kind gets: its set of grounds, without the sources (kept in
    the data file and LEGAL.md)."""
    return [
        {"code": g["code"], "stage": g["stage"], "label": dict(g["label"])}
        for g in grounds[rule["grounds"]]
    ]


def _gain_missing_languages(current, texts):
    """Stored texts keep what an administrator wrote; the languages they lack come from the file."""
    return {**(texts or {}), **{lang: text for lang, text in (current or {}).items() if text}}


def _national_codes(grounds):
    return {g["code"] for g in grounds["petition_44_14"]}


def _bring_up_to_date(kind, rule, grounds):
    """A kind loaded by an earlier version gains the languages it lacks, and a territorial kind
    still checked against the 44.14 grounds (the old default) gets the grounds of its own law."""
    kind.name = _gain_missing_languages(kind.name, rule["name"])
    kind.addressee = _gain_missing_languages(kind.addressee, rule["addressee"])
    kind.law = _gain_missing_languages(kind.law, rule["law"])
    if rule.get("note"):
        kind.note = _gain_missing_languages(kind.note, rule["note"])
    defaults = {g["code"]: g for g in kind_grounds(rule, grounds)}
    current_codes = {g["code"] for g in kind.grounds}
    if kind.level != "national" and current_codes == _national_codes(grounds):
        kind.grounds = list(defaults.values())
        return
    kind.grounds = [
        {
            **ground,
            "label": _gain_missing_languages(
                ground.get("label"), defaults.get(ground["code"], {}).get("label")
            ),
        }
        for ground in kind.grounds
    ]


def _addressee_institution(institution_kind, level):
    if level != "national":
        return None
    return db.session.scalar(
        sa.select(Institution)
        .where(Institution.kind == institution_kind.value, Institution.active)
        .order_by(Institution.id)
    )


@guarded_by(SYSTEM)
def load_petition_kinds():
    """Insert the kinds of the data file that are missing; existing kinds keep administrators'
    edits and only gain what the file added since (see _bring_up_to_date). National kinds are
    linked to their addressee institution when it exists."""
    data = _data()
    existing = {kind.key: kind for kind in db.session.scalars(sa.select(PetitionKind))}
    added = 0
    for rule in data["kinds"]:
        category, level, institution_kind = SHAPES[rule["key"]]
        kind = existing.get(rule["key"])
        if kind is None:
            kind = PetitionKind(
                key=rule["key"],
                category=category,
                level=level,
                name=dict(rule["name"]),
                addressee=dict(rule["addressee"]),
                law=dict(rule["law"]),
                institution_kind=institution_kind.value,
                signatures_required=rule.get("signatures_required"),
                signatures_by_population=rule.get("signatures_required_by_population"),
                signatures_with_arrondissements=rule.get(
                    "signatures_required_with_arrondissements"
                ),
                per_province_min_share=rule.get("per_province_min_share"),
                min_committee_members=rule.get("min_committee_members") or 1,
                min_committee_regions=rule.get("min_committee_regions"),
                deadlines_days=rule.get("deadlines_days") or {},
                rejection_notice_months=rule.get("rejection_notice_months"),
                associations_may_petition=bool(rule.get("associations_may_petition")),
                appeal_allowed=rule.get("appeal", True) is not False,
                grounds=kind_grounds(rule, data["grounds"]),
                legal_status=rule.get("status", "verified"),
                note=dict(rule["note"]) if rule.get("note") else None,
            )
            db.session.add(kind)
            added += 1
        else:
            _bring_up_to_date(kind, rule, data["grounds"])
        if kind.institution_id is None:
            institution = _addressee_institution(institution_kind, level)
            kind.institution_id = institution.id if institution else None
    db.session.flush()
    return added
