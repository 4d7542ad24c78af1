"""Verifiable counts (issue 17, docs/verifiable-counts.md): receipts, the append-only count log,
inclusion proofs, the standalone verifier (run as a subprocess on the API's answers), tampering
behind the platform's back, and anonymisation."""

import json
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from participation.core.audit import AppendOnlyViolation
from participation.core.models import utcnow
from participation.extensions import db
from participation.petitions import countlog, merkle, receipts, signing
from participation.petitions.models import CountLogEntry, Signature
from participation.petitions.processing import anonymise_ended_petitions
from tests.petition_world import citizen, open_petition

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_counts.py"


def sign(petition, user=None):
    user = user or citizen()
    made = signing.sign_petition(user, petition, consent=True)
    db.session.commit()
    return user, made.code


def log_of(client, petition):
    answer = client.get(f"/api/v1/petitions/{petition.id}/log")
    assert answer.status_code == 200
    return answer.get_json()


def run_verifier(tmp_path, log, *extra):
    """tools/verify_counts.py in a subprocess on a dump directory made of the API's answer (the
    tool reads the API's JSON with --api; here a tiny file server is not needed: --previous and
    --proof read files, and the API's shape is checked through the dump-free path below)."""
    served = tmp_path / "served.json"
    served.write_text(json.dumps({str(log["petition_id"]): log}))
    return subprocess.run(
        [sys.executable, str(TOOL), "--logs", str(served), *extra],
        capture_output=True,
        text=True,
    )


def test_receipt_code_and_hash():
    code, digest = receipts.new_receipt()
    assert len(code.replace("-", "")) == 32 and code.count("-") == 7
    assert receipts.hash_of_code(code) == digest
    assert receipts.hash_of_code(code.lower().replace("-", " ")) == digest
    assert receipts.hash_of_code("ABCD") is None and receipts.hash_of_code("") is None
    assert digest != receipts.new_receipt()[1]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_every_leaf_proves_its_inclusion(size):
    hashes = [receipts.new_receipt()[1] for _ in range(size)]
    root = merkle.merkle_root(hashes)
    for h in hashes:
        assert merkle.root_from_proof(h, merkle.inclusion_proof(hashes, h)) == root
    assert merkle.inclusion_proof(hashes, receipts.new_receipt()[1]) is None
    assert merkle.merkle_root([]) == merkle.EMPTY_ROOT


def test_a_receipt_verifies_with_its_proof_and_a_withdrawal_is_a_removal(
    app, client, world, tmp_path
):
    petition, *_ = open_petition()
    signer, code = sign(petition)
    _other, other_code = sign(petition)
    assert countlog.append_entry(petition.id, "tick") is not None
    db.session.commit()
    standing = countlog.get_receipt_standing(petition.id, receipts.hash_of_code(code))
    assert standing.state == "counted" and standing.entry.sequence == 1
    assert merkle.root_from_proof(standing.receipt_hash, standing.proof) == standing.entry.root

    # The verify page answers, with the path, and never caches it.
    page = client.get(f"/fr/petitions/{petition.id}/verify")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]

    signing.withdraw_signature(signer, petition)
    db.session.commit()
    assert countlog.get_receipt_standing(petition.id, standing.receipt_hash).state == "withdrawn"
    entry = countlog.append_entry(petition.id, "tick", now=utcnow() + timedelta(days=1))
    db.session.commit()
    assert entry.removed == [[standing.receipt_hash, "withdrawn"]] and entry.count == 1
    assert entry.previous_hash != countlog.GENESIS

    log = log_of(client, petition)
    result = run_verifier(tmp_path, log, "--petition", str(petition.id), "--code", other_code)
    assert result.returncode == 0, result.stderr
    result = run_verifier(tmp_path, log, "--petition", str(petition.id), "--code", code)
    assert result.returncode == 1 and "not counted" in result.stderr

    # The downloaded proof, checked by the tool.
    other = countlog.get_receipt_standing(petition.id, receipts.hash_of_code(other_code))
    from participation.petitions.count_views import proof_json

    proof_file = tmp_path / "proof.json"
    proof_file.write_text(json.dumps(proof_json(petition.id, other)))
    assert run_verifier(tmp_path, log, "--proof", str(proof_file)).returncode == 0
    forged = proof_json(petition.id, other) | {"receipt_hash": receipts.new_receipt()[1]}
    proof_file.write_text(json.dumps(forged))
    result = run_verifier(tmp_path, log, "--proof", str(proof_file))
    assert result.returncode == 1 and "root" in result.stderr


def test_a_row_deleted_or_altered_behind_the_platforms_back_is_detected(
    app, client, world, tmp_path
):
    petition, *_ = open_petition()
    codes = [sign(petition)[1] for _ in range(3)]
    countlog.append_entry(petition.id, "tick")
    db.session.commit()
    earlier = tmp_path / "earlier.json"
    assert run_verifier(tmp_path, log_of(client, petition), "--save", str(earlier)).returncode == 0

    # A row deleted straight in the database (no withdrawal recorded, counters untouched) ...
    db.session.execute(
        sa.delete(Signature).where(Signature.receipt_hash == receipts.hash_of_code(codes[0]))
    )
    # ... and another one altered (its receipt hash replaced).
    db.session.execute(
        sa.update(Signature)
        .where(Signature.receipt_hash == receipts.hash_of_code(codes[1]))
        .values(receipt_hash=receipts.new_receipt()[1])
    )
    db.session.commit()
    result = run_verifier(tmp_path, log_of(client, petition), "--previous", str(earlier))
    assert result.returncode == 1
    assert "behind the platform's back" in result.stderr
    assert "count shown is 3 but 2" in result.stderr

    # The next entry records what vanished as unaccounted, which the verifier flags too.
    entry = countlog.append_entry(petition.id, "tick", now=utcnow() + timedelta(days=1))
    db.session.commit()
    assert {reason for _h, reason in entry.removed} == {"unaccounted"}
    result = run_verifier(tmp_path, log_of(client, petition), "--previous", str(earlier))
    assert result.returncode == 1 and "without a recorded reason" in result.stderr


def test_an_edited_entry_breaks_the_chain_and_is_refused_by_orm_and_database(
    app, client, world, tmp_path
):
    petition, *_ = open_petition()
    sign(petition)
    countlog.append_entry(petition.id, "tick")
    sign(petition)
    countlog.append_entry(petition.id, "tick", now=utcnow() + timedelta(days=1))
    db.session.commit()
    log = log_of(client, petition)
    assert run_verifier(tmp_path, log).returncode == 0

    edited = json.loads(json.dumps(log))
    edited["entries"][0]["count"] += 1
    result = run_verifier(tmp_path, edited)
    assert result.returncode == 1 and "does not match its content" in result.stderr
    rehashed = json.loads(json.dumps(log))
    rehashed["entries"][0]["root"] = merkle.EMPTY_ROOT
    result = run_verifier(tmp_path, rehashed)
    assert result.returncode == 1 and "root does not match" in result.stderr

    entry = db.session.scalar(sa.select(CountLogEntry).where(CountLogEntry.sequence == 1))
    entry.count = 99
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    for statement in (
        sa.update(CountLogEntry).values(count=99),
        sa.delete(CountLogEntry),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()


def test_anonymisation_leaves_verification_intact(app, client, world, tmp_path):
    petition, initiator, _members = open_petition()
    _signer, code = sign(petition)
    countlog.append_entry(petition.id, "tick")
    db.session.commit()
    before = log_of(client, petition)
    petition.state = "expired"  # ended long ago (the transition is tested elsewhere)
    petition.decided_at = utcnow() - timedelta(days=app.config["SIGNATORY_RETENTION_DAYS"] + 1)
    db.session.commit()
    assert anonymise_ended_petitions() == 1
    db.session.commit()
    assert db.session.scalar(sa.select(Signature.user_id)) is None
    after = log_of(client, petition)
    assert after["entries"] == before["entries"]
    assert after["current"]["receipt_hashes"] == before["current"]["receipt_hashes"]
    standing = countlog.get_receipt_standing(petition.id, receipts.hash_of_code(code))
    assert standing.state == "counted" and standing.proof is not None
    result = run_verifier(tmp_path, after, "--petition", str(petition.id), "--code", code)
    assert result.returncode == 0, result.stderr


def test_a_change_of_state_appends_an_entry_and_the_tick_at_most_daily(app, world):
    from participation.petitions import services

    petition, initiator, _members = open_petition()
    sign(petition)
    now = utcnow()
    assert countlog.append_due_entries(now=now) == 1  # the first entry
    sign(petition)
    assert countlog.append_due_entries(now=now + timedelta(hours=1)) == 0  # not yet a day
    assert countlog.append_due_entries(now=now + timedelta(days=1)) == 1
    assert countlog.append_due_entries(now=now + timedelta(days=2)) == 0  # nothing changed
    services.withdraw_petition(initiator, petition, reason="Plus besoin.")
    db.session.commit()
    entries = countlog.list_entries(petition.id)
    assert [e.event for e in entries] == ["tick", "tick", "withdrawn"]
    assert entries[-1].count == 2


def test_the_demo_data_carries_receipts_and_a_log_that_the_verifier_accepts(
    app, client, tmp_path, demo
):
    """Issue 17, done-when: `flask seed-demo` (which runs the jobs once at its end) leaves
    receipts and count log entries, and tools/verify_counts.py passes on them: on the open-data
    dump (--dump) and on the API's answers for every public petition (what --api reads)."""
    from participation.opendata.dumps import dump_directory

    counted = db.session.scalar(sa.select(sa.func.count()).where(Signature.status == "counted"))
    assert counted > 0
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(
            Signature.status == "counted", Signature.receipt_hash.is_(None)
        )
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CountLogEntry)) > 0

    assert app.test_cli_runner().invoke(args=["open-data", "dump"]).exit_code == 0
    result = subprocess.run(
        [sys.executable, str(TOOL), "--dump", str(dump_directory())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 problems" in result.stdout

    listing = client.get("/api/v1/petitions?per_page=100").get_json()
    logs = {}
    for item in listing["data"]:
        answer = client.get(f"/api/v1/petitions/{item['id']}/log")
        assert answer.status_code == 200
        logs[str(item["id"])] = answer.get_json()
    assert any(log["entries"] for log in logs.values())
    served = tmp_path / "served.json"
    served.write_text(json.dumps(logs))
    result = subprocess.run(
        [sys.executable, str(TOOL), "--logs", str(served)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr

    # And --api itself, against the application served over HTTP (as CI runs it against the
    # README's server): the petitions listing, then each log.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [sys.executable, str(TOOL), "--api", f"http://127.0.0.1:{server.port}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(logs)} petitions" in result.stdout and " 0 problems" in result.stdout
