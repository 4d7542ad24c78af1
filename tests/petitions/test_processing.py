"""After deposit: the addressee's steps in the law's order, deadline clocks, notifications to the
committee, followers and signers, the audited signatory export (the only place a CIN is shown),
motions withdrawn only until adopted, and anonymisation after the retention period."""

import csv
import io
import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.audit import AuditEntry
from participation.core.crypto import decrypt
from participation.core.errors import DomainError, PermissionDenied as Forbidden
from participation.core.models import utcnow
from participation.core.timezones import morocco_date
from participation.extensions import db
from participation.institutions.models import InstitutionKind
from participation.petitions import deadlines, processing, queries, services, signing
from participation.petitions.deadlines import ClockStatus, deadline_clocks
from participation.petitions.models import PetitionKind, Signature
from tests.conftest import Login
from tests.factories import make_institution, make_user
from tests.petition_world import (
    TODAY,
    addressee_officer,
    citizen,
    data,
    deposited,
    full_committee,
    open_petition,
    provinces_of_regions,
    step,
)

DATA_DOWNLOAD = "/fr/account/data.json"


def test_steps_follow_the_law_and_end_with_the_answer(world, outbox):
    petition, people = deposited(deposited_days_ago=40)
    officer = addressee_officer(petition)
    assert processing.list_next_steps(petition) == ["receipt"]
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("opinion"))
    assert error.value.code == "step_order"
    processing.record_step(officer, petition, step("receipt", 40))
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("receipt", 39))
    assert error.value.code == "step_recorded"
    processing.record_step(officer, petition, step("referral", 30))
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("opinion", 31))  # before its referral
    assert error.value.code == "date_too_early"
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("opinion", -1))
    assert error.value.code == "date_in_future"
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("opinion", 10, text={}))
    assert error.value.code == "text_required"
    processing.record_step(officer, petition, step("opinion", 10))
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("decision", 5))
    assert error.value.code == "outcome_required"
    processing.record_step(officer, petition, step("decision", 5, admissible=True))
    assert petition.state == "deposited"
    processing.record_step(
        officer, petition, step("answer", 1, measures={"ar": "فتح المكتبات مساء ابتداء من يناير."})
    )
    db.session.commit()
    assert petition.state == "answered" and petition.decided_at is not None
    assert [s.kind for s in petition.steps] == [
        "receipt",
        "referral",
        "opinion",
        "decision",
        "answer",
    ]
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "petition.step")
        )
        == 5
    )
    committee = {m.user.email for m in petition.accepted_members}
    told = [m for m in outbox() if m.template == "petition_step"]
    assert {m.to_address for m in told} == committee and len(told) == 5 * len(committee)


def test_an_inadmissible_decision_ends_the_processing_with_its_ground(world):
    petition, _people = deposited()
    officer = addressee_officer(petition)
    processing.record_step(officer, petition, step("receipt"))
    with pytest.raises(DomainError) as error:
        processing.record_step(officer, petition, step("decision", admissible=False))
    assert error.value.code == "ground_required"
    ground = next(g["code"] for g in petition.kind.grounds if g["stage"] != "condition")
    processing.record_step(officer, petition, step("decision", admissible=False, ground=ground))
    assert petition.state == "inadmissible"
    with pytest.raises(Forbidden):
        processing.record_step(officer, petition, step("answer"))


def test_only_the_addressees_officers_process_and_only_after_deposit(world):
    petition, *_ = open_petition()
    officer = make_user(roles=[Role.OFFICER], institution=petition.addressee)
    with pytest.raises(Forbidden):
        processing.record_step(officer, petition, step("receipt"))
    petition, _people = deposited()
    elsewhere = make_user(
        roles=[Role.OFFICER],
        institution=make_institution(kind=InstitutionKind.MINISTRY, name={"fr": "Autre"}),
    )
    for person in (
        elsewhere,
        make_user(roles=[Role.MODERATOR]),
        make_user(roles=[Role.ADMINISTRATOR]),
        petition.agent.user,
    ):
        with pytest.raises(Forbidden):
            processing.record_step(person, petition, step("receipt"))
        with pytest.raises(Forbidden):
            processing.export_signatories(person, petition)


@pytest.mark.parametrize(
    "days_ago, steps, expected",
    [
        (
            0,
            [],
            {
                "referral_to_petitions_commission": ClockStatus.ON_TIME,
                "commission_opinion_after_referral": ClockStatus.WAITING,
            },
        ),
        (12, [], {"referral_to_petitions_commission": ClockStatus.DUE_SOON}),
        (16, [], {"referral_to_petitions_commission": ClockStatus.OVERDUE}),
        (
            20,
            [("receipt", 20), ("referral", 10)],
            {
                "referral_to_petitions_commission": ClockStatus.MET,
                "commission_opinion_after_referral": ClockStatus.ON_TIME,
            },
        ),
        (
            20,
            [("receipt", 20), ("referral", 2)],
            {"referral_to_petitions_commission": ClockStatus.MET_LATE},
        ),
    ],
)
def test_deadline_clocks(world, days_ago, steps, expected):
    petition, _people = deposited(deposited_days_ago=days_ago)
    officer = addressee_officer(petition)
    for kind, ago in steps:
        processing.record_step(officer, petition, step(kind, ago))
    clocks = {clock.key: clock for clock in deadline_clocks(petition)}
    assert set(clocks) == set(petition.kind.deadlines_days)
    for key, status in expected.items():
        assert clocks[key].status == status, key
    referral = clocks["referral_to_petitions_commission"]
    assert referral.due_on == morocco_date(petition.deposited_at) + timedelta(days=15)


def test_clocks_stop_when_the_petition_is_withdrawn(world):
    petition, _people = deposited(deposited_days_ago=30)
    services.withdraw_petition(petition.initiator, petition, reason="Satisfaits ailleurs.")
    assert {c.status for c in deadline_clocks(petition)} == {ClockStatus.STOPPED}


def test_territorial_councils_have_months_to_decide():
    assert deadlines.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert deadlines.add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_regional_clock_counts_months(world):
    region_kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "regional_petition")
    )
    petition, _people = deposited("petition_head_of_government")
    petition.kind = region_kind  # the clocks read only the kind's deadlines
    clocks = deadline_clocks(petition)
    assert [c.key for c in clocks] == [deadlines.TERRITORIAL_DECISION]
    assert clocks[0].due_on == deadlines.add_months(
        morocco_date(petition.deposited_at), region_kind.rejection_notice_months
    )


def test_a_motion_can_be_withdrawn_until_adopted(world, territories):
    make_institution(
        kind=InstitutionKind.HOUSE_OF_REPRESENTATIVES, name={"fr": "Chambre des représentants"}
    )
    from participation.petitions.rules import load_petition_kinds

    load_petition_kinds()
    db.session.commit()
    kind = db.session.scalar(
        sa.select(PetitionKind).where(
            PetitionKind.key == "legislative_motion_house_of_representatives"
        )
    )
    initiator = citizen()

    petition = services.create_petition(initiator, kind, data())
    full_committee(petition, initiator, provinces_of_regions(4), 5)
    services.submit_petition(initiator, petition)
    services.publish_petition(
        make_user(roles=[Role.MODERATOR]),
        petition,
        checked=[g["code"] for g in kind.grounds if g["stage"] == "condition"],
    )
    petition.signatures_required = 1
    signing.sign_petition(citizen(), petition, consent=True)
    services.deposit_petition(petition.agent.user, petition)
    officer = addressee_officer(petition)
    assert "opinion" not in processing.available_steps(
        petition
    ) and "adoption" in processing.available_steps(petition)
    processing.record_step(officer, petition, step("receipt"))
    processing.record_step(officer, petition, step("decision", admissible=True))
    from participation.petitions import permissions as perms

    assert perms.can_withdraw_petition(initiator, petition)
    processing.record_step(
        officer, petition, step("adoption", text={"fr": "Reprise par trois députés."})
    )
    assert not perms.can_withdraw_petition(initiator, petition)
    with pytest.raises(Forbidden):
        services.withdraw_petition(initiator, petition, reason="Trop tard.")


def test_followers_are_told_at_once_and_signers_in_batches(world, app, outbox):
    petition, people = deposited(signers=5, member_signs=True)  # a member who signed is told once
    follower = make_user()
    processing.follow_petition(follower, petition)
    processing.follow_petition(follower, petition)  # twice is once
    member = petition.accepted_members[0].user
    officer = addressee_officer(petition)
    processing.record_step(officer, petition, step("receipt"))
    db.session.commit()
    immediate = {m.to_address for m in outbox() if m.template == "petition_step"}
    assert (
        follower.email in immediate
        and member.email in immediate
        and not immediate & {p.email for p in people}
    )
    assert processing.notify_signers(batch=3) == 3
    assert processing.notify_signers(batch=3) == 3  # 6 signers: the five and the member (skipped)
    assert processing.notify_signers(batch=3) == 0
    told = [m.to_address for m in outbox() if m.template == "petition_step"]
    for person in people:
        assert told.count(person.email) == 1
    assert told.count(member.email) == 1
    processing.unfollow_petition(follower, petition)
    assert not processing.is_following(follower, petition)


def test_signatory_export_is_audited_and_has_the_cin(world):
    petition, people = deposited(signers=3)
    officer = addressee_officer(petition)
    table = list(
        csv.reader(
            io.StringIO("".join(processing.export_signatories(officer, petition)).lstrip("\ufeff"))
        )
    )
    header, rows = table[0], table[1:]
    assert header[3] == "cin" and len(rows) == 3
    assert {row[3] for row in rows} == {decrypt(p.identity.cin_encrypted) for p in people}
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "petition.signatories_exported")
    )
    assert (
        audit is not None
        and audit.actor_id == officer.id
        and audit.details == {"rows": 3, "complete": True}
    )


def test_anonymisation_after_retention_keeps_counts(world, app):
    petition, people = deposited(signers=3)
    officer = addressee_officer(petition)
    processing.record_step(officer, petition, step("receipt"))
    processing.record_step(officer, petition, step("decision", admissible=True))
    processing.record_step(officer, petition, step("answer"))
    db.session.commit()
    assert processing.anonymise_ended_petitions() == 0  # within the retention period
    later = utcnow() + timedelta(days=app.config["SIGNATORY_RETENTION_DAYS"] + 1)
    by_region = queries.count_signatures_by_region(petition.id)
    assert processing.anonymise_ended_petitions(now=later) == 1
    assert processing.anonymise_ended_petitions(now=later) == 0
    db.session.commit()
    rows = db.session.scalars(
        sa.select(Signature).where(Signature.petition_id == petition.id)
    ).all()
    assert all(
        r.user_id is None
        and r.cin_encrypted is None
        and r.cin_hash is None
        and r.last_name is None
        and r.address is None
        for r in rows
    )
    assert all(r.region_id is not None for r in rows)
    assert (
        queries.count_signatures(petition.id) == 3
        and queries.count_signatures_by_region(petition.id) == by_region
    )
    assert signing.reconcile_counts() == []
    with pytest.raises(Forbidden):
        processing.export_signatories(officer, petition)


def test_inbox_process_page_and_export_through_the_pages(client, login, post_form, world, outbox):
    petition, people = deposited(signers=2, deposited_days_ago=20)
    fresh, _ = deposited(signers=1)
    officer = addressee_officer(petition)
    db.session.commit()
    login(officer)
    inbox = client.get("/fr/institution/petitions/").get_data(as_text=True)
    assert inbox.index(f"/fr/institution/petitions/{petition.id}") < inbox.index(
        f"/fr/institution/petitions/{fresh.id}"
    )  # overdue first
    assert "En retard" in inbox or "Overdue" in inbox
    page = f"/fr/institution/petitions/{petition.id}"
    bad = post_form(page, {"kind": "receipt", "occurred_on": "pas une date"}, form_page=page)
    assert bad.status_code == 400
    future = post_form(
        page,
        {"kind": "receipt", "occurred_on": (TODAY + timedelta(days=3)).isoformat()},
        form_page=page,
    )
    assert future.status_code in (200, 400) and not petition.steps
    ok = post_form(
        page,
        {
            "kind": "receipt",
            "occurred_on": TODAY.isoformat(),
            "text_fr": "Reçue au bureau d'ordre.",
        },
        form_page=page,
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)
    public = client.get(f"/fr/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    assert "Reçue au bureau d&#39;ordre." in public or "Reçue au bureau d'ordre." in public
    export = post_form(f"{page}/signatories.csv", {}, form_page=page)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][3] == "cin" and len(table) == 3
    assert client.get(f"/fr/institution/petitions/{petition.id}/signatories.csv").status_code == 405


def test_other_institutions_get_404(client, login, world):
    petition, _people = deposited()
    other = make_user(
        roles=[Role.OFFICER],
        institution=make_institution(kind=InstitutionKind.MINISTRY, name={"fr": "Autre"}),
    )
    db.session.commit()
    login(other)
    assert client.get(f"/fr/institution/petitions/{petition.id}").status_code == 404
    assert f"/fr/institution/petitions/{petition.id}" not in client.get(
        "/fr/institution/petitions/"
    ).get_data(as_text=True)


def test_the_plain_cin_appears_only_in_the_addressees_export(
    client, login, post_form, world, app, caplog, tmp_path
):
    caplog.set_level(logging.DEBUG)
    petition, people = deposited(signers=2)
    cins = [decrypt(p.identity.cin_encrypted) for p in people]
    officer = addressee_officer(petition)
    processing.record_step(officer, petition, step("receipt"))
    db.session.commit()
    seen = []
    for path in (
        f"/fr/petitions/{petition.id}-{petition.slug}",
        "/fr/petitions/",
        f"/api/v1/petitions/{petition.id}/count",
        f"/api/v1/petitions/{petition.id}",
        "/api/v1/petitions",
        "/api/v1/stats",
        "/api/v1/consultations",
        "/ar/petitions/",
    ):
        seen.append(client.get(path).get_data(as_text=True))
    from participation.opendata.dumps import write_dumps

    dumps = tmp_path / "open-data"
    write_dumps(dumps)
    seen.extend(path.read_text(encoding="utf-8") for path in sorted(dumps.iterdir()))
    assert len(seen) > 9
    for person in people:
        own = app.test_client()
        Login(own)(person)
        seen.append(own.get(f"/fr/petitions/{petition.id}-{petition.slug}").get_data(as_text=True))
        mine = own.get(DATA_DOWNLOAD)
        assert mine.status_code == 200
        seen.append(mine.get_data(as_text=True))
    login(officer)
    seen.append(client.get(f"/fr/institution/petitions/{petition.id}").get_data(as_text=True))
    seen.append(client.get("/fr/institution/petitions/").get_data(as_text=True))
    export = post_form(
        f"/fr/institution/petitions/{petition.id}/signatories.csv",
        {},
        form_page=f"/fr/institution/petitions/{petition.id}",
    ).get_data(as_text=True)
    everything = (
        "\n".join(seen)
        + caplog.text
        + "\n".join(str(e.details) for e in db.session.scalars(sa.select(AuditEntry)))
    )
    for cin in cins:
        assert cin not in everything
        assert cin in export


def test_listing_filters_by_addressee_region_words_and_category(client, world, territories):
    from participation.petitions.rules import load_petition_kinds

    national, *_ = open_petition()
    regional_kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "regional_petition")
    )
    region = provinces_of_regions(2)[1].region
    council = make_institution(
        kind=InstitutionKind.REGIONAL_COUNCIL, name={"fr": "Conseil régional"}, region=region
    )
    load_petition_kinds()
    db.session.commit()
    initiator = citizen(province=provinces_of_regions(2)[1])

    regional = services.create_petition(
        initiator,
        regional_kind,
        data(title={"ar": "حافلات مدرسية للقرى", "fr": "Des bus scolaires"}, region=region),
    )
    regional.state, regional.published_at = "open", utcnow()
    db.session.commit()

    def titles(query):
        html = client.get(f"/fr/petitions/?{query}").get_data(as_text=True)
        return {p.id for p in (national, regional) if f"/fr/petitions/{p.id}-" in html}

    assert titles("") == {national.id, regional.id}
    assert titles(f"addressee={council.id}") == {regional.id}
    assert titles(f"addressee={national.addressee_id}") == {national.id}
    assert titles(f"region={region.id}") == {regional.id}
    assert titles("q=حافلات") == {regional.id}
    assert titles("q=مدرسيه") == {regional.id}  # taa marbuta written as haa
    assert titles("q=bibliotheques") == {national.id}  # no accents
    assert titles("category=motion") == set()
    assert titles("category=petition&region=abc&addressee=99999999999&kind=x") == {
        national.id,
        regional.id,
    }
