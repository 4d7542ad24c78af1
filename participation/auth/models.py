import enum
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import relationship

from participation.core.crypto import mask
from participation.core.models import UTCDateTime, utcnow
from participation.core.roles import Role
from participation.extensions import db


ROLE_LABELS = {
    Role.OFFICER: _l("Institution officer"),
    Role.MODERATOR: _l("Moderator"),
    Role.OBSERVER: _l("Observer"),
    Role.ADMINISTRATOR: _l("Administrator"),
    Role.TRANSLATOR: _l("Translator"),
}
CITIZEN_LABEL = _l("Citizen")


def new_session_token():
    return secrets.token_urlsafe(16)


class User(db.Model):
    """A person's account. Never deleted: "delete my account" anonymises it (SPEC §10)."""

    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(320), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=True)
    display_name = sa.Column(sa.String(80), nullable=False)
    language = sa.Column(sa.String(8), nullable=False, default="ar")
    email_verified_at = sa.Column(UTCDateTime, nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = sa.Column(UTCDateTime, nullable=True)
    deleted_at = sa.Column(UTCDateTime, nullable=True)
    # Part of the login session's identity: rotating it signs the account out everywhere.
    session_token = sa.Column(sa.String(32), nullable=False, default=new_session_token)
    # Two-factor authentication (TOTP, RFC 6238): the secret is encrypted at rest; the last used
    # time step is kept so a code cannot be replayed.
    totp_secret_encrypted = sa.Column(sa.Text, nullable=True)
    totp_enabled_at = sa.Column(UTCDateTime, nullable=True)
    totp_last_step = sa.Column(sa.BigInteger, nullable=True)
    # A moderator's block (SPEC §5): the person's content is hidden and they cannot post or sign.
    blocked_at = sa.Column(UTCDateTime, nullable=True)
    blocked_reason = sa.Column(sa.Text, nullable=True)
    blocked_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)

    grants = relationship(
        "RoleGrant",
        primaryjoin="and_(User.id == RoleGrant.user_id, RoleGrant.revoked_at.is_(None))",
        viewonly=True,
        lazy="select",  # loaded when a page asks about roles; lists load them with selectinload
    )
    identity = relationship("IdentityProfile", uselist=False, back_populates="user")

    __table_args__ = (sa.CheckConstraint("language IN ('ar', 'fr', 'zgh')", name="language"),)

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.deleted_at is None

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    @property
    def is_blocked(self):
        return self.blocked_at is not None

    @property
    def totp_enabled(self):
        return self.totp_enabled_at is not None

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    @property
    def roles(self):
        return {Role(grant.role) for grant in self.grants}

    @property
    def officer_institution_id(self):
        for grant in self.grants:
            if grant.role == Role.OFFICER:
                return grant.institution_id
        return None


class RoleGrant(db.Model):
    """A staff role given to a user by an administrator; revoking keeps the row for history."""

    __tablename__ = "role_grants"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    role = sa.Column(sa.String(20), nullable=False)
    institution_id = sa.Column(
        sa.Integer, sa.ForeignKey("institutions.id"), nullable=True, index=True
    )
    granted_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    granted_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    revoked_at = sa.Column(UTCDateTime, nullable=True)

    user = relationship("User", foreign_keys=[user_id])
    institution = relationship("Institution")

    __table_args__ = (
        sa.CheckConstraint(
            "role IN (" + ", ".join(f"'{r.value}'" for r in Role) + ")", name="role"
        ),
        sa.CheckConstraint(
            "(role = 'officer') = (institution_id IS NOT NULL)", name="officer_has_institution"
        ),
        # One active grant of a role per user; an officer is bound to one institution.
        sa.Index(
            "uq_role_grants_active",
            "user_id",
            "role",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    @property
    def label(self):
        return ROLE_LABELS[Role(self.role)]


class IdentityProfile(db.Model):
    """What a signatory must give under the organic laws (SPEC §2).

    The CIN is kept only as a keyed hash (unique: one CIN, one account) and encrypted; `cin_hint`
    keeps the last two characters so pages can show "••••••56" without decrypting.
    """

    __tablename__ = "identity_profiles"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, unique=True)
    first_name = sa.Column(sa.String(100), nullable=False)
    last_name = sa.Column(sa.String(100), nullable=False)
    cin_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    cin_encrypted = sa.Column(sa.Text, nullable=False)
    cin_hint = sa.Column(sa.String(4), nullable=False)
    cin_expiry = sa.Column(sa.Date, nullable=False)
    birth_date = sa.Column(sa.Date, nullable=False)
    address = sa.Column(sa.String(300), nullable=False)
    abroad = sa.Column(sa.Boolean, nullable=False, default=False)
    country = sa.Column(sa.String(2), nullable=True)
    region_id = sa.Column(sa.Integer, sa.ForeignKey("regions.id"), nullable=True, index=True)
    province_id = sa.Column(sa.Integer, sa.ForeignKey("provinces.id"), nullable=True, index=True)
    # Optional in the table: profiles made before communes were loaded have none.
    commune_id = sa.Column(sa.Integer, sa.ForeignKey("communes.id"), nullable=True, index=True)
    declaration_accepted_at = sa.Column(UTCDateTime, nullable=False)
    verified_by = sa.Column(sa.String(40), nullable=False)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="identity")
    region = relationship("Region")
    province = relationship("Province")
    commune = relationship("Commune")

    __table_args__ = (
        sa.CheckConstraint("commune_id IS NULL OR NOT abroad", name="commune_abroad"),
        sa.CheckConstraint(
            "(abroad AND country IS NOT NULL AND region_id IS NULL AND province_id IS NULL)"
            " OR (NOT abroad AND region_id IS NOT NULL AND province_id IS NOT NULL)",
            name="residence",
        ),
    )

    @property
    def masked_cin(self):
        return mask("xxxxxx" + self.cin_hint)


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class AccountToken(db.Model):
    """A single-use, expiring token sent by e-mail; only its SHA-256 is stored."""

    __tablename__ = "account_tokens"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    purpose = sa.Column(sa.String(20), nullable=False)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(UTCDateTime, nullable=False)
    used_at = sa.Column(UTCDateTime, nullable=True)

    user = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(
            "purpose IN (" + ", ".join(f"'{p.value}'" for p in TokenPurpose) + ")", name="purpose"
        ),
    )


class RecoveryCode(db.Model):
    """A one-time code that stands in for a TOTP code at sign-in when the phone is lost. Shown
    once when made; only its keyed hash is stored. Making a new set deletes the old one."""

    __tablename__ = "recovery_codes"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    code_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    used_at = sa.Column(UTCDateTime, nullable=True)
