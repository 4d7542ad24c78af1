"""The default topic tags officers choose from (administrators may add more later)."""

import sqlalchemy as sa

from participation.consultations.models import Topic
from participation.core.permissions import SYSTEM, guarded_by
from participation.extensions import db

DEFAULT_TOPICS = {
    "education": {"ar": "التعليم", "fr": "Éducation", "zgh": "ⴰⵙⴳⵎⵉ"},
    "health": {"ar": "الصحة", "fr": "Santé", "zgh": "ⵜⴰⴷⵓⵙⵉ"},
    "environment": {"ar": "البيئة", "fr": "Environnement", "zgh": "ⵜⴰⵡⵏⵏⴰⴹⵜ"},
    "digital": {"ar": "الرقمنة", "fr": "Numérique", "zgh": "ⴰⵏⵓⵎⴰⵏ"},
    "economy": {"ar": "الاقتصاد", "fr": "Économie", "zgh": "ⵜⴰⴷⴰⵎⵙⴰ"},
    "justice": {"ar": "العدالة", "fr": "Justice", "zgh": "ⵜⴰⵏⵣⵣⴰⵔⵜ"},
    "culture": {"ar": "الثقافة", "fr": "Culture", "zgh": "ⵜⴰⴷⵍⵙⴰ"},
    "employment": {"ar": "الشغل", "fr": "Emploi", "zgh": "ⵜⴰⵡⵓⵔⵉ"},
    "transport": {"ar": "النقل", "fr": "Transport", "zgh": "ⴰⵙⵎⴰⴷⴰ"},
    "water": {"ar": "الماء", "fr": "Eau", "zgh": "ⴰⵎⴰⵏ"},
    "agriculture": {"ar": "الفلاحة", "fr": "Agriculture", "zgh": "ⵜⴰⴼⵍⵍⴰⵃⵜ"},
    "youth": {"ar": "الشباب", "fr": "Jeunesse", "zgh": "ⵉⵏⵎⵥⵢⴰⵏ"},
    "public-administration": {
        "ar": "الإدارة العمومية",
        "fr": "Administration publique",
        "zgh": "ⵜⴰⵏⴱⴱⴰⴹⵜ ⵜⴰⴳⴷⵓⴷⴰⵏⵜ",
    },
}


@guarded_by(SYSTEM)
def load_default_topics():
    existing = set(db.session.scalars(sa.select(Topic.slug)))
    added = [
        Topic(slug=slug, name=names)
        for slug, names in DEFAULT_TOPICS.items()
        if slug not in existing
    ]
    db.session.add_all(added)
    db.session.flush()
    return len(added)
