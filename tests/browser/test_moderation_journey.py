"""Three citizens report a comment and the third report hides it; a moderator rejects it with a
reason; the author appeals; a second moderator restores it. axe-core runs on every page visited."""

import sqlalchemy as sa

from participation.auth.models import Role
from participation.comments.models import Comment
from participation.moderation.models import ModerationAppeal, ModerationDecision
from participation.extensions import db
from tests.browser.helpers import sign_in, sign_in_as, submit
from tests.factories import make_consultation, make_institution, make_user

COMMENT = "أقترح أن تنشر الوزارة تقريرا عن تنفيذ هذه المادة كل ثلاثة أشهر."


def person(browser, live_app, axe_check, lang, email, locale="ar-MA", form=False):
    """A browser context signed in as `email`: through the sign-in form (`form`), or directly."""
    context = browser.new_context(base_url=live_app.base_url, locale=locale)
    page = context.new_page()
    if form:
        sign_in(page, axe_check, lang, type("U", (), {"email": email}))
    else:
        sign_in_as(page, live_app, email)
    return context, page


def visit(page, axe_check, path):
    page.goto(path)
    axe_check(page)


def open_from_queue(page, axe_check, kind, comment_id):
    visit(page, axe_check, f"/fr/moderation/?kind={kind}")
    page.locator(f"a[href$='/moderation/comments/{comment_id}']").click()
    page.wait_for_load_state()
    axe_check(page)


def decide(page, axe_check, decision, reason, note=""):
    page.select_option("#decision", decision)
    page.select_option("#reason", reason)
    page.fill("#note", note)
    submit(page, "form[action$='/decide']")
    axe_check(page)


def test_reports_decision_and_appeal(browser, live_app, axe_check):
    with live_app.app_context():
        consultation = make_consultation(
            institution=make_institution(), state="open", moderation_mode="post"
        )
        section_path = f"/consultations/{consultation.id}-{consultation.slug}/sections/{consultation.sections[0].id}"
        author = make_user(display_name="Salma", language="ar").email
        reporters = [make_user(display_name=f"Citoyen {n}", language="fr").email for n in range(3)]
        first = make_user(display_name="Modératrice Une", roles=[Role.MODERATOR]).email
        second = make_user(display_name="Modérateur Deux", roles=[Role.MODERATOR]).email
    contexts = []

    # The author comments on a section, in Arabic.
    context, writer = person(browser, live_app, axe_check, "ar", author, form=True)
    contexts.append(context)
    visit(writer, axe_check, f"/ar{section_path}")
    writer.locator("form[action*='/comments/section/'] textarea").fill(COMMENT)
    submit(writer, "form[action*='/comments/section/']")
    axe_check(writer)
    with live_app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
    article = f"#comment-{comment_id}"

    # Three citizens report it, each from the form under the comment; the third report hides it.
    for number, email in enumerate(reporters):
        context, citizen = person(browser, live_app, axe_check, "fr", email, locale="fr-MA")
        contexts.append(context)
        visit(citizen, axe_check, f"/fr{section_path}")
        report = citizen.locator(f"{article} details:has(form[action$='/report'])")
        report.locator("summary").click()
        report.locator("select").select_option("insult_or_hate" if number else "off_topic")
        axe_check(citizen)
        submit(citizen, f"{article} form[action$='/report']")
        axe_check(citizen)
        with live_app.app_context():
            status = db.session.get(Comment, comment_id).status
        assert status == ("hidden" if number == 2 else "visible")
    assert citizen.locator(article).count() == 0

    visit(writer, axe_check, f"/ar{section_path}")
    assert writer.locator(f"{article} .comment__label--status").count() == 1

    # The first moderator finds it in the queue, takes it and rejects it with a reason.
    context, moderator = person(browser, live_app, axe_check, "fr", first, locale="fr-MA")
    contexts.append(context)
    open_from_queue(moderator, axe_check, "reported", comment_id)
    submit(moderator, "form[action$='/take']")
    axe_check(moderator)
    decide(moderator, axe_check, "reject", "insult_or_hate", "Le commentaire vise une personne.")
    with live_app.app_context():
        assert db.session.get(Comment, comment_id).status == "rejected"

    # The author reads why and appeals.
    visit(writer, axe_check, f"/ar{section_path}")
    writer.locator(f"{article} a[href*='/appeal']").click()
    writer.wait_for_load_state()
    axe_check(writer)
    assert "Le commentaire vise une personne." in writer.content()
    writer.fill("#text", "تعليقي لا يستهدف أي شخص، بل يقترح نشر تقارير دورية.")
    submit(writer, "main form")
    axe_check(writer)
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAppeal)) == 1

    # The first moderator may not decide the appeal; the second one restores the comment.
    visit(moderator, axe_check, f"/fr/moderation/comments/{comment_id}")
    assert moderator.locator("form[action$='/decide']").count() == 0
    context, reviewer = person(browser, live_app, axe_check, "fr", second, locale="fr-MA")
    contexts.append(context)
    open_from_queue(reviewer, axe_check, "appeal", comment_id)
    decide(reviewer, axe_check, "restore", "decision_corrected")
    with live_app.app_context():
        assert db.session.get(Comment, comment_id).status == "visible"
        outcome = db.session.scalars(
            sa.select(ModerationDecision).order_by(ModerationDecision.id.desc())
        ).first()
        assert outcome.appeal_of_id is not None
        assert outcome.decision == "restore"

    visit(citizen, axe_check, f"/fr{section_path}")
    assert COMMENT in citizen.content()
    visit(citizen, axe_check, "/fr/moderation/transparency")
    visit(writer, axe_check, "/ar/moderation/transparency")
    for context in contexts:
        context.close()


def test_other_moderation_pages_are_accessible(browser, live_app, axe_check):
    with live_app.app_context():
        consultation = make_consultation(state="open", moderation_mode="pre")
        section = consultation.sections[0]
        author = make_user(display_name="Yassine", language="fr")
        comment = Comment(
            target_type="section",
            target_id=section.id,
            author_id=author.id,
            status="visible",
            body_source="Texte",
            body_html="<p>Texte</p>",
        )
        db.session.add(comment)
        db.session.commit()
        comment_id, author_id = comment.id, author.id
        citizen = make_user().email
        moderator = make_user(roles=[Role.MODERATOR]).email
        administrator = make_user(roles=[Role.ADMINISTRATOR]).email
    context, page = person(browser, live_app, axe_check, "fr", citizen, locale="fr-MA")
    visit(page, axe_check, f"/fr/moderation/comments/{comment_id}/report")
    submit(page, "main form")  # no reason chosen: the form comes back with the error
    axe_check(page)
    visit(page, axe_check, "/zgh/moderation/transparency")
    context.close()
    context, page = person(browser, live_app, axe_check, "ar", moderator)
    visit(page, axe_check, f"/ar/moderation/users/{author_id}")
    submit(page, "form[action$='/block']")  # no reason: the form comes back with the error
    axe_check(page)
    visit(page, axe_check, "/ar/moderation/")
    page.set_viewport_size({"width": 320, "height": 640})
    visit(page, axe_check, f"/ar/moderation/comments/{comment_id}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
    context, page = person(browser, live_app, axe_check, "fr", administrator, locale="fr-MA")
    visit(page, axe_check, "/fr/admin/moderation/screening")
    visit(page, axe_check, f"/fr/moderation/users/{author_id}")
    context.close()


def test_a_moderator_counts_a_held_signature_from_the_queue(browser, live_app, axe_check):
    """Held signatures and a petition awaiting review in the queue, the signature's page, the
    decision, and the alerts page; axe-core on each."""
    from participation.institutions.models import InstitutionKind
    from participation.institutions.services import load_territories
    from participation.petitions import services as petition_services
    from participation.petitions import signing
    from participation.petitions.models import PetitionKind, Signature
    from participation.petitions.rules import load_petition_kinds
    from tests.petition_world import (
        citizen,
        data,
        full_committee,
        open_petition,
        provinces_of_regions,
    )

    with live_app.test_request_context():
        load_territories()
        make_institution(
            kind=InstitutionKind.HEAD_OF_GOVERNMENT,
            name={"fr": "Chef du gouvernement", "ar": "رئيس الحكومة"},
        )
        load_petition_kinds()
        db.session.commit()
        petition, *_ = open_petition()
        live_app.config.update(SIGNING_LIMIT_PER_IP="1 per day", SIGNING_ALERT_NETWORK_THRESHOLD=1)
        receipts = [
            signing.sign_petition(citizen(), petition, consent=True, ip="198.51.100.4")
            for _ in range(3)
        ]
        held = [r.id for r in receipts if r.status == "suspect"]
        initiator = citizen()
        kind = db.session.scalar(
            sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
        )
        submitted = petition_services.create_petition(
            initiator, kind, data(title={"ar": "من أجل مسارات للدراجات"})
        )
        full_committee(submitted, initiator, provinces_of_regions(1), 5)
        petition_services.submit_petition(initiator, submitted)
        db.session.commit()
        moderator = make_user(roles=[Role.MODERATOR]).email
    assert len(held) == 2
    context, page = person(browser, live_app, axe_check, "ar", moderator)
    visit(page, axe_check, "/ar/moderation/")
    visit(page, axe_check, "/fr/moderation/?kind=signature")
    page.locator(f"a[href$='/moderation/signatures/{held[0]}']").click()
    page.wait_for_load_state()
    axe_check(page)
    submit(page, "form[action$='/take']")
    axe_check(page)
    page.select_option("#decision", "release")
    submit(page, "form[action$='/decide']")
    axe_check(page)
    visit(page, axe_check, "/ar/moderation/alerts")
    page.locator("a[href*='kind=signature']").first.click()
    page.wait_for_load_state()
    axe_check(page)
    with live_app.app_context():
        assert db.session.get(Signature, held[0]).status == "counted"
        assert db.session.get(Signature, held[1]).status == "suspect"
    context.close()
