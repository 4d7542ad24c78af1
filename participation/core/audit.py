"""The append-only audit log of staff actions (SPEC §10).

Rows are only ever inserted: the ORM refuses to flush an update or delete of an entry, and the
migration adds database triggers that refuse UPDATE and DELETE on both SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, relationship

from participation.core.models import UTCDateTime, utcnow
from participation.core.personal_data import HOLDS_USER_ID
from participation.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    action = sa.Column(sa.String(80), nullable=False, index=True)
    target_type = sa.Column(sa.String(40), nullable=True)
    # A user's id when target_type is "users" (core/personal_data.py).
    target_id = sa.Column(sa.Integer, nullable=True, info={HOLDS_USER_ID: "target_type = 'users'"})
    details = sa.Column(sa.JSON, nullable=False, default=dict)

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_log_target", "target_type", "target_id"),)


class AppendOnlyViolation(RuntimeError):
    pass


_APPEND_ONLY = []  # model classes whose rows are never changed or deleted once written


def append_only(*models):
    """Declare records that are written once: a flush that changes or deletes one raises
    AppendOnlyViolation (the audit log here; moderators' decisions and appeals; decisions on
    held signatures)."""
    _APPEND_ONLY.extend(models)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_records(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, tuple(_APPEND_ONLY)) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise AppendOnlyViolation(f"{obj.__tablename__} is append-only")


append_only(AuditEntry)


def _unwrap(obj):
    """Views may pass Flask-Login's current_user proxy: audit the real object."""
    return obj._get_current_object() if hasattr(obj, "_get_current_object") else obj


def record_audit(actor, action, target=None, **details):
    """Add an audit entry in the current transaction; the caller commits."""
    actor, target = _unwrap(actor), _unwrap(target)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=type(target).__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry


def list_audit_entries(*, target=None, action=None, limit=100):
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target is not None:
        query = query.where(
            AuditEntry.target_type == type(target).__tablename__, AuditEntry.target_id == target.id
        )
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()
