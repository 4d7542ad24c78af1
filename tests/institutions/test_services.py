import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from participation.institutions.models import Province, Region
from participation.institutions.services import create_institution, load_territories, set_population
from tests.factories import make_user


def test_load_territories_gives_12_regions_and_75_provinces_once(app):
    assert load_territories() == 87
    assert load_territories() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 12
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Province)) == 75
    kinds = db.session.scalars(sa.select(Province.kind)).all()
    assert kinds.count("prefecture") == 13
    assert kinds.count("province") == 62


def test_loading_again_keeps_administrator_edits(app):
    load_territories()
    region = db.session.scalar(sa.select(Region).where(Region.code == "01"))
    region.population = 1
    db.session.commit()
    load_territories()
    assert db.session.get(Region, region.id).population == 1


def test_region_names_exist_in_amazigh_and_fall_back_to_french_without_one(app):
    load_territories()
    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    assert region.display_name("zgh") == "ⵔⴱⴰⵟ-ⵙⵍⴰ-ⵇⵏⵉⵟⵔⴰ"
    assert region.display_name("ar") == "الرباط - سلا - القنيطرة"
    region.name = {"ar": region.name["ar"], "fr": region.name["fr"]}
    assert region.display_name("zgh") == "Rabat-Salé-Kénitra"


def test_only_administrators_manage_institutions(app):
    with pytest.raises(PermissionDenied):
        create_institution(make_user(roles=[Role.MODERATOR]), kind="ministry", names={"fr": "X"})


def test_territorial_councils_need_a_region(app):
    admin = make_user(roles=[Role.ADMINISTRATOR])
    with pytest.raises(DomainError):
        create_institution(admin, kind="communal_council", names={"fr": "Conseil communal"})


def test_population_cannot_be_negative(app):
    load_territories()
    admin = make_user(roles=[Role.ADMINISTRATOR])
    region = db.session.scalar(sa.select(Region))
    with pytest.raises(DomainError):
        set_population(admin, region, population=-1)
    with pytest.raises(PermissionDenied):
        set_population(make_user(), region, population=5)


def test_api_lists_regions_and_institutions(client, territories):
    admin = make_user(roles=[Role.ADMINISTRATOR])
    create_institution(admin, kind="ministry", names={"fr": "Ministère"})
    db.session.commit()
    regions = client.get("/api/v1/regions")
    assert regions.status_code == 200
    assert "public" in regions.headers["Cache-Control"]
    data = regions.get_json()["data"]
    assert len(data) == 12
    assert sum(len(r["provinces"]) for r in data) == 75
    institutions = client.get("/api/v1/institutions").get_json()["data"]
    assert institutions[0]["name"] == {"fr": "Ministère"}
