"""Loading the plan: 18 commitments in three languages, idempotent, observers' records kept;
`flask ogp load` and `flask seed-demo` run it."""

import json
from datetime import date
from importlib import resources

import sqlalchemy as sa

from participation.core.i18n import LANGUAGES
from participation.extensions import db
from participation.ogp import services
from participation.ogp.models import Commitment
from participation.ogp.plan import theme_name, theme_names
from participation.ogp.queries import get_commitment, list_commitments
from tests.ogp.conftest import TODAY


def _count():
    return db.session.scalar(sa.select(sa.func.count(Commitment.id)))


def test_the_plan_file_has_the_18_commitments_in_three_languages():
    plan = json.loads(
        resources.files("participation.data")
        .joinpath("ogp_commitments_2018_2020.json")
        .read_text(encoding="utf-8")
    )
    assert [c["number"] for c in plan["commitments"]] == list(range(1, 19))
    themes = {t["key"] for t in plan["themes"]}
    for item in plan["commitments"]:
        assert item["theme"] in themes
        assert all(item[f"title_{lang}"].strip() for lang in LANGUAGES)
    for theme in plan["themes"]:
        assert all(theme[f"name_{lang}"].strip() for lang in LANGUAGES)


def test_loading_adds_the_18_commitments_with_the_plan_s_arabic_titles(app):
    assert services.load_commitments() == 18
    db.session.commit()
    commitments = list_commitments()
    assert [c.number for c in commitments] == list(range(1, 19))
    assert all(c.status == "not_started" and set(c.title) == set(LANGUAGES) for c in commitments)
    assert get_commitment(15).title["ar"] == 'إنشاء منصة إلكترونية لـ"مشاركة المواطنين"'
    assert get_commitment(15).theme == "citizen_participation"
    assert (
        get_commitment(1).title["fr"] == "Sensibiliser le public au droit d'accès à l'information"
    )


def test_themes_are_translated():
    assert set(theme_names()) == {
        "access_to_information",
        "integrity_anti_corruption",
        "budget_transparency",
        "citizen_participation",
        "communication",
    }
    assert theme_name("budget_transparency", "ar") == "شفافية الموازنة"
    assert theme_name("budget_transparency", "fr") == "Transparence budgétaire"
    assert theme_name("budget_transparency", "zgh").startswith("ⵜⴰⴼⵔⵓⵔⵉ")


def test_loading_twice_keeps_18_rows_and_the_observers_records(commitments, observer):
    commitment = get_commitment(7)
    services.change_commitment_status(observer, commitment, "delayed")
    services.update_commitment_details(
        observer, commitment, description={"fr": "Portail en préparation."}
    )
    milestone = services.add_milestone(
        observer, commitment, title={"fr": "Appel d'offres"}, due_on=date(2019, 2, 1)
    )
    services.set_milestone_done(observer, milestone, done_on=date(2019, 2, 3), today=TODAY)
    services.add_evidence_link(
        observer, commitment, url="https://www.portail-integrite.ma/", label={}
    )
    services.add_progress_note(observer, commitment, text={"ar": "ملاحظة"}, today=TODAY)
    db.session.commit()

    assert services.load_commitments() == 0
    db.session.commit()

    assert _count() == 18
    commitment = get_commitment(7)
    assert commitment.status == "delayed"
    assert commitment.description == {"fr": "Portail en préparation."}
    assert [(m.title, m.done_on) for m in commitment.milestones] == [
        ({"fr": "Appel d'offres"}, date(2019, 2, 3))
    ]
    assert [link.url for link in commitment.evidence] == ["https://www.portail-integrite.ma/"]
    assert [n.body for n in commitment.notes] == [{"ar": "ملاحظة"}]


def test_loading_restores_missing_commitments_and_title_languages_only(commitments):
    commitment = get_commitment(3)
    commitment.title = {"ar": "عنوان عدّله مسؤول"}
    db.session.delete(get_commitment(18))
    db.session.commit()
    assert services.load_commitments() == 1
    db.session.commit()
    commitment = get_commitment(3)
    assert commitment.title["ar"] == "عنوان عدّله مسؤول"
    assert set(commitment.title) == set(LANGUAGES)
    assert get_commitment(18) is not None


def test_flask_ogp_load_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ogp", "load"])
    assert first.exit_code == 0, first.output
    assert "18 commitments added" in first.output
    second = runner.invoke(args=["ogp", "load"])
    assert "0 commitments added" in second.output
    assert _count() == 18


def test_seed_demo_loads_the_commitments_and_a_record_for_commitment_15(app, demo):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0  # a second time
    assert _count() == 18
    platform = get_commitment(15)
    assert platform.status == "in_progress"
    assert len(platform.milestones) == 2
    assert platform.milestones_done == 1
    assert len(platform.notes) == 1
    assert platform.notes[0].author.email.startswith("observer@")
