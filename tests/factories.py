"""Factories with keyword-only overrides. They flush; tests commit when a request must see data."""

import itertools
from datetime import date

from participation.auth.models import IdentityProfile, Role, RoleGrant, User
from participation.auth.services import hash_password
from participation.core.crypto import encrypt, keyed_hash
from participation.core.models import utcnow
from participation.extensions import db
from participation.institutions.models import Institution, InstitutionKind

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)
_HASH = None


def _password_hash(password):
    # Hashing with argon2 is deliberately slow: reuse one hash for the common test password.
    global _HASH
    if password != PASSWORD:
        return hash_password(password)
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def make_user(
    *,
    email=None,
    password=PASSWORD,
    display_name=None,
    language="fr",
    verified=True,
    roles=(),
    institution=None,
    commit=True,
):
    n = next(_sequence)
    user = User(
        email=email or f"user{n}@example.org",
        password_hash=_password_hash(password),
        display_name=display_name or f"User {n}",
        language=language,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    for role in roles:
        role = Role(role)
        if role == Role.OFFICER and institution is None:
            institution = make_institution(commit=False)
        db.session.add(
            RoleGrant(
                user_id=user.id,
                role=role.value,
                institution_id=institution.id if role == Role.OFFICER else None,
            )
        )
    db.session.flush()
    db.session.expire(user, ["grants"])
    if commit:
        db.session.commit()
    return user


def make_institution(*, kind=InstitutionKind.MINISTRY, name=None, region=None, commit=True):
    n = next(_sequence)
    institution = Institution(
        kind=InstitutionKind(kind).value,
        name=name or {"ar": f"وزارة {n}", "fr": f"Ministère {n}", "zgh": f"ⵜⴰⵎⴰⵡⴰⵙⵜ {n}"},
        region_id=region.id if region else None,
    )
    db.session.add(institution)
    db.session.flush()
    if commit:
        db.session.commit()
    return institution


def make_identity(
    user,
    *,
    cin="AB123456",
    province=None,
    cin_expiry=date(2031, 1, 1),
    birth_date=date(1990, 1, 1),
    commune=None,
    commit=True,
):
    """An identity profile living in `province` (abroad when None), in `commune` when given."""
    province = commune.province if commune is not None else province
    profile = IdentityProfile(
        user_id=user.id,
        first_name="Test",
        last_name="Person",
        cin_hash=keyed_hash(cin),
        cin_encrypted=encrypt(cin),
        cin_hint=cin[-2:],
        cin_expiry=cin_expiry,
        birth_date=birth_date,
        address="1 rue de Test",
        abroad=province is None,
        country="FR" if province is None else None,
        region_id=province.region_id if province else None,
        province_id=province.id if province else None,
        commune_id=commune.id if commune else None,
        declaration_accepted_at=utcnow(),
        verified_by="declarative",
    )
    db.session.add(profile)
    db.session.flush()
    if commit:
        db.session.commit()
    return profile


def make_consultation(
    *,
    institution=None,
    state="draft",
    title=None,
    sections=2,
    opens_at=None,
    closes_at=None,
    moderation_mode="post",
    scope="national",
    region=None,
    commit=True,
):
    from datetime import timedelta

    from participation.consultations.models import Consultation, Section

    n = next(_sequence)
    now = utcnow()
    consultation = Consultation(
        institution_id=(institution or make_institution(commit=False)).id,
        title=title or {"ar": f"مشروع قانون رقم {n}", "fr": f"Projet de loi n° {n}"},
        summary={"fr": "Résumé du projet."},
        body={},
        languages=" " + " ".join(sorted((title or {"ar": 1, "fr": 1}).keys())) + " ",
        slug=f"projet-{n}",
        scope=scope,
        region_id=region.id if region else None,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=30),
        moderation_mode=moderation_mode,
        state=state,
    )
    for position in range(1, sections + 1):
        consultation.sections.append(
            Section(
                position=position,
                heading={"ar": f"المادة {position}", "fr": f"Article {position}"},
                body={"fr": f"Texte de l'article {position}."},
            )
        )
    db.session.add(consultation)
    consultation.refresh_search_text()
    db.session.flush()
    if commit:
        db.session.commit()
    return consultation
