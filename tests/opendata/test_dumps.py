"""Open-data dumps: `flask open-data dump` writes every dataset as CSV and JSON with only public
data, the public page lists the files with the data dictionary (and says when a file is missing),
and downloads are limited to the dumps' own file names."""

import io
import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.opendata.dumps import DATASETS, dump_directory
from tests.opendata.dump_files import read_csv, read_json


@pytest.fixture
def dumped(app, seeded):
    result = app.test_cli_runner().invoke(args=["open-data", "dump"])
    assert result.exit_code == 0, result.output
    assert f"{2 * len(DATASETS)} files written" in result.output
    return seeded


def test_every_dataset_has_matching_csv_and_json(dumped):
    for dataset in DATASETS:
        rows, records = read_csv(f"{dataset.name}.csv"), read_json(f"{dataset.name}.json")
        assert len(rows) == len(records)
        assert (list(rows[0]) if rows else dataset.header) == dataset.header
        assert all(list(record) == dataset.header for record in records)


def test_comments_dump_holds_only_public_comments(dumped):
    rows = read_csv("comments.csv")
    assert sorted(int(r["comment_id"]) for r in rows) == sorted(
        c.id for c in dumped.public_comments
    )
    official = next(r for r in rows if int(r["comment_id"]) == dumped.official.id)
    assert (
        official["official_answer"] == "True"
        and int(official["institution_id"]) == dumped.ministry.id
    )
    reply = next(r for r in read_json("comments.json") if r["comment_id"] == dumped.reply.id)
    assert (
        reply["parent_id"] == dumped.official.id
        and reply["consultation_id"] == dumped.consultation.id
    )
    assert reply["author"] == "Amina B." and reply["section_id"] is None


def test_consultations_and_sections_dumps(dumped):
    consultations = read_json("consultations.json")
    assert [c["consultation_id"] for c in consultations] == [
        dumped.consultation.id
    ]  # not the draft
    assert consultations[0]["title_zgh"] == "ⴰⵙⵏⴼⵍ" and consultations[0]["comment_count"] == 4
    sections = read_json("sections.json")
    assert [(s["position"], s["comment_count"], s["agree"]) for s in sections] == [
        (1, 1, 1),
        (2, 0, 0),
    ]


def test_petition_dumps_have_counts_by_region_and_steps(dumped):
    petitions = {p["petition_id"]: p for p in read_json("petitions.json")}
    assert set(petitions) == {dumped.open_petition.id, dumped.deposited.id}
    assert petitions[dumped.open_petition.id]["signature_count"] == 3
    by_region = [
        r
        for r in read_json("petition_signatures_by_region.json")
        if r["petition_id"] == dumped.deposited.id
    ]
    # Two signatures from one region: withheld as in the statistics (issue 16, item 11).
    assert [(r["signature_count"], r["fewer_than"]) for r in by_region] == [(None, 5)]
    assert all(r["region"] for r in by_region)
    steps = read_json("petition_steps.json")
    assert [(s["petition_id"], s["kind"]) for s in steps] == [
        (dumped.deposited.id, "receipt"),
        (dumped.deposited.id, "referral"),
    ]
    assert steps[1]["body_ar"] == "إحالة" and steps[1]["body_zgh"] is None


def test_reference_dumps(dumped):
    assert len(read_json("regions.json")) == 12 and len(read_json("provinces.json")) == 75
    assert dumped.ministry.id in {i["institution_id"] for i in read_json("institutions.json")}


def test_communes_dump(app, seeded):
    from participation.institutions.queries import count_communes, get_commune_by_code
    from participation.institutions.services import load_communes

    load_communes()
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["open-data", "dump"]).exit_code == 0
    communes, rows = read_json("communes.json"), read_csv("communes.csv")
    assert len(communes) == len(rows) == count_communes() > 1500
    assert [c["code"] for c in communes] == sorted(c["code"] for c in communes)
    tangier = get_commune_by_code("01.511.01.0")
    assert next(c for c in communes if c["code"] == "01.511.01.0") == {
        "commune_id": tangier.id,
        "code": "01.511.01.0",
        "province_id": tangier.province_id,
        "kind": "urban",
        "population": 1275428,
        "population_year": 2024,
        "has_arrondissements": True,
        "name_ar": "طنجة",
        "name_fr": "Tanger",
        "name_zgh": "ⵟⵏⵊⴰ",
    }
    row = next(r for r in rows if r["code"] == "01.511.01.0")
    assert row["has_arrondissements"] == "True" and row["population"] == "1275428"
    provinces = {p["province_id"]: p["iso_code"] for p in read_json("provinces.json")}
    assert provinces[tangier.province_id] == "MA-TNG"
    assert {c["province_id"] for c in communes} <= set(provinces)


def test_dump_command_shows_its_progress_in_files(app, seeded):
    result = app.test_cli_runner().invoke(args=["open-data", "dump"])
    assert result.exit_code == 0, result.output
    total = 2 * len(DATASETS)
    lines = result.output.splitlines()
    # Not a terminal: a plain line each tenth of the files, then the total, then the result.
    done = [
        int(
            re.fullmatch(rf"open-data dump: (\d+)/{total} files \(\d+ %\)(, about .+ left)?", line)[
                1
            ]
        )
        for line in lines[:-2]
    ]
    assert len(done) == 9 and done == sorted(done) and done[0] < total / 5
    assert lines[-2].startswith(f"open-data dump: {total}/{total} files (100 %) in ")
    assert lines[-1].startswith(f"{total} files written to ")


def test_dump_on_a_terminal_shows_clicks_bar(app, seeded, tmp_path):
    from participation.core.progress import tracker
    from participation.opendata.dumps import write_dumps

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    names = write_dumps(tmp_path / "dumps", track=tracker("open-data dump", stream=terminal))
    assert sorted(path.name for path in (tmp_path / "dumps").iterdir()) == sorted(names)
    total = 2 * len(DATASETS)
    assert "open-data dump: files" in terminal.getvalue() and "[####" in terminal.getvalue()
    assert f"{total}/{total}" in terminal.getvalue()


def test_no_personal_data_in_any_dump(dumped):
    for path in dump_directory().iterdir():
        text = path.read_text(encoding="utf-8")
        assert not [secret for secret in dumped.secrets if secret in text], path.name
        for left_out in ("caché", "en attente", "bloquée", "supprimé", "Sur un brouillon"):
            assert left_out not in text, path.name


def test_csv_cells_cannot_run_as_formulas(app, seeded):
    from tests.api.seed import make_comment
    from participation.extensions import db

    make_comment(
        "consultation",
        seeded.consultation.id,
        seeded.official.author,
        body='=HYPERLINK("http://evil")',
    )
    db.session.commit()
    app.test_cli_runner().invoke(args=["open-data", "dump"])
    texts = [r["text"] for r in read_csv("comments.csv")]
    assert '\'=HYPERLINK("http://evil")' in texts


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_page_lists_downloads_and_the_data_dictionary(client, dumped, lang):
    response = client.get(f"/{lang}/open-data/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for dataset in DATASETS:
        assert (
            f'href="/{lang}/open-data/{dataset.name}.csv"' in html
            and f'href="/{lang}/open-data/{dataset.name}.json"' in html
        )
    assert "title_ar, title_fr, title_zgh" in html and "signature_count" in html
    assert 'href="/api/v1/openapi.json"' in html


def test_page_says_when_dumps_are_missing(client, app):
    response = client.get("/fr/open-data/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("pas encore généré") == 2 * len(DATASETS)
    assert "comments.csv" in html and 'href="/fr/open-data/comments.csv"' not in html
    assert client.get("/fr/open-data/comments.csv").status_code == 404


def test_download_serves_a_dump_and_nothing_else(client, dumped):
    response = client.get("/fr/open-data/petitions.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.data.decode("utf-8").startswith("\ufeffpetition_id,")
    assert "public" in response.headers["Cache-Control"]
    response.close()
    for name in ("..%2Fconfig.py", "petitions.csv.part", "other.csv", "%2Fetc%2Fpasswd"):
        assert client.get(f"/fr/open-data/{name}").status_code == 404


def test_footer_links_the_open_data_page(client, app):
    assert 'href="/fr/open-data/"' in client.get("/fr/").get_data(as_text=True)


def run_verify_counts(*args):
    """tools/verify_counts.py (standard library only) in a subprocess, as a third party runs it."""
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_counts.py"
    return subprocess.run(
        [sys.executable, str(tool), *args], capture_output=True, text=True, timeout=120
    )


def test_count_log_and_receipts_dumps_pass_the_verifier_and_reveal_tampering(app, seeded):
    """Issue 17: the count log, its changes and the receipt hashes in the dumps, enough for
    tools/verify_counts.py --dump; a row deleted behind the platform's back is then detected."""
    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.petitions import countlog, signing
    from participation.petitions.models import Signature
    from participation.auth.models import User

    petition = seeded.open_petition
    countlog.append_entry(petition.id, "tick")
    db.session.commit()
    signatures = db.session.scalars(
        sa.select(Signature).where(Signature.petition_id == petition.id).order_by(Signature.id)
    ).all()
    withdrawn_hash = signatures[0].receipt_hash
    signing.withdraw_signature(db.session.get(User, signatures[0].user_id), petition)
    db.session.commit()
    countlog.append_entry(petition.id, "tick", now=utcnow() + timedelta(days=1))
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["open-data", "dump"]).exit_code == 0

    log = [e for e in read_json("petition_count_log.json") if e["petition_id"] == petition.id]
    assert [(e["sequence"], e["count"], e["event"]) for e in log] == [
        (1, 3, "tick"),
        (2, 2, "tick"),
    ]
    assert log[1]["previous_hash"] == log[0]["entry_hash"]
    changes = [
        (c["sequence"], c["change"], c["receipt_hash"], c["reason"])
        for c in read_json("petition_count_log_changes.json")
        if c["petition_id"] == petition.id
    ]
    assert sorted(changes)[-1] == (2, "removed", withdrawn_hash, "withdrawn")
    assert sum(1 for c in changes if c[1] == "added") == 3
    receipts = [r for r in read_json("petition_receipts.json") if r["petition_id"] == petition.id]
    assert sorted(r["status"] for r in receipts) == ["counted", "counted", "withdrawn"]
    # The CSV has the same rows, and the deposited petition's receipts are listed too.
    assert len(read_csv("petition_receipts.csv")) == len(read_json("petition_receipts.json"))
    assert {r["petition_id"] for r in read_json("petition_receipts.json")} == {
        petition.id,
        seeded.deposited.id,
    }

    result = run_verify_counts("--dump", str(dump_directory()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problems" in result.stdout

    # A counted row deleted straight in the database, then a new dump: detected.
    db.session.execute(sa.delete(Signature).where(Signature.id == signatures[1].id))
    db.session.commit()
    app.test_cli_runner().invoke(args=["open-data", "dump"])
    result = run_verify_counts("--dump", str(dump_directory()), "--petition", str(petition.id))
    assert result.returncode == 1
    assert "behind the platform's back" in result.stderr


def test_verifier_reports_a_dump_whose_changes_name_a_missing_entry(tmp_path):
    (tmp_path / "petition_count_log.json").write_text("[]")
    (tmp_path / "petition_count_log_changes.json").write_text(
        json.dumps(
            [
                {
                    "petition_id": 7,
                    "sequence": 1,
                    "change": "added",
                    "receipt_hash": "0" * 64,
                    "reason": "signed",
                }
            ]
        )
    )
    (tmp_path / "petition_receipts.json").write_text("[]")
    result = run_verify_counts("--dump", str(tmp_path))
    assert result.returncode == 1 and "absent from petition_count_log" in result.stderr
    assert run_verify_counts("--dump", str(tmp_path / "nowhere")).returncode == 1
