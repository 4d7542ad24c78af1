"""Demo petitions for `flask seed-demo`, one in every state: open for signatures (with a committee
and some signatures), awaiting review, rejected, expired, withdrawn, deposited with its clocks
running, declared inadmissible, answered, and a motion still in draft. Petitions that reached the
Head of Government's threshold (4,000) get synthetic signatories (no accounts, fictitious names and
CIN numbers), so the counts, the regional breakdown and the addressee's export are realistic."""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from participation.core.crypto import encrypt, keyed_hash
from participation.core.models import utcnow
from participation.demo.accounts import ensure_citizen
from participation.extensions import db
from participation.institutions.models import Province
from participation.petitions import processing, services, signing
from participation.petitions.models import Petition, PetitionKind, Signature, SignatureCounter

MEMBERS = [
    ("ilham", "Ilham Bennani", "ar"),
    ("yassine", "Yassine Alaoui", "fr"),
    ("khadija", "Khadija Amrani", "ar"),
    ("omar", "Omar Idrissi", "zgh"),
]

OPEN_PETITION = services.PetitionData(
    title={
        "ar": "من أجل مكتبات عمومية مفتوحة في المساء",
        "fr": "Pour des bibliothèques publiques ouvertes le soir",
        "zgh": "ⵖⴼ ⵜⵙⴷⵍⵉⵙⵉⵏ ⵉⵕⵥⵎⵏ ⴳ ⵓⵎⵓⴷⴷⵓ",
    },
    demands={
        "ar": "تمديد ساعات فتح المكتبات العمومية إلى الساعة التاسعة ليلا.",
        "fr": "Prolonger l'ouverture des bibliothèques publiques jusqu'à 21 heures.",
    },
    memorandum={
        "ar": "يحتاج الطلبة والعاملون إلى فضاءات للقراءة بعد ساعات العمل.",
        "fr": "Étudiants et salariés ont besoin de lieux de lecture après le travail.",
    },
)

MOTION = services.PetitionData(
    title={
        "ar": "ملتمس تشريعي حول الحق في الولوج إلى البيانات المفتوحة",
        "fr": "Motion législative sur le droit aux données ouvertes",
    },
    demands={"fr": "Inscrire dans la loi la publication des données publiques en format ouvert."},
    memorandum={"fr": "L'accès aux données renforce la transparence."},
)


def _petition(title_ar, title_fr, title_zgh=None):
    title = {"ar": title_ar, "fr": title_fr}
    if title_zgh:
        title["zgh"] = title_zgh
    return services.PetitionData(
        title=title,
        demands={
            "ar": "نطالب بـ" + title_ar + ".",
            "fr": "Nous demandons : " + title_fr[0].lower() + title_fr[1:] + ".",
        },
        memorandum={
            "ar": "مذكرة توضح الأسباب والأهداف.",
            "fr": "Un mémoire qui expose les raisons et les objectifs.",
        },
    )


SUBMITTED = _petition(
    "تعميم النقل المدرسي في العالم القروي",
    "Généraliser le transport scolaire en milieu rural",
    "ⴰⵙⵎⴰⵜⴰ ⵏ ⵓⵙⵎⵓⵜⵜⵉ ⵏ ⵉⵏⵍⵎⴰⴷⵏ ⴳ ⵉⴳⵔⴰⵏ",
)
REJECTED = _petition(
    "إلغاء حكم قضائي في قضية معروضة على المحاكم",
    "Annuler un jugement dans une affaire pendante",
    "ⴰⵙⵔⵜⵜⵉ ⵏ ⵢⴰⵏ ⵓⵙⵖⵜⵙ ⵏ ⵓⵏⵣⴰⵡ ⴳ ⵢⴰⵜ ⵜⵎⵙⴰⵍⵜ ⵓⵔ ⵉⵜⵜⵓⴼⵙⵙⵔⵏ",
)
EXPIRED = _petition(
    "إحداث مسبح بلدي في كل عمالة",
    "Une piscine municipale dans chaque préfecture",
    "ⵢⴰⵏ ⵓⵎⴰⵏ ⴰⵏⴰⵎⵙⴽⴰⵔ ⴳ ⴽⵓ ⵜⴰⵎⵉⵔⵉⵜ",
)
WITHDRAWN = _petition(
    "تمديد ساعات عمل المراكز الصحية",
    "Prolonger les horaires des centres de santé",
    "ⴰⵙⵖⵣⴼ ⵏ ⵜⵙⵔⴰⴳⵉⵏ ⵏ ⵡⴰⵎⵎⴰⵙⵏ ⵏ ⵜⴷⵓⵙⵉ",
)
DEPOSITED = _petition(
    "نشر المعطيات العمومية للصفقات بصيغة مفتوحة",
    "Publier les données des marchés publics en format ouvert",
    "ⴰⵙⵙⵓⴼⵖ ⵏ ⵉⵙⵎⵉⵍⵏ ⵏ ⵜⵙⵖⴰⵡⵉⵏ ⵜⵉⴳⴷⵓⴷⴰⵏⵉⵏ",
)
INADMISSIBLE = _petition(
    "دعم البرنامج الانتخابي لحزب سياسي",
    "Soutenir le programme électoral d'un parti politique",
    "ⴰⵙⵏⴰⴷ ⵏ ⵓⵖⴰⵡⴰⵙ ⵏ ⵜⴼⵔⴰⵏⵜ ⵏ ⵢⴰⵏ ⵓⴽⴰⴱⴰⵔ ⴰⵙⵔⵜⴰⵏ",
)
ANSWERED = _petition(
    "إدماج الأمازيغية في الخدمات الرقمية للإدارة",
    "Intégrer l'amazighe aux services numériques de l'administration",
    "ⴰⵙⴽⵛⵎ ⵏ ⵜⵎⴰⵣⵉⵖⵜ ⴳ ⵜⵏⴰⴼⵓⵜⵉⵏ ⵜⵉⵏⵓⵎⴰⵏⵉⵏ",
)

FIRST_NAMES = [
    "Mohamed",
    "Fatima",
    "Ahmed",
    "Khadija",
    "Youssef",
    "Aicha",
    "Said",
    "Naima",
    "Hamid",
    "Zineb",
]
LAST_NAMES = [
    "Alami",
    "Bennani",
    "Tazi",
    "Fassi",
    "Berrada",
    "Ouazzani",
    "Chraibi",
    "Amrani",
    "Idrissi",
    "Naciri",
]


def _synthetic_signatures(petition, count, provinces, start, end, seed):
    """Fictitious signatories for a demo petition: rows and counters as signing writes them."""
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    rows, counters = [], {}
    shards = 16
    for i in range(count):
        province = provinces[rng.randrange(len(provinces))]
        cin = f"DZ{seed:02d}{i:05d}"
        shard = i % shards
        rows.append(
            dict(
                petition_id=petition.id,
                user_id=None,
                cin_hash=keyed_hash(cin),
                cin_encrypted=encrypt(cin),
                cin_expiry=date(2031, 1, 1),
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                address="Adresse de démonstration",
                region_id=province.region_id,
                province_id=province.id,
                status="counted",
                shard=shard,
                created_at=start + timedelta(seconds=rng.random() * span),
            )
        )
        key = (province.id, province.region_id, shard)
        counters[key] = counters.get(key, 0) + 1
    db.session.execute(sa.insert(Signature), rows)
    # A demo petition gets its signatories in one go, so each counter row is new: plain inserts.
    db.session.execute(
        sa.insert(SignatureCounter),
        [
            dict(
                petition_id=petition.id,
                province_key=province_id,
                region_key=region_id,
                shard=shard,
                count=total,
                updated_at=end,
            )
            for (province_id, region_id, shard), total in counters.items()
        ],
    )


def _submitted(initiator, members, kind, data, now):
    petition = services.create_petition(initiator, kind, data)
    for member in members:
        services.accept_invitation(
            member, services.invite_member(initiator, petition, email=member.email)
        )
    own = next(m for m in petition.members if m.user_id == initiator.id)
    services.name_agent_and_deputy(initiator, petition, agent=own, deputy=petition.members[1])
    services.submit_petition(initiator, petition, now=now)
    return petition


def _conditions(kind):
    return [g["code"] for g in kind.grounds if g["stage"] == "condition"]


def _step(officer, petition, kind, day, text, **values):
    data = processing.StepData(kind=kind, occurred_on=day, text=text, **values)
    processing.record_step(officer, petition, data)


def _deposited(initiator, members, moderator, kind, data, provinces, *, days_ago, seed):
    now = utcnow()
    published = now - timedelta(days=days_ago + 60)
    petition = _submitted(initiator, members, kind, data, published - timedelta(days=3))
    services.publish_petition(moderator, petition, checked=_conditions(kind), now=published)
    deposit = now - timedelta(days=days_ago)
    _synthetic_signatures(
        petition,
        petition.signatures_required,
        provinces,
        published,
        deposit - timedelta(days=1),
        seed,
    )
    services.deposit_petition(initiator, petition, now=deposit)
    return petition, deposit.date()


def seed_petitions(*, initiator, moderator, officer, extra_signers):
    if db.session.scalar(sa.select(Petition.id).limit(1)) is not None:
        return
    provinces = db.session.scalars(sa.select(Province).order_by(Province.iso_code)).all()
    members = [
        ensure_citizen(local, name, language, provinces[i * 11], f"DM{100001 + i}")
        for i, (local, name, language) in enumerate(MEMBERS)
    ]
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    now = utcnow()

    petition = _submitted(initiator, members, kind, OPEN_PETITION, now)
    services.publish_petition(moderator, petition, checked=_conditions(kind))
    for signer in members + extra_signers:
        if signer.identity is not None:
            signing.sign_petition(signer, petition, consent=True, ip="demo")

    _submitted(initiator, members, kind, SUBMITTED, now)

    rejected = _submitted(initiator, members, kind, REJECTED, now - timedelta(days=20))
    services.reject_petition(
        moderator,
        rejected,
        ground="courts",
        explanation="Les pétitions ne peuvent porter sur une affaire pendante devant la justice.",
        now=now - timedelta(days=18),
    )

    expired = _submitted(initiator, members, kind, EXPIRED, now - timedelta(days=400))
    services.publish_petition(
        moderator, expired, checked=_conditions(kind), now=now - timedelta(days=398)
    )
    _synthetic_signatures(
        expired, 1200, provinces, now - timedelta(days=398), now - timedelta(days=40), seed=1
    )
    signing.expire_due_petitions(now=now)

    withdrawn = _submitted(initiator, members, kind, WITHDRAWN, now - timedelta(days=50))
    services.publish_petition(
        moderator, withdrawn, checked=_conditions(kind), now=now - timedelta(days=48)
    )
    services.withdraw_petition(
        initiator,
        withdrawn,
        reason="Le ministère a annoncé la mesure demandée.",
        now=now - timedelta(days=10),
    )

    # With the Head of Government: receipt recorded, the referral clock overdue.
    deposited, day = _deposited(
        initiator, members, moderator, kind, DEPOSITED, provinces, days_ago=20, seed=2
    )
    _step(
        officer,
        deposited,
        "receipt",
        day + timedelta(days=1),
        {"fr": "Reçue par le bureau d'ordre.", "ar": "توصل بها مكتب الضبط."},
    )

    inadmissible, day = _deposited(
        initiator, members, moderator, kind, INADMISSIBLE, provinces, days_ago=90, seed=3
    )
    _step(officer, inadmissible, "receipt", day + timedelta(days=1), {"fr": "Reçue."})
    _step(
        officer,
        inadmissible,
        "referral",
        day + timedelta(days=10),
        {"fr": "Renvoyée à la commission des pétitions."},
    )
    _step(
        officer,
        inadmissible,
        "opinion",
        day + timedelta(days=60),
        {"fr": "La commission estime que la demande relève d'une loi organique."},
    )
    _step(
        officer,
        inadmissible,
        "decision",
        day + timedelta(days=75),
        {
            "fr": "La pétition a un caractère partisan : elle ne peut être reçue.",
            "ar": "للعريضة طابع حزبي، لذا لا يمكن قبولها.",
        },
        admissible=False,
        ground="partisan",
    )

    answered, day = _deposited(
        initiator, members, moderator, kind, ANSWERED, provinces, days_ago=120, seed=4
    )
    _step(officer, answered, "receipt", day + timedelta(days=2), {"fr": "Reçue."})
    _step(
        officer,
        answered,
        "referral",
        day + timedelta(days=12),
        {"fr": "Renvoyée à la commission des pétitions."},
    )
    _step(
        officer,
        answered,
        "opinion",
        day + timedelta(days=65),
        {"fr": "Avis favorable de la commission."},
    )
    _step(
        officer,
        answered,
        "decision",
        day + timedelta(days=80),
        {"fr": "La pétition est recevable."},
        admissible=True,
    )
    _step(
        officer,
        answered,
        "answer",
        day + timedelta(days=110),
        {
            "ar": "قررت الحكومة إدماج اللغة الأمازيغية في البوابات الرقمية الرئيسية.",
            "fr": "Le gouvernement intègre l'amazighe aux principaux portails numériques.",
        },
        measures={
            "fr": "Traduction des dix démarches les plus demandées d'ici juin ; interface en tifinagh sur le portail national.",
            "ar": "ترجمة عشر خدمات الأكثر طلبا قبل يونيو؛ واجهة بتيفيناغ في البوابة الوطنية.",
        },
    )

    motion_kind = db.session.scalar(
        sa.select(PetitionKind).where(
            PetitionKind.key == "legislative_motion_house_of_representatives"
        )
    )
    services.create_petition(members[1], motion_kind, MOTION)
    db.session.flush()
