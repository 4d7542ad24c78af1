"""A small public data set for the API and the open-data dumps: a consultation with comments of
every status (public, hidden, deleted, by a blocked author, an official answer, a reply), a draft,
an open petition with signatures and a deposited one with dated steps, and the personal data that
must never come out (e-mail addresses, names on identity profiles, CIN numbers).

The `seeded` fixture gives each test that data set on a database of its own, built once per test
module (`open_data`, a `tests.conftest.Snapshot`): read-only tests share the cost, a test that
writes changes its own copy. tests/api/conftest.py imports both fixtures."""

import dataclasses
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from participation.auth.models import IdentityProfile, User
from participation.comments import markdown
from participation.comments.models import Comment
from participation.core.crypto import decrypt
from participation.core.models import utcnow
from participation.extensions import db
from participation.institutions.services import load_territories
from participation.petitions import processing, signing
from participation.petitions.models import Signature
from tests.conftest import Snapshot
from tests.factories import make_consultation, make_institution, make_user
from tests.petition_world import (
    addressee_officer,
    citizen,
    deposited,
    open_petition,
    set_up_world,
    step,
)


def make_comment(
    target_type,
    target_id,
    author,
    *,
    body,
    status="visible",
    parent=None,
    stance=None,
    institution=None,
    deleted=False,
):
    comment = Comment(
        target_type=target_type,
        target_id=target_id,
        author_id=author.id,
        stance=stance,
        status=status,
        is_official=institution is not None,
        official_institution_id=institution.id if institution else None,
    )
    comment.place_in_thread(parent)
    comment.write(markdown.clean_source(body))
    if deleted:
        comment.deleted_at = utcnow()
    db.session.add(comment)
    db.session.flush()
    return comment


@dataclass
class Seeded:
    consultation: object
    draft: object
    public_comments: list
    hidden_comments: list
    official: object
    reply: object
    open_petition: object
    deposited: object
    draft_petition_id: int
    ministry: object
    secrets: list = field(default_factory=list)


def seed_open_data():
    """Needs the `world` fixture of tests/petitions/test_signing.py (territories, kinds)."""
    ministry = make_institution(
        name={"ar": "وزارة الشباب", "fr": "Ministère de la Jeunesse", "zgh": "ⵜⴰⵎⴰⵡⴰⵙⵜ"}
    )
    consultation = make_consultation(
        institution=ministry,
        state="open",
        title={"ar": "مشروع", "fr": "Projet ouvert", "zgh": "ⴰⵙⵏⴼⵍ"},
    )
    draft = make_consultation(institution=ministry, state="draft")
    amina = make_user(display_name="Amina B.", email="amina.secret@example.org")
    blocked = make_user(display_name="Blocked Person", email="blocked.secret@example.org")
    blocked.blocked_at = utcnow()
    officer = make_user(
        display_name="Officer Ministry",
        email="officer.secret@example.org",
        roles=["officer"],
        institution=ministry,
    )
    section = consultation.sections[0]
    first = make_comment("consultation", consultation.id, amina, body="Une **bonne** idée.")
    on_section = make_comment(
        "section", section.id, amina, body="D'accord avec l'article 1.", stance="agree"
    )
    official = make_comment(
        "consultation",
        consultation.id,
        officer,
        body="Réponse officielle.",
        parent=first,
        institution=ministry,
    )
    reply = make_comment("consultation", consultation.id, amina, body="Merci.", parent=official)
    hidden = [
        make_comment("section", section.id, amina, body="Texte caché.", status="hidden"),
        make_comment("section", section.id, amina, body="Texte en attente.", status="pending"),
        make_comment(
            "consultation", consultation.id, blocked, body="Texte d'une personne bloquée."
        ),
        make_comment("consultation", consultation.id, amina, body="Texte supprimé.", deleted=True),
        make_comment("section", draft.sections[0].id, amina, body="Sur un brouillon."),
    ]
    db.session.commit()

    petition, _initiator, _members = open_petition()
    for person in (citizen(), citizen(), citizen()):
        signing.sign_petition(person, petition, consent=True)
    handed_in, _signers = deposited(signers=2, deposited_days_ago=20)
    officer_of_addressee = addressee_officer(handed_in)
    processing.record_step(officer_of_addressee, handed_in, step("receipt", 19))
    processing.record_step(
        officer_of_addressee,
        handed_in,
        step("referral", 10, text={"fr": "Renvoi à la commission.", "ar": "إحالة"}),
    )
    draft_petition, _i, _m = open_petition()
    draft_petition.state = "draft"
    db.session.commit()

    secrets = [user.email for user in db.session.scalars(sa.select(User))]
    secrets += [decrypt(p.cin_encrypted) for p in db.session.scalars(sa.select(IdentityProfile))]
    secrets += [s.address for s in db.session.scalars(sa.select(Signature)) if s.address]
    return Seeded(
        consultation=consultation,
        draft=draft,
        public_comments=[first, on_section, official, reply],
        hidden_comments=hidden,
        official=official,
        reply=reply,
        open_petition=petition,
        deposited=handed_in,
        draft_petition_id=draft_petition.id,
        ministry=ministry,
        secrets=sorted(set(secrets)),
    )


@dataclass(frozen=True)
class _Row:
    model: type
    id: int


def _detach(value):
    if isinstance(value, list):
        return [_detach(item) for item in value]
    if isinstance(value, db.Model):
        return _Row(type(value), value.id)
    return value


def _attach(value):
    if isinstance(value, list):
        return [_attach(item) for item in value]
    if isinstance(value, _Row):
        return db.session.get(value.model, value.id)
    return value


def _seed_with_world():
    """The territories and petition kinds (the `world` fixture), then the data set; its rows as
    (model, id) pairs, which outlive the session."""
    load_territories()
    set_up_world()
    seeded = seed_open_data()
    return {f.name: _detach(getattr(seeded, f.name)) for f in dataclasses.fields(seeded)}


@pytest.fixture(scope="module")
def open_data(apps, database_template, tmp_path_factory):
    """The data set, seeded once for the test module."""
    app, settings = apps.get({}, None)
    return Snapshot(
        app, settings, database_template, tmp_path_factory.mktemp("open-data"), _seed_with_world
    )


@pytest.fixture
def seeded(app, open_data):
    """The data set in this test's database (a copy of the module's), its rows in this test's
    session."""
    return Seeded(**{name: _attach(value) for name, value in open_data.restore().items()})
