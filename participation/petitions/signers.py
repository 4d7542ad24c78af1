"""The signer and the petition as the signing path reads them (SPEC §9: the busiest request).

A viral petition is signed hundreds of times a second. Building an ORM User (with its identity)
through Flask-Login and an ORM Petition for each signature cost most of the request, so the
signing view reads both here, in one Core query, into small frozen records. They carry what the
signing rules read (the Protocols of permissions.py: `Signatory`, `SignatoryIdentity`,
`SignableRecord`, and queries.PublishedRecord for `is_public`), so the rules are written once
(`permissions.signing_refusal`) and apply to the ORM objects of the petition page and to these
records alike. They carry no committee: a petition that is not public is loaded through the ORM.
"""

import functools
from dataclasses import dataclass, fields
from datetime import date, datetime

import sqlalchemy as sa

from participation.auth.loader import parse_session_id, valid_session
from participation.auth.models import IdentityProfile, RoleGrant, User
from participation.core.driver_statements import DriverStatement
from participation.extensions import db
from participation.petitions.models import Petition, PetitionKind, PetitionState


@dataclass(frozen=True)
class SignerIdentity:
    """The identity profile's fields that signing checks or copies into the signature."""

    cin_hash: str
    cin_encrypted: str
    cin_expiry: date
    first_name: str
    last_name: str
    address: str
    abroad: bool
    region_id: int | None
    province_id: int | None
    commune_id: int | None


@dataclass(frozen=True)
class Signer:
    """A signed-in account whose session is still valid (auth.loader.valid_session, as the user
    loader checks it): hence `is_authenticated` and `is_active`."""

    id: int
    email_verified: bool
    is_blocked: bool
    identity: SignerIdentity | None
    is_staff: bool
    totp_enabled: bool
    is_authenticated = True
    is_active = True

    @property
    def roles(self):
        """Only whether the account holds any staff role: all that the staff two-factor gate
        (core/policy.second_factor_missing) asks of it."""
        return ("staff",) if self.is_staff else ()


@dataclass(frozen=True)
class SignablePetition:
    id: int
    slug: str
    state: str
    level: str
    closes_at: datetime | None
    published_at: datetime | None
    region_id: int | None
    province_id: int | None
    commune_id: int | None

    @property
    def status(self):
        return PetitionState(self.state)


_IDENTITY_COLUMNS = tuple(field.name for field in fields(SignerIdentity))  # the query's order
_PETITION_COLUMNS = (
    "slug",
    "state",
    "closes_at",
    "published_at",
    "region_id",
    "province_id",
    "commune_id",
)


@functools.cache
def _signer_and_petition_query():
    """Built and compiled once per process."""
    users, identities, grants = User.__table__, IdentityProfile.__table__, RoleGrant.__table__
    petitions, kinds = Petition.__table__, PetitionKind.__table__
    petition = petitions.join(kinds, kinds.c.id == petitions.c.kind_id)
    is_staff = sa.exists().where(grants.c.user_id == users.c.id, grants.c.revoked_at.is_(None))
    return DriverStatement(
        sa.select(
            users.c.id,
            users.c.email_verified_at,
            users.c.blocked_at,
            is_staff.label("is_staff"),
            users.c.totp_enabled_at,
            identities.c.id.label("identity_id"),
            *(identities.c[name].label(f"identity_{name}") for name in _IDENTITY_COLUMNS),
            petitions.c.id.label("petition_id"),
            *(petitions.c[name].label(f"petition_{name}") for name in _PETITION_COLUMNS),
            kinds.c.level.label("petition_level"),
        )
        .select_from(
            users.outerjoin(identities, identities.c.user_id == users.c.id).outerjoin(
                petition, petitions.c.id == sa.bindparam("petition_id")
            )
        )
        .where(valid_session(users, sa.bindparam("user_id"), sa.bindparam("token")))
    )


def load_signer_and_petition(session_id, petition_id, connection=None):
    """(Signer or None, SignablePetition or None) for Flask-Login's session id ("<user id>:<session
    token>", checked as the user loader checks it) and a petition id, in one query (on
    `connection`, signing.signing_connection()'s, or else the session's)."""
    credentials = parse_session_id(session_id)
    if credentials is None:
        return None, None
    user_id, token = credentials
    parameters = {"user_id": user_id, "token": token, "petition_id": petition_id}
    # The request's first statement, and a read: safe to run again on a new connection when the
    # pooled one is dead (the signing engine does not ping the server at each checkout).
    row = _signer_and_petition_query().first(
        connection or db.session.connection(), parameters, reconnect=True
    )
    if row is None:
        return None, None
    user_id, email_verified_at, blocked_at, is_staff, totp_enabled_at, identity_id, *rest = row
    identity_values, (petition_id, *petition_values, level) = (
        rest[: len(_IDENTITY_COLUMNS)],
        rest[len(_IDENTITY_COLUMNS) :],
    )
    identity = SignerIdentity(*identity_values) if identity_id is not None else None
    signer = Signer(
        id=user_id,
        email_verified=email_verified_at is not None,
        is_blocked=blocked_at is not None,
        identity=identity,
        is_staff=bool(is_staff),
        totp_enabled=totp_enabled_at is not None,
    )
    petition = None
    if petition_id is not None:
        petition = SignablePetition(
            petition_id, level=level, **dict(zip(_PETITION_COLUMNS, petition_values))
        )
    return signer, petition
