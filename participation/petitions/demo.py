"""Demo petitions for `flask seed-demo`: one open for signatures (with a committee and some
signatures), one awaiting review, one motion still in draft."""
from datetime import date

import sqlalchemy as sa

from participation.auth.models import IdentityProfile, User
from participation.core.crypto import encrypt, keyed_hash
from participation.core.models import utcnow
from participation.extensions import db
from participation.institutions.models import Province
from participation.petitions import services, signing
from participation.petitions.models import Petition, PetitionKind

MEMBERS = [("ilham", "Ilham Bennani", "ar"), ("yassine", "Yassine Alaoui", "fr"), ("khadija", "Khadija Amrani", "ar"), ("omar", "Omar Idrissi", "zgh")]

OPEN_PETITION = services.PetitionData(
    title={"ar": "من أجل مكتبات عمومية مفتوحة في المساء", "fr": "Pour des bibliothèques publiques ouvertes le soir", "zgh": "ⵖⴼ ⵜⵙⴷⵍⵉⵙⵉⵏ ⵉⵕⵥⵎⵏ ⴳ ⵓⵎⵓⴷⴷⵓ"},
    demands={"ar": "تمديد ساعات فتح المكتبات العمومية إلى الساعة التاسعة ليلا.", "fr": "Prolonger l'ouverture des bibliothèques publiques jusqu'à 21 heures."},
    memorandum={"ar": "يحتاج الطلبة والعاملون إلى فضاءات للقراءة بعد ساعات العمل.", "fr": "Étudiants et salariés ont besoin de lieux de lecture après le travail."},
)

MOTION = services.PetitionData(
    title={"ar": "ملتمس تشريعي حول الحق في الولوج إلى البيانات المفتوحة", "fr": "Motion législative sur le droit aux données ouvertes"},
    demands={"fr": "Inscrire dans la loi la publication des données publiques en format ouvert."},
    memorandum={"fr": "L'accès aux données renforce la transparence."},
)


def _citizen(local, name, language, province, cin):
    email = f"{local}@demo.participation.ma"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, language=language, email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    if user.identity is None:
        first, _, last = name.partition(" ")
        db.session.add(IdentityProfile(
            user_id=user.id, first_name=first, last_name=last, cin_hash=keyed_hash(cin), cin_encrypted=encrypt(cin), cin_hint=cin[-2:],
            cin_expiry=date(2032, 1, 1), birth_date=date(1988, 5, 5), address="Quartier Hassan", abroad=False,
            region_id=province.region_id, province_id=province.id, declaration_accepted_at=utcnow(), verified_by="declarative",
        ))
        db.session.flush()
        db.session.expire(user, ["identity"])
    return user


def seed_petitions(*, initiator, moderator, extra_signers):
    if db.session.scalar(sa.select(Petition.id).limit(1)) is not None:
        return
    provinces = db.session.scalars(sa.select(Province).order_by(Province.iso_code)).all()
    members = [_citizen(local, name, language, provinces[i * 11], f"DM{100001 + i}") for i, (local, name, language) in enumerate(MEMBERS)]
    kind = db.session.scalar(sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government"))
    petition = services.create_petition(initiator, kind, OPEN_PETITION)
    for member in members:
        services.accept_invitation(member, services.invite_member(initiator, petition, email=member.email))
    own = next(m for m in petition.members if m.user_id == initiator.id)
    services.name_agent_and_deputy(initiator, petition, agent=own, deputy=petition.members[1])
    services.submit_petition(initiator, petition)
    services.publish_petition(moderator, petition, checked=[g["code"] for g in kind.grounds if g["stage"] == "condition"])
    for signer in members + extra_signers:
        if signer.identity is not None:
            signing.sign_petition(signer, petition, consent=True, ip="demo")

    motion_kind = db.session.scalar(sa.select(PetitionKind).where(PetitionKind.key == "legislative_motion_house_of_representatives"))
    services.create_petition(members[1], motion_kind, MOTION)
    db.session.flush()
