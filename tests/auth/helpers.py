"""Helpers shared by the tests of accounts and of the second factor."""

from participation.auth.services import confirm_two_factor, start_two_factor_setup
from participation.core import totp
from participation.extensions import db


def enable_two_factor(user):
    """Turn on two-factor authentication for `user`, as they would; returns the secret."""
    secret = start_two_factor_setup(user, user)
    confirm_two_factor(user, user, code=totp.code_for(secret, totp.current_step() - 1))
    db.session.commit()
    return secret
