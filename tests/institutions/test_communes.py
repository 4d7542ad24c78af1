"""Communes: the shipped file loaded, the ministry's CSV import, the Tifinagh names, the places
lists and their JSON for the script."""

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.extensions import db
from participation.institutions.communes import CommuneFileRefused
from participation.institutions.models import Commune, Institution, Province, Region
from participation.institutions.places import list_places
from participation.institutions.services import import_communes, load_communes
from participation.institutions.tifinagh import is_tifinagh, to_tifinagh
from tests.factories import make_user
from tests.page_text import LATIN_ALLOWED

HEADER = (
    "code,province,name_ar,name_fr,name_zgh,kind,population,population_year,has_arrondissements"
)


@pytest.fixture
def communes(territories):
    load_communes()
    db.session.commit()


def province(iso):
    return db.session.scalar(sa.select(Province).where(Province.iso_code == iso))


def commune(code):
    return db.session.scalar(sa.select(Commune).where(Commune.code == code))


def test_the_shipped_file_gives_every_commune_its_three_names_and_its_province(communes):
    rows = db.session.scalars(sa.select(Commune)).all()
    assert len(rows) == 1503  # RGPH 2024: 1,503 communes (LEGAL.md)
    for row in rows:
        assert row.province_id is not None
        assert set(row.name) == {"ar", "fr", "zgh"} and all(row.name.values()), row.code
        assert is_tifinagh(row.name["zgh"]), row.code
        assert not any("a" <= c.lower() <= "z" for c in row.name["zgh"]), row.code
        assert row.population is not None and row.population_year == 2024
    provinces_with_communes = {row.province_id for row in rows}
    assert len(provinces_with_communes) == 75 == db.session.scalar(sa.func.count(Province.id))
    assert sorted(row.name["fr"] for row in rows if row.has_arrondissements) == [
        "Casablanca",
        "Fès",
        "Marrakech",
        "Rabat",
        "Salé",
        "Tanger",
    ]


def test_each_commune_sits_in_its_census_region(communes):
    """The HCP code starts with the region's code: the province match kept every commune in its
    region."""
    for row in db.session.scalars(sa.select(Commune)):
        region = db.session.get(Region, row.province.region_id)
        assert row.code.split(".")[0] == region.code, row.code


def test_loading_again_adds_nothing_and_keeps_edits(communes):
    tanger = commune("01.511.01.0")
    tanger.population = 1
    db.session.commit()
    assert load_communes() == 0
    assert commune("01.511.01.0").population == 1


@pytest.mark.parametrize(
    "name_ar, name_fr, expected",
    [
        ("فاس", "Fès", "ⴼⴰⵙ"),
        ("الرباط", "Rabat", "ⵔⴱⴰⵟ"),  # the official name drops the article
        ("الحسيمة", "Al Hoceima", "ⵍⵃⵙⵉⵎⴰ"),  # and here keeps it
        ("الصويرة", "Essaouira", "ⵚⵚⵓⵉⵔⴰ"),  # a sun letter takes the article's place
        ("اكزناية", "Gueznaia", "ⴳⵣⵏⴰⵢⴰ"),  # ك written for g
        ("بني ملال", "Béni Mellal", "ⴱⵏⵉ ⵎⵍⵍⴰⵍ"),  # the doubled consonant of the French
        ("تازة", "Taza", "ⵜⴰⵣⴰ"),
        ("أكادير - إدا وتنان", "Agadir-Ida-Outanane", "ⴰⴳⴰⴷⵉⵔ-ⵉⴷⴰ ⵡⵜⵏⴰⵏ"),
    ],
)
def test_tifinagh_names_follow_the_rule(name_ar, name_fr, expected):
    assert to_tifinagh(name_ar, name_fr) == expected


def test_tifinagh_leaves_latin_letters_out():
    assert is_tifinagh(to_tifinagh("سيدي 2 Ali", "Sidi 2 Ali"))


# The ministry's CSV -------------------------------------------------------------------------


def csv_file(*lines):
    return "\n".join([HEADER, *lines]) + "\n"


def test_import_adds_updates_and_counts_by_code(communes):
    text = csv_file(
        "01.511.01.0,MA-TNG,طنجة,Tanger,,urban,1300000,2025,yes",  # changed population
        "01.511.01.01,MA-TNG,أصيلة,Assilah,ⴰⵚⵚⵉⵍⴰ,urban,36039,2024,no",  # as shipped but zgh
        "99.999.01.01,MA-TNG,جماعة جديدة,Nouvelle commune,,rural,,,",
    )
    result = import_communes(text)
    db.session.commit()
    assert (result.added, result.updated, result.unchanged) == (1, 2, 0)
    assert commune("01.511.01.0").population == 1300000
    assert commune("01.511.01.0").population_year == 2025
    assert commune("01.511.01.01").name["zgh"] == "ⴰⵚⵚⵉⵍⴰ"
    new = commune("99.999.01.01")
    assert new.province_id == province("MA-TNG").id
    assert new.name["fr"] == "Nouvelle commune" and is_tifinagh(new.name["zgh"])
    assert new.population is None and new.kind == "rural" and not new.has_arrondissements
    again = import_communes(text)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_a_dry_run_counts_and_writes_nothing(communes):
    text = csv_file(
        "01.511.01.0,MA-TNG,طنجة,Tanger,,urban,5,2025,yes",
        "99.999.01.01,MA-TNG,جماعة جديدة,Nouvelle commune,,rural,,,",
    )
    result = import_communes(text, dry_run=True)
    db.session.rollback()
    assert (result.added, result.updated) == (1, 1)
    assert commune("99.999.01.01") is None
    assert commune("01.511.01.0").population == 1275428


def test_a_file_with_a_bad_line_changes_nothing_and_names_every_problem(communes):
    text = csv_file(
        "99.999.01.01,MA-TNG,جماعة,Une commune,,rural,100,2024,no",
        "99.999.01.02,MA-XXX,جماعة,Commune,,rural,,,",
        "99.999.01.03,MA-TNG,,Sans nom arabe,,village,-4,2024,maybe",
        "abc,MA-TNG,جماعة,Commune,,urban,12,,",
        "99.999.01.01,MA-TNG,جماعة,Double,,rural,,,",
        "99.999.01.05,MA-TNG,جماعة,Latin,ⵜⴰ latin,rural,,,",
    )
    with pytest.raises(CommuneFileRefused) as refused:
        import_communes(text)
    problems = [str(p) for p in refused.value.problems]
    assert problems == [
        "line 3: province 'MA-XXX' is not a known ISO 3166-2 code",
        "line 4: name_ar is empty",
        "line 4: kind must be urban or rural, not 'village'",
        "line 4: population must be a whole number, not '-4'",
        "line 4: has_arrondissements must be yes or no, not 'maybe'",
        "line 5: code 'abc' is not digits and dots (at most 16 characters)",
        "line 5: population_year is required with a population",
        "line 6: code 99.999.01.01 is already on line 2",
        "line 7: name_zgh 'ⵜⴰ latin' is not written in Tifinagh letters",
    ]
    db.session.rollback()
    assert commune("99.999.01.01") is None


@pytest.mark.parametrize(
    "text, problem",
    [
        ("code,name_fr\n1,x\n", "line 1: the header lacks the column(s): province, name_ar, kind"),
        (HEADER + "\n", "the file has no commune"),
        (
            HEADER + "\n99.1,MA-TNG,جماعة,Commune,,rural,,,,extra\n",
            "line 2: more values than columns",
        ),
    ],
)
def test_a_malformed_file_is_refused(territories, text, problem):
    with pytest.raises(CommuneFileRefused) as refused:
        import_communes(text)
    assert [str(p) for p in refused.value.problems] == [problem]


def test_the_import_command_reports_per_line_and_exits_non_zero(app, communes, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_file("99.1,MA-XXX,جماعة,Commune,,rural,,,"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["territories", "import-communes", str(bad)])
    assert result.exit_code == 1
    assert "line 2: province 'MA-XXX' is not a known ISO 3166-2 code" in result.output
    assert "nothing was imported" in result.output


def test_the_import_command_reads_a_spreadsheet_export_and_has_a_dry_run(app, communes, tmp_path):
    good = tmp_path / "good.csv"
    # Spreadsheets save UTF-8 with a byte-order mark.
    good.write_text(csv_file("99.1,MA-TNG,جماعة,Commune,,rural,10,2024,no"), encoding="utf-8-sig")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["territories", "import-communes", "--dry-run", str(good)])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing written: 1 would be added, 0 updated, 0 unchanged" in dry.output
    assert commune("99.1") is None
    real = runner.invoke(args=["territories", "import-communes", str(good)])
    assert real.exit_code == 0, real.output
    assert "1 communes added, 0 updated, 0 unchanged" in real.output
    assert commune("99.1").population == 10


def test_the_import_command_refuses_a_file_that_is_not_utf8(app, territories, tmp_path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(csv_file("99.1,MA-TNG,x,Fès,,rural,,,").encode("latin-1"))
    result = app.test_cli_runner().invoke(args=["territories", "import-communes", str(latin1)])
    assert result.exit_code == 1
    assert "the file is not UTF-8 text" in result.output


def test_territories_load_loads_the_communes_too(app):
    result = app.test_cli_runner().invoke(args=["territories", "load"])
    assert result.exit_code == 0
    assert "1503 communes added" in result.output
    assert (
        app.test_cli_runner()
        .invoke(args=["territories", "load"])
        .output.endswith("0 communes added\n")
    )


# The lists ----------------------------------------------------------------------------------


def test_each_list_holds_the_places_inside_the_one_chosen_above(communes):
    tanger_assilah = province("MA-TNG")
    places = list_places(tanger_assilah.region_id, tanger_assilah.id)
    assert {p.region_id for p in places.provinces} == {tanger_assilah.region_id}
    assert len(places.provinces) == 8
    assert {c.province_id for c in places.communes} == {tanger_assilah.id}
    assert len(places.communes) == 12
    # A province outside the chosen region lists no commune.
    assert list_places(tanger_assilah.region_id, province("MA-RAB").id).communes == []
    assert list_places(None, None).provinces == []


def test_the_json_lists_for_the_script(client, communes):
    tanger_assilah = province("MA-TNG")
    provinces = client.get(f"/fr/places/provinces.json?region={tanger_assilah.region_id}")
    assert provinces.status_code == 200
    assert "public" in provinces.headers["Cache-Control"]
    assert {"id": tanger_assilah.id, "name": "Tanger-Assilah"} in provinces.json
    assert len(provinces.json) == 8
    names = client.get(f"/ar/places/communes.json?province={tanger_assilah.id}").json
    assert {"id": commune("01.511.01.0").id, "name": "طنجة"} in names
    assert len(names) == 12
    zgh = client.get(f"/zgh/places/communes.json?province={tanger_assilah.id}").json
    assert all(is_tifinagh(item["name"]) for item in zgh)
    for bad in ("", "?province=abc", "?province=-1", "?province=99999999999"):
        answer = client.get(f"/fr/places/communes.json{bad}")
        assert answer.status_code == 200 and answer.json == []


def test_latin_allow_list_is_not_needed_for_commune_names(communes):
    """zgh pages show commune names: none needs the Latin allow-list of tests/page_text.py."""
    names = db.session.scalars(sa.select(Commune.name)).all()
    assert not any(word in name["zgh"] for name in names for word in LATIN_ALLOWED)


def test_an_administrator_links_a_communal_council_to_its_commune(
    client, login, post_form, communes
):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    tanger = commune("01.511.01.0")
    form = {
        "kind": "communal_council",
        "name_fr": "Conseil communal de Tanger",
        "region_id": str(tanger.province.region_id),
        "province_id": str(tanger.province_id),
        "commune_id": str(commune("04.421.01.0").id),  # Rabat: not in Tanger-Assilah
    }
    refused = post_form("/fr/admin/institutions/new", form)
    assert "Cette commune ne fait pas partie de la préfecture ou province choisie." in (
        refused.get_data(as_text=True)
    )
    assert (
        post_form("/fr/admin/institutions/new", {**form, "commune_id": str(tanger.id)}).status_code
        == 302
    )
    council = db.session.scalar(sa.select(Institution).where(Institution.commune_id == tanger.id))
    assert council.province_id == tanger.province_id
