"""The addressee's legal signatory export through its route (issue 11, finding 8): the CSV is
complete and correct, it is streamed from rows read on a connection of its own (it used to fail
with a DetachedInstanceError once the request had committed), the audit entry records what was
delivered once it was delivered, an abandoned download records only the rows that left, and the
streaming's memory stays bounded whatever the number of signatures (100,000 on PostgreSQL)."""

import csv
import io
import tracemalloc

import pytest
import sqlalchemy as sa

from participation.core.audit import AuditEntry
from participation.core.crypto import decrypt, encrypt
from participation.extensions import db
from participation.petitions import processing
from participation.petitions.models import Signature
from tests.conftest import POSTGRES_URL
from tests.petition_world import addressee_officer, deposited

EXPORTED = "petition.signatories_exported"


def export_path(petition):
    return f"/fr/institution/petitions/{petition.id}/signatories.csv"


def audit_entries():
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == EXPORTED).order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def officer_of(client, login):
    def sign_in(petition):
        officer = addressee_officer(petition)
        db.session.commit()
        login(officer)
        return officer

    return sign_in


def start_export(post_form, petition):
    """POST the export and return the response without reading its body."""
    response = post_form(
        export_path(petition),
        {},
        form_page=f"/fr/institution/petitions/{petition.id}",
        buffered=False,
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    return response


def test_the_export_is_complete_and_audited_once_delivered(client, post_form, world, officer_of):
    petition, people = deposited(signers=3)
    officer = officer_of(petition)
    response = start_export(post_form, petition)
    assert audit_entries() == []  # nothing has left yet
    body = b"".join(response.response).decode("utf-8")
    response.close()
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0] == list(processing.SIGNATORY_COLUMNS)
    rows = table[1:]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    signatures = db.session.scalars(
        sa.select(Signature).where(Signature.petition_id == petition.id).order_by(Signature.id)
    ).all()
    for row, signature in zip(rows, signatures, strict=True):
        assert row[1:4] == [
            signature.last_name,
            signature.first_name,
            decrypt(signature.cin_encrypted),
        ]
        assert row[4] == signature.cin_expiry.isoformat() and row[5] == signature.address
        assert row[8] == signature.created_at.isoformat(timespec="seconds")
        assert row[6] and row[7]  # region and province names
    assert {row[3] for row in rows} == {decrypt(p.identity.cin_encrypted) for p in people}
    entries = audit_entries()
    assert len(entries) == 1
    assert entries[0].actor_id == officer.id and (entries[0].target_type, entries[0].target_id) == (
        "petitions",
        petition.id,
    )
    assert entries[0].details == {"rows": 3, "complete": True}


def test_an_abandoned_export_audits_only_the_rows_that_left(
    client, post_form, world, officer_of, monkeypatch
):
    monkeypatch.setattr(processing, "EXPORT_CHUNK_ROWS", 2)
    petition, _people = deposited(signers=5)
    officer_of(petition)
    response = start_export(post_form, petition)
    chunks = iter(response.response)
    assert next(chunks).decode("utf-8").startswith("\ufeffnumber,")
    first = next(chunks)  # rows 1-2: handed to the server, not yet known to be written
    assert first.count(b"\n") == 2
    next(chunks)  # the server asks for more: rows 1-2 were written; rows 3-4 handed over
    response.close()  # the client went away
    entries = audit_entries()
    assert [entry.details for entry in entries] == [{"rows": 2, "complete": False}]


def test_an_export_abandoned_before_any_signatory_left_is_not_audited(
    client, post_form, world, officer_of
):
    petition, _people = deposited(signers=2)
    officer_of(petition)
    response = start_export(post_form, petition)
    chunks = iter(response.response)
    next(chunks)  # the header only
    response.close()
    assert audit_entries() == []


def test_an_export_with_no_signatory_left_is_audited(client, post_form, world, officer_of):
    petition, _people = deposited(signers=2)
    db.session.execute(
        sa.update(Signature).where(Signature.petition_id == petition.id).values(status="suspect")
    )
    db.session.commit()
    officer_of(petition)
    response = start_export(post_form, petition)
    body = b"".join(response.response).decode("utf-8")
    response.close()
    assert body.count("\n") == 1  # the header
    assert [entry.details for entry in audit_entries()] == [{"rows": 0, "complete": True}]


def bulk_signatures(petition, count):
    """`count` counted signatures in one INSERT ... SELECT generate_series (not through the service)."""
    model = db.session.scalar(
        sa.select(Signature).where(Signature.petition_id == petition.id).limit(1)
    )
    db.session.execute(
        sa.text("""
            INSERT INTO petition_signatures (petition_id, cin_hash, region_id, province_id, first_name, last_name, address,
                                             cin_encrypted, cin_expiry, status, shard, created_at)
            SELECT :petition_id, 'bulk' || n, :region_id, :province_id, 'Prénom' || n, 'Nom' || n, n || ' rue des Orangers, Rabat',
                   :cin_encrypted, :cin_expiry, 'counted', n % 16, now()
            FROM generate_series(1, :count) AS n
        """),
        {
            "petition_id": petition.id,
            "region_id": model.region_id,
            "province_id": model.province_id,
            "cin_encrypted": encrypt("ZZ999999"),
            "cin_expiry": model.cin_expiry,
            "count": count,
        },
    )
    db.session.commit()


@pytest.mark.skipif(
    not POSTGRES_URL, reason="100,000 signatures inserted by generate_series on PostgreSQL"
)
def test_exporting_100000_signatures_streams_in_bounded_memory(
    client, post_form, world, officer_of
):
    petition, _people = deposited(signers=1)
    bulk_signatures(petition, 100_000)
    officer_of(petition)
    response = start_export(post_form, petition)
    size, lines, last = 0, 0, b""
    tracemalloc.start()
    try:
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk or last
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    assert lines == 1 + 100_001
    assert last.rstrip().split(b"\r\n")[-1].startswith(b"100001,Nom100000,")
    bound = 3 * 1024 * 1024
    assert size > 4 * bound, size  # the CSV is far larger than what the streaming may hold
    assert peak < bound, f"peak {peak} bytes while streaming {size} bytes"
    assert [entry.details for entry in audit_entries()] == [{"rows": 100_001, "complete": True}]
