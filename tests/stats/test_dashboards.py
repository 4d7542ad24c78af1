"""The observatory's numbers against known data sets: participation (by month, region with rates
per 100,000 inhabitants, language), consultations, petitions (states, time to threshold, legal
deadlines, time to answer), moderation, and the "< N" small-number protection."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from participation.auth.models import Role
from participation.moderation.models import ModerationAppeal, ModerationDecision, ModerationItem
from participation.consultations.models import AnswerSet
from participation.core.models import utcnow
from participation.extensions import db
from participation.institutions.models import Region
from participation.petitions import processing
from participation.petitions.models import Petition, PetitionKind, Signature
from participation.stats import queries
from participation.stats.aggregates import refresh_statistics
from participation.stats.models import ThresholdReached
from participation.stats.periods import add_months, month_of, start_of
from participation.stats.queries import DashboardFilters
from participation.core.small_numbers import MASKED
from tests.comments.factories import Note, make_comment
from tests.factories import make_consultation, make_identity, make_institution, make_user
from tests.petition_world import addressee_officer, deposited, open_petition, step

THIS_MONTH = month_of(utcnow())
MONTH = add_months(THIS_MONTH, -1)
MID_MONTH = start_of(MONTH) + timedelta(days=10)


@pytest.fixture
def config_overrides():
    return {"STATS_MIN_GROUP": 2}


@pytest.fixture(autouse=True)
def source_language(app):
    """Labels in the source language (English), so the assertions read the message ids."""
    with force_locale("en"):
        yield


def by(table, key, value):
    return next(row for row in table.rows if row[key] == value)


def _person(region, language, *, identity=True):
    user = make_user(language=language, commit=False)
    user.created_at = MID_MONTH
    if identity:
        make_identity(user, cin=f"ST{user.id:06d}", province=region.provinces[0], commit=False)
    return user


@pytest.fixture
def participation(world):
    """In the previous month: 6 people in the first region (4 ar, 2 fr), 2 in the second (zgh),
    1 without identity (fr). All sign a petition to the Head of Government except the last; five
    of the first region and the last comment on it; three of the first region answer a
    ministry's questionnaire."""
    first, second = db.session.scalars(sa.select(Region).order_by(Region.code).limit(2)).all()
    first.population, second.population = 2_000_000, None
    ministry = make_institution(commit=False)
    consultation = make_consultation(institution=ministry, state="open", commit=False)
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    people_first = [_person(first, "ar") for _ in range(4)] + [
        _person(first, "fr") for _ in range(2)
    ]
    people_second = [_person(second, "zgh") for _ in range(2)]
    anonymous = _person(None, "fr", identity=False)
    petition = Petition(
        kind_id=kind.id,
        initiator_id=people_first[0].id,
        title={"fr": "P"},
        state="open",
        addressee_id=kind.institution_id,
        signatures_required=4000,
        published_at=MID_MONTH - timedelta(days=1),
        submitted_at=MID_MONTH - timedelta(days=2),
    )
    db.session.add(petition)
    db.session.flush()
    for person in people_first + people_second:
        db.session.add(
            Signature(
                petition_id=petition.id,
                user_id=person.id,
                cin_hash=person.identity.cin_hash,
                region_id=person.identity.region_id,
                province_id=person.identity.province_id,
                status="counted",
                created_at=MID_MONTH,
            )
        )
    for person in people_first[:5] + [anonymous]:
        comment = make_comment(Note(id=petition.id), person, commit=False)
        comment.target_type, comment.created_at = "petition", MID_MONTH
    for person in people_first[:3]:
        db.session.add(
            AnswerSet(
                consultation_id=consultation.id, user_id=person.id, answers={}, created_at=MID_MONTH
            )
        )
    db.session.commit()
    refresh_statistics(everything=True)
    db.session.commit()
    return first, second, ministry, kind.institution_id


def test_participation_by_month(participation):
    filters = DashboardFilters(add_months(MONTH, -1), MONTH)
    timeline, _regions, _languages = queries.participation_tables(filters)
    assert [row["month"] for row in timeline.rows] == [add_months(MONTH, -1), MONTH]
    assert timeline.rows[0] == {
        "month": add_months(MONTH, -1),
        "accounts": 0,
        "registrations": 0,
        "participants": 0,
        "comments": 0,
        "signatures": 0,
        "answers": 0,
    }
    assert timeline.rows[1] == {
        "month": MONTH,
        "accounts": 9,
        "registrations": 9,
        "participants": 9,
        "comments": 6,
        "signatures": 8,
        "answers": 3,
    }


def test_participation_by_region_with_rates_and_masking(participation):
    first, second, *_ = participation
    _timeline, regions, _languages = queries.participation_tables(DashboardFilters(MONTH, MONTH))
    row = by(regions, "region", first.display_name())
    assert row["population"] == 2_000_000
    assert (row["registrations"], row["signatures"], row["comments"], row["answers"]) == (
        6,
        6,
        5,
        3,
    )
    assert row["signatures_rate"] == 0.3
    assert row["comments_rate"] == 0.2
    assert row["answers_rate"] == 0.1
    row = by(regions, "region", second.display_name())
    assert (row["registrations"], row["signatures"], row["comments"], row["signatures_rate"]) == (
        2,
        2,
        0,
        None,
    )
    abroad = by(regions, "region", "Abroad or not given")
    assert abroad["registrations"] is MASKED
    assert abroad["comments"] is MASKED
    assert abroad["comments_rate"] is MASKED
    assert abroad["signatures"] == 0


def test_participation_by_language(participation):
    _timeline, _regions, languages = queries.participation_tables(DashboardFilters(MONTH, MONTH))
    assert [row["language"] for row in languages.rows] == ["Arabic", "French", "Amazigh (Tifinagh)"]
    assert by(languages, "language", "Arabic") == {
        "language": "Arabic",
        "registrations": 4,
        "comments": 4,
        "signatures": 4,
        "answers": 3,
    }
    assert by(languages, "language", "French") == {
        "language": "French",
        "registrations": 3,
        "comments": 2,
        "signatures": 2,
        "answers": 0,
    }
    assert by(languages, "language", "Amazigh (Tifinagh)")["signatures"] == 2


def test_participation_filters_by_institution_and_region(participation):
    first, second, ministry, head_of_government = participation
    timeline, *_ = queries.participation_tables(
        DashboardFilters(MONTH, MONTH, institution_id=ministry.id)
    )
    assert timeline.rows[0] == {
        "month": MONTH,
        "accounts": 9,
        "registrations": 9,
        "participants": 3,
        "comments": 0,
        "signatures": 0,
        "answers": 3,
    }
    timeline, *_ = queries.participation_tables(
        DashboardFilters(MONTH, MONTH, institution_id=head_of_government)
    )
    assert (
        timeline.rows[0]["participants"],
        timeline.rows[0]["signatures"],
        timeline.rows[0]["comments"],
    ) == (9, 8, 6)
    timeline, regions, _ = queries.participation_tables(
        DashboardFilters(MONTH, MONTH, region_id=second.id)
    )
    assert timeline.rows[0] == {
        "month": MONTH,
        "accounts": 2,
        "registrations": 2,
        "participants": 2,
        "comments": 0,
        "signatures": 2,
        "answers": 0,
    }
    assert [row["region"] for row in regions.rows] == [second.display_name()]


def test_the_default_threshold_of_five_masks_small_groups(participation, app):
    app.config["STATS_MIN_GROUP"] = 5
    _timeline, regions, languages = queries.participation_tables(DashboardFilters(MONTH, MONTH))
    first = by(regions, "region", participation[0].display_name())
    assert (first["registrations"], first["signatures"], first["comments"], first["answers"]) == (
        6,
        6,
        5,
        MASKED,
    )
    assert first["answers_rate"] is MASKED
    assert by(languages, "language", "French")["signatures"] is MASKED
    csv = regions.csv()
    assert "< 5" in csv
    assert ",6," in csv


def test_recent_refresh_keeps_older_months(participation):
    refresh_statistics()  # this month and the previous one only
    timeline, *_ = queries.participation_tables(DashboardFilters(MONTH, MONTH))
    assert timeline.rows[0]["signatures"] == 8


# Consultations


def test_consultations_opened_closed_and_outcome_reports(app):
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    first, second = make_institution(name={"fr": "Alpha"}), make_institution(name={"fr": "Beta"})
    make_consultation(institution=first, state="closed", opens_at=days(130), closes_at=days(100))
    reported = make_consultation(
        institution=first, state="outcome_published", opens_at=days(70), closes_at=days(40)
    )
    reported.outcome_published_at = days(30)
    make_consultation(institution=first, state="closed", opens_at=days(50), closes_at=days(20))
    make_consultation(institution=second, state="open", opens_at=days(5), closes_at=days(-20))
    make_consultation(institution=second, state="draft", opens_at=days(5), closes_at=days(-20))
    late = make_consultation(
        institution=second, state="outcome_published", opens_at=days(90), closes_at=days(60)
    )
    late.outcome_published_at = days(40)
    db.session.commit()
    by_month, by_institution = queries.consultation_tables(queries.default_filters(now), now)
    assert sum(row["opened"] for row in by_month.rows) == 5
    assert sum(row["closed"] for row in by_month.rows) == 4
    assert sum(row["reported"] for row in by_month.rows) == 2
    assert by(by_month, "month", month_of(days(100)))["closed"] >= 1
    assert by_institution.rows[0] == {
        "institution": "Alpha",
        "closed": 3,
        "reported": 1,
        "share": 1 / 3,
        "median_days": 10.0,
        "overdue": 1,
        "longest": 100,
    }
    assert by_institution.rows[1] == {
        "institution": "Beta",
        "closed": 1,
        "reported": 1,
        "share": 1.0,
        "median_days": 20.0,
        "overdue": 0,
        "longest": None,
    }
    _months, only_second = queries.consultation_tables(
        DashboardFilters(month_of(days(365)), THIS_MONTH, institution_id=second.id), now
    )
    assert [row["institution"] for row in only_second.rows] == ["Beta"]


# Petitions


def test_petitions_states_threshold_deadlines_and_answers(world):
    answered, _people = deposited(deposited_days_ago=40)
    officer = addressee_officer(answered)
    for kind, ago, extra in (
        ("receipt", 40, {}),
        ("referral", 30, {}),
        ("opinion", 10, {}),
        ("decision", 5, {"admissible": True}),
        ("answer", 1, {}),
    ):
        processing.record_step(officer, answered, step(kind, ago, **extra))
    waiting, _people = deposited(deposited_days_ago=20)
    open_petition()
    db.session.commit()
    refresh_statistics()
    db.session.commit()
    now = utcnow()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThresholdReached)) == 2
    by_kind, threshold, deadlines, answers = queries.petition_tables(
        queries.default_filters(now), now
    )
    kind = answered.kind.display_name()
    assert by(by_kind, "kind", kind) == {
        **{s: 0 for s in ("submitted", "rejected", "expired", "withdrawn", "inadmissible")},
        "kind": kind,
        "open": 1,
        "deposited": 1,
        "answered": 1,
        "total": 3,
    }
    assert by(threshold, "kind", kind) == {
        "kind": kind,
        "published": 3,
        "reached": 2,
        "median_days": 0.0,
    }
    institution = answered.addressee.display_name()
    rows = {row["deadline"]: row for row in deadlines.rows if row["institution"] == institution}
    assert rows["Referral to the petitions commission (days)"] == {
        "institution": institution,
        "deadline": "Referral to the petitions commission (days)",
        "on_time": 1,
        "late": 0,
        "overdue": 1,
        "pending": 0,
    }
    assert rows["Commission opinion after referral (days)"]["on_time"] == 1
    assert rows["Commission opinion after referral (days)"]["pending"] == 1
    assert answers.rows == [
        {"institution": institution, "deposited": 2, "answered": 1, "waiting": 1, "median_days": 39}
    ]
    assert waiting.state == "deposited"


def test_a_late_step_counts_as_late(world):
    petition, _people = deposited(deposited_days_ago=40)
    processing.record_step(addressee_officer(petition), petition, step("receipt", 40))
    processing.record_step(
        addressee_officer(petition), petition, step("referral", 2)
    )  # 38 days after deposit, 15 allowed
    db.session.commit()
    now = utcnow()
    _kinds, _threshold, deadlines, _answers = queries.petition_tables(
        queries.default_filters(now), now
    )
    row = next(
        row
        for row in deadlines.rows
        if row["deadline"] == "Referral to the petitions commission (days)"
    )
    assert (row["on_time"], row["late"], row["overdue"], row["pending"]) == (0, 1, 0, 0)


def test_threshold_moment_is_the_signature_that_reached_it(world):
    petition, _people = deposited(signers=3)
    times = db.session.scalars(
        sa.select(Signature.created_at)
        .where(Signature.petition_id == petition.id)
        .order_by(Signature.created_at, Signature.id)
    ).all()
    refresh_statistics()
    assert db.session.get(ThresholdReached, petition.id).reached_at == times[2]


# Moderation


def test_moderation_by_month_and_reason(app):
    moderator = make_user(roles=[Role.MODERATOR])
    author = make_user()
    now = utcnow()
    note = Note(id=1)
    decisions = []
    for hours in (1, 2, 3, 4, 5, 6):
        comment = make_comment(note, author, commit=False)
        item = ModerationItem(
            comment_id=comment.id,
            kind="reported",
            reason="spam",
            opened_at=now - timedelta(hours=hours),
            closed_at=now,
        )
        db.session.add(item)
        db.session.flush()
        decision = ModerationDecision(
            comment_id=comment.id,
            moderator_id=moderator.id,
            item_id=item.id,
            decision="hide",
            reason="spam" if hours < 6 else "off_topic",
            from_status="visible",
            to_status="hidden",
            created_at=now,
        )
        db.session.add(decision)
        decisions.append(decision)
    db.session.flush()
    db.session.add(
        ModerationAppeal(
            decision_id=decisions[0].id,
            comment_id=decisions[0].comment_id,
            author_id=author.id,
            text="Non.",
            created_at=now,
        )
    )
    db.session.commit()
    by_month, by_reason = queries.moderation_tables(
        DashboardFilters(add_months(THIS_MONTH, -1), THIS_MONTH)
    )
    assert [row["month"] for row in by_month.rows] == [add_months(THIS_MONTH, -1), THIS_MONTH]
    row = by_month.rows[1]
    assert (
        row["total"],
        row["hide"],
        row["approve"],
        row["median_hours"],
        row["appeals"],
        row["overturned"],
    ) == (6, 6, 0, 3.5, MASKED, 0)
    assert by_month.rows[0]["total"] == 0
    assert by_month.rows[0]["median_hours"] is None
    assert by(by_reason, "reason", "Spam or advertising")["hide"] == 5
    assert by(by_reason, "reason", "Off-topic")["hide"] is MASKED


def test_moderation_follows_the_institution_and_region_filters(app, territories):
    moderator, author, now = make_user(roles=[Role.MODERATOR]), make_user(), utcnow()
    region = db.session.scalars(sa.select(Region).order_by(Region.id)).first()
    ministry, other = make_institution(), make_institution()
    consultation = make_consultation(institution=ministry, scope="region", region=region)
    section = consultation.sections[0]
    targets = (
        [("note", 1)] * 3 + [("consultation", consultation.id)] * 2 + [("section", section.id)] * 2
    )
    for target_type, target_id in targets:
        comment = make_comment(Note(id=1), author, commit=False)
        comment.target_type, comment.target_id = target_type, target_id
        db.session.add(
            ModerationDecision(
                comment_id=comment.id,
                moderator_id=moderator.id,
                decision="hide",
                reason="spam",
                from_status="visible",
                to_status="hidden",
                created_at=now,
            )
        )
    db.session.commit()

    def total(**filters):
        by_month, _by_reason = queries.moderation_tables(
            DashboardFilters(THIS_MONTH, THIS_MONTH, **filters)
        )
        return by_month.rows[0]["total"]

    app.config["STATS_MIN_GROUP"] = 1
    assert total() == 7
    assert total(institution_id=ministry.id) == 4
    assert total(institution_id=other.id) == 0
    assert total(region_id=region.id) == 4
    assert total(region_id=region.id, institution_id=other.id) == 0


# The public page's tables


def test_headline_table_masks_only_numbers_about_people(world, app):
    app.config["STATS_MIN_GROUP"] = 5
    deposited(signers=3)
    table = queries.headline_table()
    assert by(table, "what", "Signatures")["number"] is MASKED
    assert by(table, "what", "Deposited with their addressee")["number"] == 1
    regions = queries.signatures_by_region_table()
    assert sum(1 for row in regions.rows if row["signatures"] is MASKED) == 1
    assert all(row["signatures"] in (0, MASKED) for row in regions.rows)
