"""The consultation state machine: every pair of states, allowed or refused, and the clock."""

from datetime import timedelta
from itertools import product

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.consultations import services
from participation.consultations.models import TRANSITIONS, Consultation, ConsultationState
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_institution, make_user

S = ConsultationState
PAIRS = list(product(S, S))
# Written out rather than read from TRANSITIONS, so that a wrong edge in the table fails a test.
ALLOWED = {
    (S.DRAFT, S.SCHEDULED),
    (S.SCHEDULED, S.DRAFT),
    (S.SCHEDULED, S.OPEN),
    (S.SCHEDULED, S.WITHDRAWN),
    (S.OPEN, S.CLOSED),
    (S.OPEN, S.WITHDRAWN),
    (S.CLOSED, S.OUTCOME_PUBLISHED),
}


@pytest.mark.parametrize("source, target", PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_transition_table(app, source, target):
    consultation = make_consultation(state=source.value)
    if (source, target) in ALLOWED:
        services._transition(consultation, target, None, now=utcnow())
        assert consultation.state == target.value
        assert (
            db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()))
            == f"consultation.{target.value}"
        )
    else:
        with pytest.raises(DomainError):
            services._transition(consultation, target, None, now=utcnow())
        assert consultation.state == source.value


def test_every_state_is_reachable_and_final_states_are_final():
    reachable = {S.DRAFT} | set().union(*TRANSITIONS.values())
    assert reachable == set(S)
    assert TRANSITIONS[S.OUTCOME_PUBLISHED] == set()
    assert TRANSITIONS[S.WITHDRAWN] == set()


@pytest.fixture
def officer(app):
    institution = make_institution()
    return make_user(roles=[Role.OFFICER], institution=institution)


def _mine(officer, **kwargs):
    return make_consultation(institution=officer.grants[0].institution, **kwargs)


def test_schedule_in_the_future_then_opens_and_closes_on_time(officer):
    now = utcnow()
    consultation = _mine(
        officer, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    services.schedule_consultation(officer, consultation, now=now)
    assert consultation.state == "scheduled"
    assert consultation.effective_state(now + timedelta(hours=2)) == S.OPEN  # a page is never wrong
    assert services.advance_due_consultations(now=now + timedelta(minutes=30)) == 0
    assert services.advance_due_consultations(now=now + timedelta(hours=2)) == 1
    assert consultation.state == "open"
    assert consultation.opened_at == consultation.opens_at
    assert services.advance_due_consultations(now=now + timedelta(days=3)) == 1
    assert consultation.state == "closed"
    assert consultation.closed_at == consultation.closes_at


def test_scheduling_when_the_opening_time_is_past_opens_at_once(officer):
    consultation = _mine(officer)
    services.schedule_consultation(officer, consultation)
    assert consultation.state == "open"


def test_a_missed_opening_and_closing_are_both_recorded(officer):
    now = utcnow()
    consultation = _mine(
        officer, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=2)
    )
    services.schedule_consultation(officer, consultation, now=now)
    services.advance_due_consultations(now=now + timedelta(days=1))
    assert consultation.state == "closed"
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["consultation.scheduled", "consultation.open", "consultation.closed"]


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"sections": 0}, "no_sections"),
        ({"closes_at": "past"}, "closing_past"),
    ],
)
def test_schedule_refusals(officer, changes, code):
    kwargs = dict(changes)
    if kwargs.get("closes_at") == "past":
        kwargs["opens_at"] = utcnow() - timedelta(days=3)
        kwargs["closes_at"] = utcnow() - timedelta(days=1)
    consultation = _mine(officer, **kwargs)
    with pytest.raises(DomainError) as error:
        services.schedule_consultation(officer, consultation)
    assert error.value.code == code
    assert consultation.state == "draft"


def test_schedule_needs_dates(officer):
    consultation = _mine(officer)
    consultation.opens_at = None
    with pytest.raises(DomainError):
        services.schedule_consultation(officer, consultation)


def test_unschedule_only_before_opening(officer):
    now = utcnow()
    consultation = _mine(
        officer, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=5)
    )
    services.schedule_consultation(officer, consultation, now=now)
    services.unschedule_consultation(officer, consultation, now=now)
    assert consultation.state == "draft"
    services.schedule_consultation(officer, consultation, now=now)
    with pytest.raises(DomainError):
        services.unschedule_consultation(officer, consultation, now=now + timedelta(days=2))


def test_withdraw_needs_a_public_reason(officer):
    consultation = _mine(officer, state="open")
    with pytest.raises(DomainError):
        services.withdraw_consultation(officer, consultation, reason="  ")
    services.withdraw_consultation(officer, consultation, reason="Le projet est retiré.")
    assert consultation.state == "withdrawn"
    assert consultation.withdrawal_reason == "Le projet est retiré."


@pytest.mark.parametrize("state", ["draft", "closed", "outcome_published", "withdrawn"])
def test_withdraw_refused_outside_scheduled_and_open(officer, state):
    consultation = _mine(officer, state=state, closes_at=utcnow() + timedelta(days=1))
    with pytest.raises(DomainError):
        services.withdraw_consultation(officer, consultation, reason="x")


def test_outcome_report_publication(officer, outbox):
    follower = make_user()
    consultation = _mine(officer, state="open")
    services.follow_consultation(follower, consultation)
    consultation.opens_at = utcnow() - timedelta(days=10)
    consultation.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    decisions = [
        services.SectionDecision(section=s, decision="accepted", reasons={"fr": "Oui"})
        for s in consultation.sections
    ]
    with pytest.raises(DomainError):  # decisions are required for every section
        services.save_outcome(
            officer,
            consultation,
            summary={"fr": "Bilan"},
            final_text={},
            final_text_url="",
            decisions=decisions[:1],
            publish=True,
        )
    db.session.rollback()
    consultation = db.session.get(Consultation, consultation.id)
    decisions = [
        services.SectionDecision(section=s, decision="partly_accepted", reasons={"fr": "En partie"})
        for s in consultation.sections
    ]
    services.save_outcome(
        officer,
        consultation,
        summary={"fr": "Bilan"},
        final_text={},
        final_text_url="",
        decisions=decisions,
        publish=True,
    )
    db.session.commit()
    assert consultation.state == "outcome_published"
    assert consultation.closed_at is not None
    assert consultation.outcome.published_at is not None
    assert [m.template for m in outbox(to_address=follower.email)] == [
        "consultation_closed",
        "consultation_outcome",
    ]


def test_outcome_refused_before_closing(officer):
    consultation = _mine(officer, state="open")
    with pytest.raises(PermissionDenied):
        services.save_outcome(
            officer,
            consultation,
            summary={"fr": "x"},
            final_text={},
            final_text_url="",
            decisions=[],
        )


def test_followers_are_told_of_opening_in_their_language(officer, outbox):
    now = utcnow()
    consultation = _mine(
        officer, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    services.schedule_consultation(officer, consultation, now=now)
    reader = make_user(language="ar")
    services.follow_consultation(reader, consultation)
    services.advance_due_consultations(now=now + timedelta(hours=2))
    db.session.commit()
    [message] = outbox(to_address=reader.email)
    assert message.template == "consultation_opened"
    assert message.language == "ar"
    assert "مشروع قانون" in message.body_text
    assert "/ar/consultations/" in message.body_text


def test_officers_of_another_institution_cannot_run_it(officer):
    other = make_user(roles=[Role.OFFICER])
    consultation = _mine(officer)
    for call in (
        lambda: services.schedule_consultation(other, consultation),
        lambda: services.update_consultation(
            other, consultation, services.ConsultationData(title={"fr": "x"})
        ),
        lambda: services.add_section(other, consultation, heading={"fr": "x"}, body={}),
        lambda: services.withdraw_consultation(other, consultation, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_corrections_only_while_open(officer):
    consultation = _mine(officer, state="open")
    correction = services.add_correction(
        officer,
        consultation,
        note={"fr": "Coquille corrigée à l'article 2."},
        section=consultation.sections[1],
    )
    assert correction.section_id == consultation.sections[1].id
    draft = _mine(officer)
    with pytest.raises(PermissionDenied):
        services.add_correction(officer, draft, note={"fr": "x"})
    with pytest.raises(DomainError):
        services.add_correction(officer, consultation, note={"fr": " "})


def test_tick_command_opens_due_consultations_and_mails_followers(app, officer, outbox):
    now = utcnow()
    consultation = _mine(
        officer, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    services.schedule_consultation(officer, consultation, now=now)
    follower = make_user(language="fr")
    services.follow_consultation(follower, consultation)
    consultation.opens_at = now - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 consultations" in result.output
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).state == "open"
    [message] = outbox(to_address=follower.email)
    assert f"/fr/consultations/{consultation.id}-{consultation.slug}" in message.body_text
    assert "http://" in message.body_text  # an absolute link, even from the command line
