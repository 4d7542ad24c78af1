"""Demo institutions and accounts: one account per role for `flask seed-demo`, citizens with an
identity profile for the demo petitions and moderation, the institutions for the large seed too."""

from datetime import date

import sqlalchemy as sa

from participation.auth.models import IdentityProfile, Role, RoleGrant, User
from participation.auth.services import hash_password
from participation.core.crypto import encrypt, keyed_hash
from participation.core.models import utcnow
from participation.extensions import db
from participation.institutions.models import Institution, InstitutionKind
from participation.institutions.queries import get_commune_by_code, get_region_by_code

DEMO_DOMAIN = "demo.participation.ma"

INSTITUTIONS = [
    (
        InstitutionKind.HEAD_OF_GOVERNMENT,
        None,
        {"ar": "رئاسة الحكومة", "fr": "Chef du gouvernement", "zgh": "ⴰⵏⵎⵀⴰⵍ ⵏ ⵜⵏⴱⴰⴹⵜ"},
    ),
    (
        InstitutionKind.HOUSE_OF_REPRESENTATIVES,
        None,
        {"ar": "مجلس النواب", "fr": "Chambre des représentants", "zgh": "ⴰⵎⵙⵙⵓⵔ ⵏ ⵉⵎⵙⵙⵓⵜⵍⵏ"},
    ),
    (
        InstitutionKind.HOUSE_OF_COUNCILLORS,
        None,
        {"ar": "مجلس المستشارين", "fr": "Chambre des conseillers", "zgh": "ⴰⵎⵙⵙⵓⵔ ⵏ ⵉⵎⵙⵜⴰⵡⴰⵔⵏ"},
    ),
    (
        InstitutionKind.MINISTRY,
        None,
        {
            "ar": "وزارة الانتقال الرقمي وإصلاح الإدارة",
            "fr": "Ministère de la Transition numérique et de la Réforme de l'administration",
            "zgh": "ⵜⴰⵎⴰⵡⴰⵙⵜ ⵏ ⵓⵎⵓⴷⴷⵓ ⴰⵏⵓⵎⴰⵏ ⴷ ⵓⵙⵖⵓⴷⵓ ⵏ ⵜⵏⴱⴱⴰⴹⵜ",
        },
    ),
    (
        InstitutionKind.MINISTRY,
        None,
        {
            "ar": "وزارة الاقتصاد والمالية",
            "fr": "Ministère de l'Économie et des Finances",
            "zgh": "ⵜⴰⵎⴰⵡⴰⵙⵜ ⵏ ⵜⴷⴰⵎⵙⴰ ⴷ ⵜⵎⵙⵙⵓⴷⵙⵜ",
        },
    ),
    (
        InstitutionKind.REGIONAL_COUNCIL,
        "04",
        {
            "ar": "مجلس جهة الرباط - سلا - القنيطرة",
            "fr": "Conseil de la région Rabat-Salé-Kénitra",
            "zgh": "ⴰⵙⵇⵇⵉⵎ ⵏ ⵜⵎⵏⴰⴹⵜ ⵕⵕⴱⴰⵟ - ⵙⵍⴰ - ⵇⵏⵉⵟⵔⴰ",
        },
    ),
]

APPEALS_MODERATOR = "moderator.appeals"

# role, e-mail local part, display name, language, institution (officers: index in INSTITUTIONS)
ACCOUNTS = [
    ("citizen", "citizen", "Amina El Idrissi", "ar", None),
    (Role.OFFICER, "officer", "Youssef Benali", "fr", 3),  # the ministry: consultations
    (
        Role.OFFICER,
        "officer.hog",
        "Rachid Lahlou",
        "ar",
        0,
    ),  # the Head of Government: petitions received
    (Role.MODERATOR, "moderator", "Salma Amrani", "ar", None),
    # A different moderator decides an appeal (SPEC §5): this one decides the demo's appeal
    # against Salma Amrani's decision.
    (Role.MODERATOR, APPEALS_MODERATOR, "Omar Bensouda", "fr", None),
    (Role.OBSERVER, "observer", "Hassan Ait Ouaziz", "zgh", None),
    (Role.ADMINISTRATOR, "admin", "Nadia Berrada", "fr", None),
    (Role.TRANSLATOR, "translator", "Itto Oubella", "zgh", None),  # reviews the interface's texts
]


def ensure_institution(kind, region_code, names):
    existing = db.session.scalar(
        sa.select(Institution).where(
            Institution.kind == kind.value, Institution.name["fr"].as_string() == names["fr"]
        )
    )
    if existing is not None:
        return existing
    region = get_region_by_code(region_code) if region_code else None
    institution = Institution(kind=kind.value, name=names, region_id=region.id if region else None)
    db.session.add(institution)
    db.session.flush()
    return institution


RABAT_COUNCIL = {
    "ar": "مجلس جماعة الرباط",
    "fr": "Conseil communal de Rabat",
    "zgh": "ⴰⵙⵇⵇⵉⵎ ⵏ ⵜⵊⵎⴰⵄⵜ ⵏ ⵔⴱⴰⵟ",
}


def ensure_communal_council():
    """The council of the demo citizen's commune, linked to it: communal petitions to Rabat reach
    an addressee (where communes are loaded)."""
    commune = get_commune_by_code(RABAT_COMMUNE)
    if commune is None:
        return None
    council = ensure_institution(InstitutionKind.COMMUNAL_COUNCIL, "04", RABAT_COUNCIL)
    council.province_id, council.commune_id = commune.province_id, commune.id
    db.session.flush()
    return council


def ensure_account(local_part, display_name, language, password):
    email = f"{local_part}@{DEMO_DOMAIN}"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email, display_name=display_name, language=language, email_verified_at=utcnow()
        )
        db.session.add(user)
    user.password_hash = hash_password(password)
    db.session.flush()
    return user


# The demo citizen's commune: she can start and sign communal petitions.
RABAT_COMMUNE = "04.421.01.0"


def give_identity(user):
    if user.identity is not None:
        return
    region = get_region_by_code("04")
    province = next(p for p in region.provinces if p.iso_code == "MA-RAB")
    commune = get_commune_by_code(RABAT_COMMUNE)  # None where communes are not loaded
    cin = "AB123456"
    db.session.add(
        IdentityProfile(
            user_id=user.id,
            first_name="Amina",
            last_name="El Idrissi",
            cin_hash=keyed_hash(cin),
            cin_encrypted=encrypt(cin),
            cin_hint=cin[-2:],
            cin_expiry=date(2031, 6, 30),
            birth_date=date(1990, 3, 14),
            address="12, rue Oued Sebou, Agdal, Rabat",
            abroad=False,
            region_id=region.id,
            province_id=province.id,
            commune_id=commune.id if commune else None,
            declaration_accepted_at=utcnow(),
            verified_by="declarative",
        )
    )


EXTRA_CITIZENS = [("karim.tazi", "Karim Tazi", "fr"), ("fatima.ouali", "Fatima Ouali", "zgh")]


def ensure_citizen(local, name, language, province, cin):
    """A demo citizen with an identity profile in `province` (petition committees, signers)."""
    email = f"{local}@{DEMO_DOMAIN}"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, language=language, email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    if user.identity is None:
        first, _, last = name.partition(" ")
        db.session.add(
            IdentityProfile(
                user_id=user.id,
                first_name=first,
                last_name=last,
                cin_hash=keyed_hash(cin),
                cin_encrypted=encrypt(cin),
                cin_hint=cin[-2:],
                cin_expiry=date(2032, 1, 1),
                birth_date=date(1988, 5, 5),
                address="Quartier Hassan",
                abroad=False,
                region_id=province.region_id,
                province_id=province.id,
                declaration_accepted_at=utcnow(),
                verified_by="declarative",
            )
        )
        db.session.flush()
        db.session.expire(user, ["identity"])
    return user


def seed_accounts(institutions, password_for):
    """One account per role (ACCOUNTS) and the EXTRA_CITIZENS; returns the printed list (role,
    e-mail, password), the role accounts by e-mail local part, and the extra citizens."""
    printed, by_local = [], {}
    for role, local_part, display_name, language, institution in ACCOUNTS:
        password = password_for()
        user = ensure_account(local_part, display_name, language, password)
        if role == "citizen":
            give_identity(user)
            db.session.flush()
            db.session.expire(user, ["identity"])
        elif role not in user.roles:
            db.session.add(
                RoleGrant(
                    user_id=user.id,
                    role=role.value,
                    institution_id=institutions[institution].id if role == Role.OFFICER else None,
                )
            )
            db.session.flush()
            db.session.expire(user, ["grants"])
        printed.append({"role": str(role), "email": user.email, "password": password})
        by_local[local_part] = user
    # Other citizens who wrote the demo comments; they get random passwords nobody needs.
    extra = [
        ensure_account(local, name, language, password_for())
        for local, name, language in EXTRA_CITIZENS
    ]
    return printed, by_local, extra
