"""The moderator's review page shows the petition's text beside the checklist (issue 16, item 10):
title, kind, addressee, demands, memorandum and the committee with each member's role and region,
in the text's own language and direction."""

import pytest
import sqlalchemy as sa
from markupsafe import escape

from participation.auth.models import Role
from participation.extensions import db
from participation.petitions import services
from participation.petitions.models import PetitionKind
from tests.factories import make_user
from tests.petition_world import citizen, data, full_committee, provinces_of_regions

MEMORANDUM = "الطلبة يشتغلون في المساء.\n\nوالمكتبات مغلقة بعد السادسة."


@pytest.fixture
def submitted(world):
    initiator = citizen()
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    petition = services.create_petition(
        initiator,
        kind,
        data(
            title={"fr": "Pour des bibliothèques ouvertes le soir"},
            memorandum={"ar": MEMORANDUM},
        ),
    )
    members = full_committee(petition, initiator, provinces_of_regions(2), 5)
    services.submit_petition(initiator, petition)
    db.session.commit()
    return petition, [initiator, *(m.user for m in members)]


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_the_review_page_shows_the_text_and_the_committee_beside_the_checklist(
    client, login, submitted, lang
):
    petition, people = submitted
    login(make_user(roles=[Role.MODERATOR]))
    response = client.get(f"/{lang}/petitions/{petition.id}/review")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text, form = html.split('class="review-layout"')[1].split('class="form review-layout__form"')
    assert "Pour des bibliothèques ouvertes le soir" in text
    assert "Ouvrir jusqu&#39;à 21 h." in text  # the demands
    # The memorandum in its own language and direction, its paragraphs kept.
    memorandum = text.split('class="review-text__body" lang="ar" dir="rtl">')[1].split("</div>")[0]
    assert "الطلبة يشتغلون في المساء." in memorandum and memorandum.count("<p") == 2
    committee = text.split('id="review-committee-caption"')[1].split("</table>")[0]
    assert committee.count("<tr>") == 1 + len(people)  # the header and each member
    regions = {str(escape(person.identity.region.display_name(lang))) for person in people}
    assert len(regions) == 2 and all(region in committee for region in regions)
    assert 'type="checkbox"' in form and 'name="decision"' in form


def test_the_review_page_says_when_the_committee_no_longer_meets_the_rules(
    client, login, submitted
):
    petition, _people = submitted
    member = next(m for m in petition.members if m.role == "member" and m.accepted_at)
    db.session.delete(member)  # a member left after submission
    db.session.commit()
    login(make_user(roles=[Role.MODERATOR]))
    html = client.get(f"/fr/petitions/{petition.id}/review").get_data(as_text=True)
    assert 'class="flash flash--warning"' in html.split('class="review-layout"')[1]
