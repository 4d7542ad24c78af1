"""What the accounts area holds about a person, in the download and at account deletion
(core/personal_data.py; the format is described in docs/personal-data.md).

The kernel's own tables that point at accounts (the audit log, the site switches) are declared
here too: the kernel imports no area, and accounts are this area's business.
"""

import sqlalchemy as sa

from participation.auth.models import AccountToken, RecoveryCode, RoleGrant, new_session_token
from participation.auth.recovery import delete_codes
from participation.core.audit import AuditEntry
from participation.core.models import utcnow
from participation.core.personal_data import (
    iso,
    Erasure,
    personal_data_eraser,
    personal_data_exporter,
    user_column,
)
from participation.extensions import db

STAFF_ACT = (
    "an act of a staff member for the platform or an institution, which the person it concerned "
    "sees in their own download; not about the staff member"
)
KEPT_FOR_ACCOUNTABILITY = (
    "who did what stays on record for accountability; it points at the anonymised account, "
    "which names nobody"
)

user_column(
    "users.blocked_by_id",
    not_exported=STAFF_ACT,
    erasure=Erasure.KEPT,
    why=KEPT_FOR_ACCOUNTABILITY,
)
user_column(
    "role_grants.user_id",
    exported_in="account.roles",
    erasure=Erasure.KEPT,
    why="active roles are revoked; the history of who held a staff role stays for accountability",
)
user_column(
    "role_grants.granted_by_id",
    not_exported=STAFF_ACT,
    erasure=Erasure.KEPT,
    why=KEPT_FOR_ACCOUNTABILITY,
)
user_column(
    "role_grants.revoked_by_id",
    not_exported=STAFF_ACT,
    erasure=Erasure.KEPT,
    why=KEPT_FOR_ACCOUNTABILITY,
)
user_column(
    "identity_profiles.user_id",
    exported_in="identity_profile",
    erasure=Erasure.DELETED,
    why="the identity details serve only to sign and initiate; signatures keep their own copy",
)
user_column(
    "account_tokens.user_id",
    not_exported="only hashes of single-use links sent by e-mail, which mean nothing to anyone",
    erasure=Erasure.DELETED,
    why="a deleted account has no links to follow",
)
user_column(
    "recovery_codes.user_id",
    exported_in="two_factor.recovery_codes",
    erasure=Erasure.DELETED,
    why="a deleted account cannot sign in",
)
user_column(
    "audit_log.actor_id",
    exported_in="activity_log.by_you",
    erasure=Erasure.KEPT,
    why="legal retention: the audit log is append-only (SPEC §10); entries name the anonymised "
    "account",
)
user_column(
    "audit_log.target_id",
    exported_in="activity_log.about_you",
    erasure=Erasure.KEPT,
    why="legal retention: the audit log is append-only (SPEC §10); entries name the anonymised "
    "account",
)
user_column(
    "site_switches.updated_by_id",
    not_exported=STAFF_ACT,
    erasure=Erasure.KEPT,
    why=KEPT_FOR_ACCOUNTABILITY,
)


def anonymised_email(user):
    """The address a deleted account keeps: unique, and never deliverable (RFC 6761)."""
    return f"deleted-{user.id}@deleted.invalid"


@personal_data_exporter("account")
def _export_account(user):
    grants = db.session.scalars(
        sa.select(RoleGrant).where(RoleGrant.user_id == user.id).order_by(RoleGrant.id)
    )
    return {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "created_at": iso(user.created_at),
        "email_verified_at": iso(user.email_verified_at),
        "last_login_at": iso(user.last_login_at),
        "blocked_at": iso(user.blocked_at),
        "blocked_reason": user.blocked_reason,
        "roles": [
            {
                "role": grant.role,
                "institution_id": grant.institution_id,
                "granted_at": iso(grant.granted_at),
                "revoked_at": iso(grant.revoked_at),
            }
            for grant in grants
        ],
    }


@personal_data_exporter("identity_profile")
def _export_identity(user):
    profile = user.identity
    if profile is None:
        return None
    return {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        # The plain CIN never leaves the platform except to a petition's addressee (SPEC §2).
        "cin": profile.masked_cin,
        "cin_expiry": profile.cin_expiry.isoformat(),
        "birth_date": profile.birth_date.isoformat(),
        "address": profile.address,
        "abroad": profile.abroad,
        "country": profile.country,
        "region": profile.region.code if profile.region else None,
        "province": profile.province.iso_code if profile.province else None,
        "commune": profile.commune.code if profile.commune else None,
        "declaration_accepted_at": iso(profile.declaration_accepted_at),
        "updated_at": iso(profile.updated_at),
    }


@personal_data_exporter("two_factor")
def _export_two_factor(user):
    codes = db.session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id).order_by(RecoveryCode.id)
    )
    return {
        "enabled_at": iso(user.totp_enabled_at),
        # Neither the secret nor the codes (only their hashes are kept): when each was made and used.
        "recovery_codes": [
            {"created_at": iso(code.created_at), "used_at": iso(code.used_at)} for code in codes
        ],
    }


@personal_data_exporter("activity_log")
def _export_activity(user):
    """The audit log's entries by and about the person: what, when and on what, without the
    details (which may name other people)."""
    by_you = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
    )
    about_you = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.target_type == "users", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.id)
    )
    return {
        "by_you": [
            {
                "action": entry.action,
                "at": iso(entry.created_at),
                "target_type": entry.target_type,
                "target_id": entry.target_id,
            }
            for entry in by_you
        ],
        "about_you": [{"action": entry.action, "at": iso(entry.created_at)} for entry in about_you],
    }


@personal_data_eraser("auth")
def _erase_account(user):
    if user.identity is not None:
        db.session.delete(user.identity)
    db.session.execute(sa.delete(AccountToken).where(AccountToken.user_id == user.id))
    delete_codes(user)
    now = utcnow()
    for grant in user.grants:
        grant.revoked_at, grant.revoked_by_id = now, user.id
    user.email = anonymised_email(user)
    user.display_name = ""
    user.password_hash = None
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.deleted_at = now
    user.session_token = new_session_token()
