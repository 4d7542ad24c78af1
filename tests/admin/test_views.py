"""Administrator pages: who can reach them, and that they do what they say (audited)."""

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.audit import AuditEntry
from participation.extensions import db
from participation.institutions.models import Institution, Province, Region
from tests.factories import make_institution, make_user

ADMIN_PAGES = [
    "/fr/admin/",
    "/fr/admin/users",
    "/fr/admin/institutions",
    "/fr/admin/institutions/new",
    "/fr/admin/territories",
    "/fr/admin/audit",
]


@pytest.fixture
def admin(app, login):
    user = make_user(roles=[Role.ADMINISTRATOR])
    login(user)
    return user


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/fr/account/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [[], [Role.MODERATOR], [Role.OBSERVER], [Role.OFFICER]])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_other_roles_are_refused(client, login, path, roles):
    login(make_user(roles=roles))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_administrators_see_every_page(client, admin, territories, path):
    assert client.get(path).status_code == 200


def test_find_users_by_name_or_email(client, admin):
    make_user(display_name="Rachida Lamrani", email="rachida@example.org")
    make_user(display_name="Someone Else")
    html = client.get("/fr/admin/users?q=lamrani").get_data(as_text=True)
    assert "rachida@example.org" in html
    assert "Someone Else" not in html


def test_grant_and_revoke_through_the_pages(client, admin, post_form):
    institution = make_institution()
    target = make_user()
    page = f"/fr/admin/users/{target.id}"
    response = post_form(
        f"{page}/roles", {"role": "officer", "institution_id": str(institution.id)}, form_page=page
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert target.officer_institution_id == institution.id
    grant = target.grants[0]
    response = post_form(f"{page}/roles/{grant.id}/revoke", form_page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert target.roles == set()
    assert db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
        "role.granted",
        "role.revoked",
    ]


def test_granting_an_officer_role_without_institution_shows_an_error(client, admin, post_form):
    target = make_user()
    page = f"/fr/admin/users/{target.id}"
    response = post_form(
        f"{page}/roles", {"role": "officer", "institution_id": "0"}, form_page=page
    )
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)
    assert target.roles == set()


def test_revoke_with_another_users_grant_id_is_not_found(client, admin, post_form):
    a, b = make_user(roles=[Role.OBSERVER]), make_user()
    response = post_form(
        f"/fr/admin/users/{b.id}/roles/{a.grants[0].id}/revoke", form_page=f"/fr/admin/users/{b.id}"
    )
    assert response.status_code == 404


def test_create_and_edit_an_institution(client, admin, post_form, territories):
    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    response = post_form(
        "/fr/admin/institutions/new",
        {
            "kind": "regional_council",
            "name_ar": "مجلس جهة",
            "name_fr": "Conseil régional",
            "name_zgh": "",
            "region_id": str(region.id),
            "province_id": "0",
            "website": "",
        },
    )
    assert response.status_code == 302
    institution = db.session.scalar(sa.select(Institution))
    assert institution.name == {"ar": "مجلس جهة", "fr": "Conseil régional"}
    assert institution.region_id == region.id
    edit = f"/fr/admin/institutions/{institution.id}"
    response = post_form(
        edit,
        {
            "kind": "regional_council",
            "name_fr": "Conseil de la région",
            "region_id": str(region.id),
            "province_id": "0",
        },
    )
    assert response.status_code == 302
    db.session.refresh(institution)
    assert institution.name == {"fr": "Conseil de la région"}
    assert institution.active is False  # the box was not ticked
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["institution.created", "institution.updated"]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "ministry", "name_ar": "", "name_fr": "", "name_zgh": ""},  # no name at all
        {
            "kind": "regional_council",
            "name_fr": "Conseil",
            "region_id": "0",
        },  # council without region
        {"kind": "nonsense", "name_fr": "X"},
        {"kind": "ministry", "name_fr": "X", "website": "not a url"},
    ],
)
def test_invalid_institutions_are_refused(client, admin, post_form, territories, data):
    response = post_form(
        "/fr/admin/institutions/new", {"province_id": "0", "region_id": "0", **data}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Institution)) == 0


def test_edit_a_population(client, admin, post_form, territories):
    province = db.session.scalar(sa.select(Province).where(Province.iso_code == "MA-RAB"))
    path = f"/fr/admin/territories/province/{province.id}"
    assert post_form(path, {"population": "-5", "year": "2024"}).status_code == 400
    assert post_form(path, {"population": "515619", "year": "2024"}).status_code == 302
    db.session.refresh(province)
    assert (province.population, province.population_year) == (515619, 2024)
    assert post_form(path, {"population": "", "year": ""}).status_code == 302
    db.session.refresh(province)
    assert province.population is None
    assert (
        db.session.scalars(sa.select(AuditEntry.action)).all() == ["territory.population_set"] * 2
    )


def test_unknown_territory_kind_is_not_found(client, admin):
    assert client.get("/fr/admin/territories/planet/1").status_code == 404
