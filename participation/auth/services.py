"""Account services: registration, verification, sign-in, passwords, identity, roles.

Services take the acting user as a parameter, never read the request, flush and leave the commit
to the caller (one commit per request).
"""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.auth import permissions as perms
from participation.auth import recovery
from participation.auth.identity import get_cin_owner, get_verifier, hash_cin, normalise_cin
from participation.auth.models import (
    IdentityProfile,
    Role,
    RoleGrant,
    TokenPurpose,
    User,
    new_session_token,
)
from participation.auth.passwords import password_problem
from participation.auth.tokens import consume_token, issue_token, revoke_tokens
from participation.core.audit import record_audit
from participation.core import totp
from participation.core.crypto import decrypt, encrypt
from participation.core.errors import DomainError
from participation.core.mail import queue_mail
from participation.core.models import utcnow
from participation.core.permissions import SELF_SERVICE, SYSTEM, guarded_by, require
from participation.core.personal_data import collect_personal_data, erase_personal_data
from participation.core.urls import external_url
from participation.extensions import db
from participation.institutions.models import Institution, Province
from participation.institutions.places import commune_problem


def _hasher():
    """argon2id with the costs of the configuration (ARGON2_*: the library's recommended ones
    unless set; the tests' configuration makes them cheap). A hash made with other costs is still
    verified, and rehashed at the next sign-in."""
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password):
    return _hasher().hash(password)


def password_matches(user, password):
    if not user.password_hash:
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def normalise_email(email):
    return (email or "").strip().lower()


def get_user_by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _mail_token_link(user, purpose, lifetime, *, template, endpoint, **context):
    """Issue a single-use token and mail its link to the user, in their language."""
    raw = issue_token(user, purpose, lifetime)
    queue_mail(
        to=user.email,
        language=user.language,
        template=template,
        user=user,
        link=external_url(endpoint, lang_code=user.language, token=raw),
        **context,
    )


def _send_verification(user):
    hours = current_app.config["EMAIL_TOKEN_HOURS"]
    _mail_token_link(
        user,
        TokenPurpose.VERIFY_EMAIL,
        timedelta(hours=hours),
        template="verify_email",
        endpoint="auth.verify_email",
        hours=hours,
    )


@guarded_by(SELF_SERVICE)
def register_user(*, email, password, display_name, language):
    """Create an account and send the verification e-mail.

    An address that already has an account gets a notice instead of a second account, and the
    visitor sees the same answer either way, so the form cannot be used to find who is registered.
    Both paths also take the same time: the password is hashed (the slow part) and one mail is
    queued either way.
    """
    email = normalise_email(email)
    _refuse_weak_password(password, email=email)
    password_hash = hash_password(password)
    existing = get_user_by_email(email)
    if existing is not None:
        if existing.is_active:
            queue_mail(
                to=existing.email,
                language=existing.language,
                template="already_registered",
                user=existing,
                link=external_url("auth.forgot_password", lang_code=existing.language),
            )
        return None
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=display_name.strip(),
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    _send_verification(user)
    return user


@guarded_by(SELF_SERVICE)
def resend_verification(*, email):
    user = get_user_by_email(email)
    if user is not None and user.is_active and not user.email_verified:
        _send_verification(user)


@guarded_by(SELF_SERVICE)
def confirm_email(*, token):
    row = consume_token(token, TokenPurpose.VERIFY_EMAIL)
    user = row.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


@guarded_by(SELF_SERVICE)
def authenticate(*, email, password):
    """The user if the password is right and the account active, else None."""
    user = get_user_by_email(email)
    if user is None:
        hash_password(password)  # spend the same time as a real check: no timing oracle
        return None
    if not user.is_active or not password_matches(user, password):
        return None
    user.last_login_at = utcnow()
    return user


@guarded_by(SELF_SERVICE)
def request_password_reset(*, email):
    user = get_user_by_email(email)
    if user is None or not user.is_active:
        return
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    _mail_token_link(
        user,
        TokenPurpose.RESET_PASSWORD,
        timedelta(minutes=minutes),
        template="reset_password",
        endpoint="auth.reset_password",
        minutes=minutes,
    )


@guarded_by(SELF_SERVICE)
def reset_password(*, token, new_password):
    row = consume_token(token, TokenPurpose.RESET_PASSWORD)
    user = row.user
    _set_password(user, new_password)
    # Following the link proves control of the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    queue_mail(to=user.email, language=user.language, template="password_changed", user=user)
    return user


def _refuse_weak_password(password, *, email):
    problem = password_problem(password, email=email)
    if problem is not None:
        raise DomainError(problem, code="weak_password")


def _set_password(user, password):
    """A new password ends every session and voids every link mailed before it (a reset link
    sitting in a mailbox someone else reads must not outlive the change)."""
    _refuse_weak_password(password, email=user.email)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    revoke_tokens(user)


@guarded_by(perms.can_manage_own_account)
def end_sessions(actor, user):
    """Sign out: the session cookie is signed, not stored, so a copy of it stays valid until the
    token it carries changes. Rotating it ends the account's sessions on every device."""
    require(perms.can_manage_own_account(actor, user))
    user.session_token = new_session_token()


@guarded_by(perms.can_manage_own_account)
def change_password(actor, user, *, current_password, new_password):
    require(perms.can_manage_own_account(actor, user))
    if not password_matches(user, current_password):
        raise DomainError(_l("Your current password is not correct."), code="wrong_password")
    _set_password(user, new_password)
    queue_mail(to=user.email, language=user.language, template="password_changed", user=user)


@guarded_by(perms.can_manage_own_account)
def update_profile(actor, user, *, display_name, language):
    require(perms.can_manage_own_account(actor, user))
    user.display_name = display_name.strip()
    user.language = language


@guarded_by(perms.can_manage_own_account)
def save_identity_profile(actor, user, submission, *, today):
    """Create or replace the identity profile after the configured verifier accepts it.

    Raises IdentityRejected with the problems (field, message) when it refuses. That the CIN is
    another account's is said only for a submission that is otherwise accepted and would be saved:
    the form must not tell who holds a CIN to someone probing it with made-up details.
    """
    require(perms.can_manage_own_account(actor, user))
    verifier = get_verifier()
    submission.cin = normalise_cin(submission.cin)
    problems = verifier.verify(submission, user, today) + _residence_problems(submission)
    if problems:
        raise IdentityRejected(problems)
    if get_cin_owner(submission.cin) not in (None, user.id):
        raise IdentityRejected([("cin", CIN_IN_USE)])
    try:
        # In a savepoint: another account may save the same new CIN between the check above and
        # this write, and then the unique index, not a 500, has the last word.
        with db.session.begin_nested():
            profile = _fill_identity_profile(user, submission, verifier)
            db.session.flush()
    except sa.exc.IntegrityError:
        if get_cin_owner(submission.cin) not in (None, user.id):
            raise IdentityRejected([("cin", CIN_IN_USE)]) from None
        raise
    return profile


CIN_IN_USE = _l("This CIN number is already used by another account.")


def _residence_problems(submission):
    """The place of residence, checked again for every caller: the province must be in the
    region and the commune, when given, in the province."""
    if submission.abroad:
        return []
    province = db.session.get(Province, submission.province_id) if submission.province_id else None
    if province is None or province.region_id != submission.region_id:
        return [("province_id", _l("This prefecture or province is not in the region you chose."))]
    problem = commune_problem(province.id, submission.commune_id, required=False)
    return [("commune_id", problem)] if problem else []


def _fill_identity_profile(user, submission, verifier):
    profile = user.identity or IdentityProfile(user=user)
    profile.first_name = submission.first_name.strip()
    profile.last_name = submission.last_name.strip()
    profile.cin_hash = hash_cin(submission.cin)
    profile.cin_encrypted = encrypt(submission.cin)
    profile.cin_hint = submission.cin[-2:]
    profile.cin_expiry = submission.cin_expiry
    profile.birth_date = submission.birth_date
    profile.address = submission.address.strip()
    profile.abroad = submission.abroad
    profile.country = submission.country if submission.abroad else None
    profile.region_id = None if submission.abroad else submission.region_id
    profile.province_id = None if submission.abroad else submission.province_id
    profile.commune_id = None if submission.abroad else submission.commune_id
    profile.declaration_accepted_at = utcnow()
    profile.verified_by = verifier.name
    db.session.add(profile)
    return profile


class IdentityRejected(DomainError):
    def __init__(self, problems):
        super().__init__(
            _l("Your identity details could not be accepted."), code="identity_rejected"
        )
        self.problems = problems


@guarded_by(perms.can_manage_own_account)
def export_personal_data(actor, user):
    require(perms.can_manage_own_account(actor, user))
    return collect_personal_data(user, generated_at=utcnow())


@guarded_by(perms.can_manage_own_account)
def delete_account(actor, user, *, password):
    """Anonymise the account: contributions stay, without anything that identifies the person."""
    require(perms.can_manage_own_account(actor, user))
    if not password_matches(user, password):
        raise DomainError(_l("Your password is not correct."), code="wrong_password")
    queue_mail(to=user.email, language=user.language, template="account_deleted", user=user)
    erase_personal_data(user)
    record_audit(user, "account.deleted", user)


@guarded_by(perms.can_grant_role)
def grant_role(actor, target, role, *, institution=None):
    require(perms.can_grant_role(actor, target, role))
    role = Role(role)
    if role == Role.OFFICER and institution is None:
        raise DomainError(
            _l("Choose the institution this officer works for."), code="institution_required"
        )
    if role != Role.OFFICER:
        institution = None
    if role in target.roles:
        raise DomainError(_l("This user already has this role."), code="already_granted")
    grant = RoleGrant(
        user_id=target.id,
        role=role.value,
        institution_id=institution.id if institution else None,
        granted_by_id=actor.id,
    )
    db.session.add(grant)
    db.session.flush()
    db.session.expire(target, ["grants"])
    record_audit(
        actor, "role.granted", target, role=role.value, institution_id=grant.institution_id
    )
    return grant


@guarded_by(perms.can_revoke_role)
def revoke_role(actor, grant):
    require(perms.can_revoke_role(actor, grant))
    if grant.revoked_at is not None:
        raise DomainError(_l("This role was already revoked."), code="already_revoked")
    grant.revoked_at = utcnow()
    grant.revoked_by_id = actor.id
    db.session.flush()
    db.session.expire(grant.user, ["grants"])
    record_audit(
        actor, "role.revoked", grant.user, role=grant.role, institution_id=grant.institution_id
    )


@guarded_by(SYSTEM)
def create_administrator(*, email, password, display_name, language="ar"):
    """Bootstrap (flask create-admin): an active, verified account with the administrator role."""
    _refuse_weak_password(password, email=email)
    user = get_user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), display_name=display_name, language=language)
        db.session.add(user)
        db.session.flush()
    _set_password(user, password)
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.flush()
    if Role.ADMINISTRATOR not in user.roles:
        db.session.add(RoleGrant(user_id=user.id, role=Role.ADMINISTRATOR.value))
        db.session.flush()
        db.session.expire(user, ["grants"])
        record_audit(None, "role.granted", user, role=Role.ADMINISTRATOR.value, via="cli")
    return user


def list_users(*, search=None, role=None, page=1, per_page=25):
    query = (
        sa.select(User)
        .where(User.deleted_at.is_(None))
        .order_by(User.id)
        .options(selectinload(User.grants))
    )
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(User.email.like(pattern), sa.func.lower(User.display_name).like(pattern))
        )
    if role:
        query = query.where(
            User.id.in_(
                sa.select(RoleGrant.user_id).where(
                    RoleGrant.role == role, RoleGrant.revoked_at.is_(None)
                )
            )
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_institutions_for_choice():
    return db.session.scalars(
        sa.select(Institution).where(Institution.active).order_by(Institution.id)
    ).all()


# Two-factor authentication -------------------------------------------------------------------


def _totp_secret(user):
    return decrypt(user.totp_secret_encrypted) if user.totp_secret_encrypted else None


@guarded_by(perms.can_manage_own_account)
def start_two_factor_setup(actor, user):
    """A new secret, kept encrypted and not active until a code from it is confirmed."""
    require(perms.can_manage_own_account(actor, user))
    if user.totp_enabled:
        raise DomainError(_l("Two-factor authentication is already on."), code="already_enabled")
    secret = totp.new_secret()
    user.totp_secret_encrypted = encrypt(secret)
    user.totp_last_step = None
    return secret


def get_pending_two_factor_secret(user):
    return None if user.totp_enabled else _totp_secret(user)


@guarded_by(perms.can_manage_own_account)
def confirm_two_factor(actor, user, *, code, now=None):
    require(perms.can_manage_own_account(actor, user))
    secret = get_pending_two_factor_secret(user)
    step = totp.matching_step(secret, code, now=now) if secret else None
    if step is None:
        raise DomainError(
            _l("This code is not right. Check the time on your phone and try the newest code."),
            code="wrong_code",
        )
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    record_audit(actor, "two_factor.enabled", user)
    codes = recovery.replace_codes(user)
    record_audit(actor, "two_factor.recovery_codes_made", user, count=len(codes))
    return codes


@guarded_by(perms.can_manage_own_account)
def disable_two_factor(actor, user, *, password, code, now=None):
    require(perms.can_manage_own_account(actor, user))
    if not password_matches(user, password):
        raise DomainError(_l("Your password is not correct."), code="wrong_password")
    if not (check_second_factor(user, code=code, now=now) or use_recovery_code(user, code=code)):
        raise DomainError(
            _l("This code is not right. Check the time on your phone and try the newest code."),
            code="wrong_code",
        )
    _clear_two_factor(user)
    user.session_token = new_session_token()
    record_audit(actor, "two_factor.disabled", user)


def _clear_two_factor(user):
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    recovery.delete_codes(user)


@guarded_by(SELF_SERVICE)
def check_second_factor(user, *, code, now=None):
    """True when the code is right (and not already used); records the step against replay."""
    if not user.totp_enabled:
        return False
    step = totp.matching_step(_totp_secret(user), code, now=now, last_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


@guarded_by(perms.can_manage_own_account)
def replace_recovery_codes(actor, user, *, password):
    """A new set of recovery codes (the old ones stop working); returns them, to show once.
    The password is asked again: a borrowed session alone must not get a way past the second
    factor."""
    require(perms.can_manage_own_account(actor, user))
    if not user.totp_enabled:
        raise DomainError(_l("Turn on two-factor authentication first."), code="two_factor_off")
    if not password_matches(user, password):
        raise DomainError(_l("Your password is not correct."), code="wrong_password")
    codes = recovery.replace_codes(user)
    record_audit(actor, "two_factor.recovery_codes_made", user, count=len(codes))
    return codes


@guarded_by(SELF_SERVICE)
def use_recovery_code(user, *, code):
    """True when `code` is one of the user's unused recovery codes, which is then used up: the
    use is audited and the owner told by e-mail (it may not be them)."""
    if not user.totp_enabled or not recovery.use_code(user, code):
        return False
    left = recovery.count_unused_codes(user)
    record_audit(user, "two_factor.recovery_code_used", user, left=left)
    queue_mail(
        to=user.email,
        language=user.language,
        template="recovery_code_used",
        user=user,
        left=left,
        link=external_url("auth.two_factor", lang_code=user.language),
    )
    return True


def count_recovery_codes_left(user):
    return recovery.count_unused_codes(user)
