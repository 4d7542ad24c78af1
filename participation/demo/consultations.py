"""Demo consultations in every state, in Arabic, French and Amazigh, with comments and one
published outcome report (used by `flask seed-demo`)."""

from datetime import timedelta

import sqlalchemy as sa

from participation.consultations.models import (
    Consultation,
    OutcomeReport,
    Question,
    Section,
    SectionOutcome,
    Topic,
)
from participation.core.urls import slugify
from participation.core.models import utcnow
from participation.extensions import db

ACCESS_TO_INFORMATION = {
    "title": {
        "ar": "مشروع مرسوم بتطبيق القانون المتعلق بالحق في الحصول على المعلومات",
        "fr": "Projet de décret d'application de la loi relative au droit d'accès à l'information",
        "zgh": "ⴰⵙⵏⴼⴰⵔ ⵏ ⵓⵙⵍⴳⵏ ⵅⴼ ⵓⵣⵔⴼ ⵏ ⵓⵎⵥⴰ ⵏ ⵉⵙⴰⵍⵍⴻⵏ",
    },
    "summary": {
        "ar": "يحدد هذا المشروع كيفيات تقديم طلبات الحصول على المعلومات وآجال الرد عليها.",
        "fr": "Ce projet fixe les modalités de dépôt des demandes d'accès à l'information et les délais de réponse.",
        "zgh": "ⴰⵙⵏⴼⴰⵔ ⴰⴷ ⵉⵙⵙⵏⵜⴰⵍ ⵜⵉⵖⴰⵔⴰⵙⵉⵏ ⵏ ⵓⵙⵙⵉⴷⴼ ⵏ ⵜⵓⵜⵜⵔⴰ.",
    },
    "sections": [
        (
            {"ar": "المادة 1: الموضوع", "fr": "Article 1 : Objet", "zgh": "ⴰⵎⴰⴳⵓ 1: ⴰⵙⵏⵜⵍ"},
            {
                "ar": "يحدد هذا المرسوم كيفيات تطبيق القانون رقم 31.13 المتعلق بالحق في الحصول على المعلومات.",
                "fr": "Le présent décret fixe les modalités d'application de la loi n° 31-13 relative au droit d'accès à l'information.",
            },
        ),
        (
            {
                "ar": "المادة 2: تقديم الطلب",
                "fr": "Article 2 : Dépôt de la demande",
                "zgh": "ⴰⵎⴰⴳⵓ 2: ⴰⵙⵙⵉⴷⴼ ⵏ ⵜⵓⵜⵜⵔⴰ",
            },
            {
                "ar": "يقدم الطلب عبر البوابة الإلكترونية أو مباشرة لدى الشخص المكلف.",
                "fr": "La demande est déposée sur le portail électronique ou directement auprès de la personne chargée.",
            },
        ),
        (
            {
                "ar": "المادة 3: آجال الرد",
                "fr": "Article 3 : Délais de réponse",
                "zgh": "ⴰⵎⴰⴳⵓ 3: ⵉⵣⵎⵣⴰⵏ ⵏ ⵜⵔⴰⵔⵉⵜ",
            },
            {
                "ar": "يتعين الرد على الطلب داخل أجل لا يتعدى عشرين يوما.",
                "fr": "Il est répondu à la demande dans un délai n'excédant pas vingt jours.",
            },
        ),
    ],
}

DIGITAL_INCLUSION = {
    "title": {
        "ar": "الاستراتيجية الوطنية للإدماج الرقمي 2030",
        "fr": "Stratégie nationale d'inclusion numérique 2030",
        "zgh": "ⵜⴰⵙⵜⵔⴰⵜⵉⵊⵉⵜ ⵜⴰⵏⴰⵎⵓⵔⵜ ⵏ ⵓⵙⴽⵛⵎ ⴰⵏⵓⵎⴰⵏ 2030",
    },
    "summary": {
        "ar": "تعبئة جميع الفاعلين لتمكين كل مواطن من الولوج إلى الخدمات الرقمية.",
        "fr": "Mobiliser tous les acteurs pour que chaque citoyen accède aux services numériques.",
    },
    "sections": [
        (
            {
                "ar": "المحور 1: الربط بالشبكة",
                "fr": "Axe 1 : Connectivité",
                "zgh": "ⴰⴳⵍⴰⵎ 1: ⴰⵣⴷⴰⵢ ⵙ ⵓⵥⵟⵟⴰ",
            },
            {
                "ar": "تعميم الولوج إلى الأنترنت ذي الصبيب العالي في العالم القروي.",
                "fr": "Généraliser l'accès à l'internet haut débit en milieu rural.",
            },
        ),
        (
            {
                "ar": "المحور 2: الكفايات الرقمية",
                "fr": "Axe 2 : Compétences numériques",
                "zgh": "ⴰⴳⵍⴰⵎ 2: ⵜⵉⵣⵎⵔⴰⵏ ⵜⵉⵏⵓⵎⴰⵏⵉⵏ",
            },
            {
                "ar": "تكوين مليون مواطن في المهارات الرقمية الأساسية.",
                "fr": "Former un million de citoyens aux compétences numériques de base.",
            },
        ),
    ],
}

WATER_PLAN = {
    "title": {
        "ar": "مخطط جهوي لتدبير الموارد المائية",
        "fr": "Plan régional de gestion des ressources en eau",
        "zgh": "ⴰⵖⴰⵡⴰⵙ ⴰⵏⴰⵎⵏⴰⴹ ⵏ ⵓⵙⵡⵓⴷⴷⵓ ⵏ ⵡⴰⵎⴰⵏ",
    },
    "summary": {
        "zgh": "ⴰⵖⴰⵡⴰⵙ ⴰⴷ ⵉⵙⵙⵏⵜⴰⵍ ⵉⵙⵓⵔⵉⴼⵏ ⵏ ⵓⵃⴹⴰⵕ ⵏ ⵡⴰⵎⴰⵏ.",
        "fr": "Ce plan fixe les mesures de préservation de l'eau dans la région.",
    },
    "sections": [
        (
            {"zgh": "ⴰⵎⴰⴳⵓ 1", "fr": "Article 1", "ar": "المادة 1"},
            {"zgh": "ⴰⵃⴹⴰⵕ ⵏ ⵡⴰⵎⴰⵏ ⵏ ⵓⵙⴰⵡⵏ.", "fr": "Préservation des nappes phréatiques."},
        ),
        (
            {"zgh": "ⴰⵎⴰⴳⵓ 2", "fr": "Article 2", "ar": "المادة 2"},
            {"zgh": "ⴰⵙⵙⵎⵔⵙ ⵏ ⵡⴰⵎⴰⵏ ⵉⵜⵜⵓⵙⴼⵔⴷⵏ.", "fr": "Réutilisation des eaux usées traitées."},
        ),
    ],
}

PUBLIC_SERVICE_CHARTER = {
    "title": {
        "ar": "ميثاق المرافق العمومية: النص التنظيمي",
        "fr": "Charte des services publics : texte réglementaire",
        "zgh": "ⴰⵙⵖⵍ ⵏ ⵜⵏⴰⴼⵓⵜⵉⵏ ⵜⵉⴳⴷⵓⴷⴰⵏⵉⵏ: ⴰⴹⵕⵉⵚ ⴰⵏⴰⵎⵓⵍ",
    },
    "summary": {"fr": "Brouillon interne, non encore publié."},
    "sections": [
        ({"fr": "Article 1", "ar": "المادة 1", "zgh": "ⴰⵎⴰⴳⵓ 1"}, {"fr": "Texte à compléter."}),
    ],
}


def _consultation(
    institution,
    spec,
    *,
    state,
    opens_at,
    closes_at,
    scope="national",
    region_id=None,
    topics=(),
    moderation="post",
):
    existing = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == slugify(spec["title"]["fr"]))
    )
    if existing is not None:
        return existing, False
    consultation = Consultation(
        institution_id=institution.id,
        title=spec["title"],
        summary=spec.get("summary", {}),
        body={},
        languages=" "
        + " ".join(lang for lang in ("ar", "fr", "zgh") if lang in spec["title"])
        + " ",
        slug=slugify(spec["title"]["fr"]),
        scope=scope,
        region_id=region_id,
        opens_at=opens_at,
        closes_at=closes_at,
        moderation_mode=moderation,
        state=state,
        opened_at=opens_at if state in ("open", "closed", "outcome_published") else None,
        closed_at=closes_at if state in ("closed", "outcome_published") else None,
        topics=list(db.session.scalars(sa.select(Topic).where(Topic.slug.in_(topics)))),
    )
    for position, (heading, body) in enumerate(spec["sections"], 1):
        consultation.sections.append(Section(position=position, heading=heading, body=body))
    consultation.refresh_search_text()
    db.session.add(consultation)
    db.session.flush()
    return consultation, True


def _comment(author, target_type, target_id, body, **kwargs):
    from participation.comments.services import post_comment
    from participation.comments.targets import resolve_target

    return post_comment(author, resolve_target(target_type, target_id), body=body, **kwargs)


def seed_consultations(*, ministry, regional_council, officer, citizens):
    now = utcnow()
    open_one, created = _consultation(
        ministry,
        ACCESS_TO_INFORMATION,
        state="open",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=25),
        topics=("public-administration", "digital"),
    )
    if created:
        amina, karim, fatima = citizens
        db.session.add_all(
            [
                Question(
                    consultation_id=open_one.id,
                    position=1,
                    kind="single",
                    required=True,
                    prompt={
                        "ar": "هل تؤيدون هذا المشروع؟",
                        "fr": "Soutenez-vous ce projet ?",
                        "zgh": "ⵉⵙ ⵜⵙⵎⵓⵏⴷ ⴰⵙⵏⴼⴰⵔ ⴰⴷ?",
                    },
                    options=[
                        {"ar": "نعم", "fr": "Oui", "zgh": "ⵢⴰⵀ"},
                        {"ar": "لا", "fr": "Non", "zgh": "ⵓⵀⵓ"},
                    ],
                ),
                Question(
                    consultation_id=open_one.id,
                    position=2,
                    kind="scale",
                    scale_min=1,
                    scale_max=5,
                    prompt={
                        "ar": "ما مدى وضوح النص؟",
                        "fr": "Le texte est-il clair ?",
                        "zgh": "ⵉⵙ ⵉⴼⴰⵡ ⵓⴹⵕⵉⵚ?",
                    },
                ),
            ]
        )
        first, second, third = open_one.sections
        c1 = _comment(
            amina,
            "section",
            first.id,
            "أقترح توضيح **نطاق تطبيق** المرسوم ليشمل الجماعات الترابية.",
            stance="agree",
        )
        _comment(
            karim,
            "section",
            first.id,
            "Je partage cet avis : les communes doivent être couvertes.",
            parent=c1,
        )
        _comment(
            officer,
            "section",
            first.id,
            "شكرا على اقتراحكم، سيتم أخذه بعين الاعتبار في الصيغة النهائية.",
            parent=c1,
        )
        _comment(
            fatima,
            "section",
            third.id,
            "Vingt jours, c'est trop long pour une demande simple. Dix jours suffiraient.",
            stance="disagree",
        )
        _comment(karim, "section", second.id, "ⵉⵍⴰⵇ ⴰⴷ ⵉⵍⵉ ⵓⵙⵙⵉⴷⴼ ⵙ ⵜⵎⴰⵣⵉⵖⵜ ⴷⴰⵖ.", stance="neutral")
        _comment(amina, "consultation", open_one.id, "مبادرة مهمة لتعزيز الشفافية.")

    # Comments are accepted only while a consultation is open: this one is seeded open, commented,
    # then moved to its real dates, closed 10 days ago with its outcome report published.
    closed_one, created = _consultation(
        ministry,
        DIGITAL_INCLUSION,
        state="open",
        opens_at=now - timedelta(days=60),
        closes_at=now + timedelta(days=1),
        topics=("digital", "youth"),
    )
    if created:
        amina, karim, fatima = citizens
        _comment(
            fatima,
            "section",
            closed_one.sections[0].id,
            "La couverture des zones de montagne doit être prioritaire.",
            stance="agree",
        )
        _comment(
            amina,
            "section",
            closed_one.sections[1].id,
            "يجب إشراك الجمعيات المحلية في التكوين.",
            stance="agree",
        )
        closed_one.closes_at = now - timedelta(days=10)
        closed_one.state = "outcome_published"
        closed_one.closed_at = closed_one.closes_at
        closed_one.outcome_published_at = now - timedelta(days=2)
        report = OutcomeReport(
            consultation_id=closed_one.id,
            summary={
                "ar": "توصلنا بـ 2 تعليقات. تم اعتماد أولوية المناطق الجبلية وإشراك الجمعيات.",
                "fr": "Nous avons reçu 2 commentaires. La priorité aux zones de montagne et l'implication des associations sont retenues.",
            },
            final_text_url="https://www.mmsp.gov.ma/",
            published_at=now - timedelta(days=2),
            published_by_id=officer.id,
        )
        report.sections = [
            SectionOutcome(
                section_id=closed_one.sections[0].id,
                decision="accepted",
                heard={"fr": "Priorité aux zones de montagne."},
                reasons={
                    "ar": "تم إدراج المناطق الجبلية في المرحلة الأولى.",
                    "fr": "Les zones de montagne sont intégrées à la première phase.",
                },
            ),
            SectionOutcome(
                section_id=closed_one.sections[1].id,
                decision="partly_accepted",
                heard={"ar": "إشراك الجمعيات المحلية."},
                reasons={"fr": "Les associations seront associées dans trois régions pilotes."},
            ),
        ]
        db.session.add(report)

    _consultation(
        regional_council,
        WATER_PLAN,
        state="scheduled",
        opens_at=now + timedelta(days=5),
        closes_at=now + timedelta(days=40),
        scope="region",
        region_id=regional_council.region_id,
        topics=("water", "environment"),
        moderation="pre",
    )
    _consultation(
        ministry,
        PUBLIC_SERVICE_CHARTER,
        state="draft",
        opens_at=now + timedelta(days=30),
        closes_at=now + timedelta(days=60),
    )
    db.session.flush()
