"""Pre-aggregated statistics, refreshed by `flask tick` (aggregates.py), so the dashboards never
read the signature or comment rows in a request.

`MonthlyCount` holds additive counts by month of Morocco's calendar, metric, participant region,
institution and interface language; "participants" (distinct people) cannot be summed across
institutions, so they have two metrics: one over every institution, one per institution.
`ThresholdReached` keeps when a petition's counted signatures first reached its threshold (the
moment of the signature that reached it), found off the request path.
"""

import sqlalchemy as sa

from participation.comments.models import Comment
from participation.consultations.models import AnswerSet
from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db
from participation.petitions.models import Signature
from participation.auth.models import User

NO_KEY = 0  # region: not given or abroad; institution: none (or every one, for "participants")


class Metric:
    REGISTRATIONS = "registrations"  # new verified accounts
    COMMENTS = "comments"
    SIGNATURES = "signatures"  # counted signatures
    ANSWERS = "answers"  # questionnaire answer sets
    PARTICIPANTS = (
        "participants"  # distinct people who commented, signed or answered (all institutions)
    )
    PARTICIPANTS_BY_INSTITUTION = "participants_inst"


class MonthlyCount(db.Model):
    __tablename__ = "stats_monthly_counts"

    month = sa.Column(sa.Date, primary_key=True)  # first day of the month, Morocco's calendar
    metric = sa.Column(sa.String(20), primary_key=True)
    region_key = sa.Column(sa.Integer, primary_key=True)
    institution_key = sa.Column(sa.Integer, primary_key=True)
    language = sa.Column(sa.String(8), primary_key=True)  # "" when unknown (anonymised signatures)
    count = sa.Column(sa.BigInteger, nullable=False)
    refreshed_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class ThresholdReached(db.Model):
    __tablename__ = "stats_petition_thresholds"

    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), primary_key=True)
    reached_at = sa.Column(UTCDateTime, nullable=False)


# The refresh reads one month of rows at a time: indexes on the creation times. On PostgreSQL the
# signatures' is a BRIN index (rows arrive in time order; tiny, and cheap for the signing path),
# summarised as each block range fills rather than only at the next VACUUM.
sa.Index(
    "ix_petition_signatures_created_at",
    Signature.__table__.c.created_at,
    postgresql_using="brin",
    postgresql_with={"autosummarize": "on"},
)
sa.Index("ix_comments_created_at", Comment.__table__.c.created_at)
sa.Index("ix_consultation_answer_sets_created_at", AnswerSet.__table__.c.created_at)
sa.Index("ix_users_created_at", User.__table__.c.created_at)
