"""Every GET route of the URL map with its path parameters filled in, for the structural tests that
walk the whole site (hostile query strings, caching). Each route is visited once per coherent set
of real seeded objects whose parameters it takes (a published consultation with its section and
PDF, a draft one with its own, a deposited petition...) and once with ids that name nothing.

A route whose parameters no set can fill fails `urls_of_every_get_route`: a new parameter name is
added to a set here, so that no route escapes the walk."""

import hashlib
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import BuildError

from participation.auth.models import Role
from participation.moderation.services import decide_comment
from participation.consultations.attachments import add_attachment, stored_path
from participation.consultations.models import Attachment
from participation.core.notifications import Notification
from participation.core.routing import MAX_ID
from participation.extensions import db
from participation.ogp.services import load_commitments
from participation.petitions import signing
from participation.petitions.models import PetitionKind
from participation.institutions.models import Province, Region
from participation.stats import dashboards
from participation.core.models import utcnow
from tests.api.seed import seed_open_data
from tests.factories import make_user
from tests.petition_world import citizen

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SKIPPED_ENDPOINTS = {"static"}


class Upload:
    def __init__(self, data, filename="document.pdf"):
        self.stream = io.BytesIO(data)
        self.filename = filename


@dataclass
class Site:
    """The seeded objects, the people who look at them, and the parameter sets built from them."""

    seeded: object
    officer: object  # the draft consultation's institution officer
    citizen: object
    staff: object  # every role at once (the officer's institution): the staff pages too
    parameter_sets: list


def _published_attachment(consultation, officer):
    """Attachments are added to drafts only: this one is written as if added before publication."""
    attachment = Attachment(
        consultation_id=consultation.id,
        original_name="publie.pdf",
        stored_name="published-test.pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by_id=officer.id,
    )
    db.session.add(attachment)
    db.session.flush()
    stored_path(attachment).write_bytes(PDF)
    return attachment


def seed_site(app):
    """Needs the `world` fixture of tests/petitions/test_signing.py. Commits."""
    seeded = seed_open_data()
    load_commitments()
    officer = make_user(roles=[Role.OFFICER], institution=seeded.ministry)
    published_pdf = _published_attachment(seeded.consultation, officer)
    draft_pdf = add_attachment(officer, seeded.draft, Upload(PDF, "brouillon.pdf"))
    moderator = make_user(roles=[Role.MODERATOR])
    decision = decide_comment(
        moderator, seeded.public_comments[1], decision="hide", reason="insult_or_hate"
    )
    app.config["SIGNING_LIMIT_PER_IP"] = "1 per day"
    for _ in range(2):  # the second from the same address is held for the moderators
        receipt = signing.sign_petition(
            citizen(), seeded.open_petition, consent=True, ip="203.0.113.9"
        )
    db.session.commit()
    assert receipt.status == "suspect"
    app.test_cli_runner().invoke(args=["open-data", "dump"])
    region = db.session.scalars(sa.select(Region).order_by(Region.id)).first()
    province = db.session.scalars(sa.select(Province).order_by(Province.id)).first()
    kind = db.session.scalars(sa.select(PetitionKind).order_by(PetitionKind.id)).first()
    public_table = dashboards.public_blocks(utcnow())[0].table.key
    common = {
        "lang_code": "fr",
        "institution_id": seeded.ministry.id,
        "kind_id": kind.id,
        "user_id": seeded.public_comments[0].author_id,
        "number": 15,
        "decision_id": decision.id,
        "signature_id": receipt.id,
        "table_key": public_table,
        "filename": "consultations.csv",
        "token": "not-a-token",
        # The hidden comment's author was told (another person's notification is a 404).
        "notification_id": db.session.scalar(sa.select(sa.func.min(Notification.id))),
    }
    published = seeded.consultation
    parameter_sets = [
        {
            **common,
            "consultation_id": published.id,
            "slug": published.slug,
            "section_id": published.sections[0].id,
            "attachment_id": published_pdf.id,
            "petition_id": seeded.open_petition.id,
            "comment_id": seeded.public_comments[0].id,
            "kind": "comments",
            "fmt": "csv",
            "territory_id": region.id,
        },
        {
            **common,
            "consultation_id": seeded.draft.id,
            "slug": seeded.draft.slug,
            "section_id": seeded.draft.sections[0].id,
            "attachment_id": draft_pdf.id,
            "petition_id": seeded.deposited.id,
            "comment_id": seeded.official.id,
            "kind": "answers",
            "fmt": "json",
            "table_key": "moderation-by-reason",
        },
        {
            **common,
            "petition_id": seeded.draft_petition_id,
            "kind": "region",
            "territory_id": region.id,
        },
        {**common, "kind": "province", "territory_id": province.id},
    ]
    absent = {
        name: MAX_ID if isinstance(value, int) else "absent"
        for name, value in parameter_sets[0].items()
    }
    absent |= {"lang_code": "fr", "kind": "comments", "fmt": "csv"}
    db.session.commit()
    staff = make_user(roles=list(Role), institution=seeded.ministry)
    return Site(
        seeded=seeded,
        officer=officer,
        citizen=make_user(),
        staff=staff,
        parameter_sets=[*parameter_sets, absent],
    )


def get_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS
    ]


def _build(rule, values):
    if not rule.arguments <= values.keys():
        return None
    arguments = {name: values[name] for name in rule.arguments}
    try:
        url = url_for(rule.endpoint, **arguments)
    except BuildError:  # e.g. `kind` of another route's any() converter
        return None
    # Several rules can share an endpoint (with and without a slug): keep the URL of this rule.
    matched, _values = rule.map.bind("participation.test").match(url, return_rule=True)
    return url if matched is rule else None


def urls_of_every_get_route(app, site):
    """[(rule, [url, ...])] for every GET route; fails when a route gets no URL at all."""
    walk = []
    for rule in get_rules(app):
        urls = []
        for values in site.parameter_sets:
            url = _build(rule, values)
            if url and url not in urls:
                urls.append(url)
        walk.append((rule, urls))
    unfilled = [rule.rule for rule, urls in walk if not urls]
    assert unfilled == [], f"add these routes' parameters to tests/core/route_walk.py: {unfilled}"
    return walk
