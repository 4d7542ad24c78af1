"""Loading the petition and motion kinds from the project's copy of petition_rules.json.

The data file carries the legal figures (in English, with sources); the names, addressees and
admissibility grounds shown to people are written here in Arabic and French. Amazigh texts are
left for a native translator: the interface falls back to French for them (as for region names).
"""

import json
from importlib import resources

import sqlalchemy as sa

from participation.core.permissions import SYSTEM, guarded_by
from participation.extensions import db
from participation.institutions.models import Institution, InstitutionKind
from participation.petitions.models import PetitionKind

NAMES = {
    "petition_head_of_government": (
        {"ar": "عريضة إلى رئيس الحكومة", "fr": "Pétition au Chef du gouvernement"},
        {"ar": "رئيس الحكومة", "fr": "Chef du gouvernement"},
    ),
    "petition_house_of_representatives": (
        {
            "ar": "عريضة إلى رئيس مجلس النواب",
            "fr": "Pétition au Président de la Chambre des représentants",
        },
        {"ar": "رئيس مجلس النواب", "fr": "Président de la Chambre des représentants"},
    ),
    "petition_house_of_councillors": (
        {
            "ar": "عريضة إلى رئيس مجلس المستشارين",
            "fr": "Pétition au Président de la Chambre des conseillers",
        },
        {"ar": "رئيس مجلس المستشارين", "fr": "Président de la Chambre des conseillers"},
    ),
    "legislative_motion_house_of_representatives": (
        {
            "ar": "ملتمس في مجال التشريع إلى مجلس النواب",
            "fr": "Motion législative à la Chambre des représentants",
        },
        {"ar": "مكتب مجلس النواب", "fr": "Bureau de la Chambre des représentants"},
    ),
    "legislative_motion_house_of_councillors": (
        {
            "ar": "ملتمس في مجال التشريع إلى مجلس المستشارين",
            "fr": "Motion législative à la Chambre des conseillers",
        },
        {"ar": "مكتب مجلس المستشارين", "fr": "Bureau de la Chambre des conseillers"},
    ),
    "regional_petition": (
        {"ar": "عريضة إلى مجلس الجهة", "fr": "Pétition au conseil régional"},
        {"ar": "رئيس مجلس الجهة", "fr": "Président du conseil régional"},
    ),
    "provincial_petition": (
        {
            "ar": "عريضة إلى مجلس العمالة أو الإقليم",
            "fr": "Pétition au conseil préfectoral ou provincial",
        },
        {
            "ar": "رئيس مجلس العمالة أو الإقليم",
            "fr": "Président du conseil préfectoral ou provincial",
        },
    ),
    "communal_petition": (
        {"ar": "عريضة إلى مجلس الجماعة", "fr": "Pétition au conseil communal"},
        {"ar": "رئيس مجلس الجماعة", "fr": "Président du conseil communal"},
    ),
}

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

PETITION_GROUNDS = [
    (
        "general_interest",
        "condition",
        "تهدف إلى تحقيق المصلحة العامة",
        "Poursuit l'intérêt général",
    ),
    ("lawful_demands", "condition", "مطالبها مشروعة", "Demandes licites"),
    ("clear_wording", "condition", "محررة بشكل واضح", "Rédaction claire"),
    (
        "memorandum",
        "condition",
        "مرفقة بمذكرة مفصلة تبين الأسباب والأهداف",
        "Mémoire détaillé (motifs et objectifs)",
    ),
    ("support_list", "condition", "مرفقة بلائحة التوقيعات", "Liste des soutiens jointe"),
    ("single_addressee", "condition", "موجهة إلى سلطة واحدة فقط", "Adressée à une seule autorité"),
    (
        "constants",
        "at_deposit",
        "تمس بالثوابت الجامعة للأمة",
        "Porte atteinte aux constantes fédératrices de la nation",
    ),
    (
        "security",
        "at_deposit",
        "تتعلق بالأمن الداخلي أو الدفاع الوطني أو الأمن الخارجي",
        "Concerne la sécurité intérieure, la défense nationale ou la sécurité extérieure",
    ),
    (
        "courts",
        "at_deposit",
        "تتعلق بقضايا معروضة على القضاء أو صدر فيها حكم",
        "Concerne des affaires pendantes devant la justice ou jugées",
    ),
    (
        "inquiry",
        "at_deposit",
        "تتعلق بوقائع تكون موضوع لجنة نيابية لتقصي الحقائق",
        "Concerne des faits objet d'une commission d'enquête parlementaire",
    ),
    (
        "public_services",
        "after_study",
        "تمس بمبدأ استمرارية المرافق العمومية والمساواة في الولوج إليها",
        "Porte atteinte à la continuité des services publics ou à l'égal accès",
    ),
    (
        "partisan",
        "after_study",
        "ذات طابع نقابي أو حزبي ضيق",
        "A un caractère syndical ou partisan étroit",
    ),
    ("discriminatory", "after_study", "ذات طابع تمييزي", "Est discriminatoire"),
    (
        "defamation",
        "after_study",
        "تتضمن سبا أو قذفا أو تشهيرا أو تضليلا أو إساءة للمؤسسات أو الأشخاص",
        "Contient injure, diffamation, calomnie, contenu trompeur ou offense aux institutions ou aux personnes",
    ),
]

MOTION_GROUNDS = [
    ("law_domain", "condition", "يندرج في مجال القانون", "Relève du domaine de la loi"),
    (
        "general_interest",
        "condition",
        "يهدف إلى تحقيق المصلحة العامة",
        "Poursuit l'intérêt général",
    ),
    (
        "clear_wording",
        "condition",
        "محرر على شكل مقترحات أو توصيات واضحة",
        "Rédigée clairement sous forme de propositions ou recommandations",
    ),
    (
        "memorandum",
        "condition",
        "مرفق بمذكرة مفصلة تبين الأسباب والأهداف وملخص الاختيارات",
        "Mémoire détaillé : motifs, objectifs et résumé des options",
    ),
    ("support_list", "condition", "مرفق بلائحة التوقيعات", "Liste des soutiens jointe"),
    (
        "single_bureau",
        "condition",
        "غير موجه إلى مكتبي المجلسين معا",
        "Non adressée aux deux Bureaux",
    ),
    ("constants", "at_deposit", "يمس بالثوابت الجامعة للأمة", "Touche aux constantes de la nation"),
    (
        "constitution",
        "at_deposit",
        "يتعلق بمراجعة الدستور أو بالقوانين التنظيمية أو العفو العام أو النصوص العسكرية",
        "Concerne la révision de la Constitution, les lois organiques, l'amnistie générale ou les textes militaires",
    ),
    (
        "security",
        "at_deposit",
        "يتعلق بالأمن الداخلي أو الخارجي أو الدفاع الوطني",
        "Concerne la sécurité intérieure ou extérieure ou la défense nationale",
    ),
    (
        "conventions",
        "at_deposit",
        "يتعارض مع الاتفاقيات الدولية المصادق عليها",
        "Contraire aux conventions internationales ratifiées",
    ),
]


def _grounds(rows):
    return [
        {"code": code, "stage": stage, "label": {"ar": ar, "fr": fr}}
        for code, stage, ar, fr in rows
    ]


def _rules():
    with (
        resources.files("participation.data")
        .joinpath("petition_rules.json")
        .open(encoding="utf-8") as handle
    ):
        return json.load(handle)["kinds"]


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
    edits. National kinds are linked to their addressee institution when it exists."""
    existing = {kind.key: kind for kind in db.session.scalars(sa.select(PetitionKind))}
    added = 0
    for rule in _rules():
        category, level, institution_kind = SHAPES[rule["key"]]
        kind = existing.get(rule["key"])
        if kind is None:
            name, addressee = NAMES[rule["key"]]
            kind = PetitionKind(
                key=rule["key"],
                category=category,
                level=level,
                name=name,
                addressee=addressee,
                law=rule["law"],
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
                grounds=_grounds(MOTION_GROUNDS if category == "motion" else PETITION_GROUNDS),
                legal_status=rule.get("status", "verified"),
                note=rule.get("note"),
            )
            db.session.add(kind)
            added += 1
        if kind.institution_id is None:
            institution = _addressee_institution(institution_kind, level)
            kind.institution_id = institution.id if institution else None
    db.session.flush()
    return added
