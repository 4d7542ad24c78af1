"""The consultation form's region → prefecture or province choice: the province list holds the
chosen region's, filled by a step without JavaScript (templates/_places.html)."""

import re

import sqlalchemy as sa

from participation.auth.models import Role
from participation.consultations.models import Consultation
from participation.extensions import db
from participation.institutions.models import Province
from tests.factories import make_institution, make_user


def options(page, select_id):
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', block)


def test_the_province_list_holds_the_chosen_regions(client, login, post_form, territories):
    login(make_user(roles=[Role.OFFICER], institution=make_institution()))
    path = "/fr/institution/consultations/new"
    assert options(client.get(path).get_data(as_text=True), "province_id") == ["0"]
    rabat = db.session.scalar(sa.select(Province).where(Province.iso_code == "MA-RAB"))
    step = post_form(
        path,
        {
            "scope": "province",
            "region_id": str(rabat.region_id),
            "title_fr": "Eau",
            "step": "region",
        },
    )
    assert step.status_code == 200
    page = step.get_data(as_text=True)
    listed = options(page, "province_id")
    assert len(listed) == 8 and str(rabat.id) in listed
    assert 'value="Eau"' in page
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 0
