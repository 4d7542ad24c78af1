"""The queue page with held signatures and petitions awaiting review, the held signature's page
(take, release, decide), bulk decisions on signatures, the alerts page and the backlog notice,
as a browser without JavaScript uses them."""

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.petitions.models import SignatureDecision
from participation.petitions.holds import take_signature
from participation.extensions import db
from participation.petitions import services as petition_services
from participation.petitions.models import PetitionKind, Signature
from tests.comments.helpers import shown, shows
from tests.factories import make_user
from tests.petition_world import (
    citizen,
    data,
    full_committee,
    open_petition,
    provinces_of_regions,
)


def page(browser, path, status=200):
    response = browser.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def _token(browser):
    from tests.conftest import csrf_token

    return csrf_token(browser.client, "/fr/account/")


def _post(browser, path, data):
    return browser.client.post(path, data={**data, "csrf_token": _token(browser)})


@pytest.fixture
def moderator_browser(app, visitor):
    return visitor(make_user(roles=[Role.MODERATOR]))


def test_the_queue_shows_held_signatures_without_identity_and_petitions_with_their_review_link(
    app, held_by_ip, moderator_browser, visitor
):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    identity = db.session.get(Signature, signature.id)
    initiator = citizen()
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    submitted = petition_services.create_petition(
        initiator, kind, data(title={"fr": "Des pistes cyclables"})
    )
    full_committee(submitted, initiator, provinces_of_regions(1), 5)
    petition_services.submit_petition(initiator, submitted)
    db.session.commit()

    html = page(moderator_browser, "/fr/moderation/")
    assert f'name="signatures" value="{signature.id}"' in html
    assert f"/fr/moderation/signatures/{signature.id}" in html
    assert shows(html, shown("Over the signing limit of one network address"))
    assert f"/fr/petitions/{submitted.id}/review" in html
    assert "Des pistes cyclables" in html
    for secret in (
        identity.first_name + " " + identity.last_name,
        identity.address,
        identity.cin_hash,
    ):
        assert secret not in html
    assert shows(html, shown("%(count)s item waiting", "%(count)s items waiting", 2, count=2))

    only_petitions = page(moderator_browser, "/fr/moderation/?kind=petition")
    assert f"/fr/petitions/{submitted.id}/review" in only_petitions
    assert 'name="signatures"' not in only_petitions
    only_signatures = page(moderator_browser, "/fr/moderation/?kind=signature")
    assert 'name="signatures"' in only_signatures
    assert "Des pistes cyclables" not in only_signatures

    # the initiator, made moderator, does not get the review link
    from participation.auth.models import RoleGrant

    db.session.add(RoleGrant(user_id=initiator.id, role=Role.MODERATOR.value))
    db.session.commit()
    own = page(visitor(initiator), "/fr/moderation/?kind=petition")
    assert f"/fr/petitions/{submitted.id}/review" not in own
    assert shows(own, shown("You initiated or joined this petition: another moderator reviews it."))


def test_take_and_decide_a_held_signature_on_its_page(
    app, held_by_ip, moderator_browser, visitor, outbox
):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    url = f"/fr/moderation/signatures/{signature.id}"
    html = page(moderator_browser, url)
    assert shows(html, shown("Over the signing limit of one network address"))
    assert identity_free(html, signature)
    assert _post(moderator_browser, url + "/take", {}).status_code == 302
    other = visitor(make_user(roles=[Role.MODERATOR]))
    assert shows(page(other, url), shown("Take this signature")) is False
    refused = _post(other, url + "/decide", {"decision": "release"})
    assert refused.status_code == 400
    response = _post(moderator_browser, url + "/decide", {"decision": "release", "note": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == "/fr/moderation/?kind=signature"
    db.session.expire_all()
    assert db.session.get(Signature, signature.id).status == "counted"
    assert len(outbox(template="signature_decision")) == 1
    assert page(moderator_browser, url)  # a decided signature still has its page, without forms
    assert page(moderator_browser, "/fr/moderation/signatures/999999", status=404)


def identity_free(html, signature):
    return signature.last_name not in html and signature.address not in html


def test_a_decision_form_with_errors_comes_back(app, held_by_ip, moderator_browser):
    petition, *_ = open_petition()
    signature = held_by_ip(petition, 1)[0]
    response = _post(
        moderator_browser,
        f"/fr/moderation/signatures/{signature.id}/decide",
        {"decision": "approve"},
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignatureDecision)) == 0


def test_bulk_decisions_on_signatures_from_the_queue(app, held_by_ip, moderator_browser):
    petition, *_ = open_petition()
    signatures = held_by_ip(petition, 3)
    take_signature(make_user(roles=[Role.MODERATOR]), signatures[2])
    db.session.commit()
    response = _post(
        moderator_browser,
        "/fr/moderation/signatures/bulk?kind=signature",
        {"signatures": [s.id for s in signatures], "signature_decision": "discard"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/fr/moderation/?kind=signature"
    db.session.expire_all()
    assert [db.session.get(Signature, s.id) is None for s in signatures] == [True, True, False]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignatureDecision)) == 2
    html = page(moderator_browser, "/fr/moderation/")
    assert shows(html, shown("%(num)d signature decided.", "%(num)d signatures decided.", 2))
    empty = _post(
        moderator_browser, "/fr/moderation/signatures/bulk", {"signature_decision": "discard"}
    )
    assert empty.status_code == 400
    assert shows(empty.get_data(as_text=True), shown("Select at least one signature."))


def test_held_signatures_count_in_the_backlog_notice(app, held_by_ip, moderator_browser):
    app.config["MODERATION_BACKLOG_NOTICE"] = 2
    petition, *_ = open_petition()
    held_by_ip(petition, 1)
    assert 'class="site-notice"' not in page(moderator_browser, "/fr/")
    held_by_ip(petition, 1, ip="192.0.2.3")
    assert 'class="site-notice"' in page(moderator_browser, "/fr/")


@pytest.mark.parametrize(
    "path",
    ["/fr/moderation/alerts", "/fr/moderation/signatures/1", "/fr/moderation/signatures/bulk"],
)
def test_the_signature_pages_are_for_moderators(app, visitor, path):
    for browser, expected in ((visitor(), 302), (visitor(make_user()), 403)):
        response = browser.post(path) if path.endswith("bulk") else browser.get(path)
        assert response.status_code == expected
        if expected == 302:
            assert "/account/login" in response.headers["Location"]
