"""Which new passwords the platform refuses (SPEC §10), wherever one is set: registration, change,
reset and `flask create-admin`, through the forms and again in the services.

Besides the length: the most common passwords, alone or followed by digits and symbols
("sunshine2024!"), passwords that contain the account's e-mail address or its local part, and
passwords made of very few characters, of a short group repeated or of consecutive characters.
The common passwords are the 30,000 of zxcvbn's list (from leaked password sets), a list that
package maintains; its estimator is not used, as it keeps the user's inputs in module state that
concurrent requests would share.
"""

import functools
import itertools
import re
import string

from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MAX_LENGTH = 256
# A local part shorter than this ("ali", "m.b") is too likely to occur by chance in a passphrase.
MIN_LOCAL_PART = 4
SUFFIX_CHARACTERS = string.digits + string.punctuation + " "


@functools.cache
def common_passwords():
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(lowered):
    words = common_passwords()
    if lowered in words:
        return True
    base = lowered.rstrip(SUFFIX_CHARACTERS)
    return len(base) >= 4 and base in words


def contains_email(lowered, email):
    email = (email or "").strip().lower()
    if not email:
        return False
    local_part = email.partition("@")[0]
    return email in lowered or (len(local_part) >= MIN_LOCAL_PART and local_part in lowered)


def is_repetitive(lowered):
    if len(set(lowered)) < 4 or re.fullmatch(r"(.+?)\1+", lowered, re.DOTALL):
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(lowered)}
    return steps in ({1}, {-1})


def password_problem(password, *, email=None):
    """Why `password` cannot be used by the account of `email` (a translated message), or None."""
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _l("Use at least %(minimum)d characters for your password.", minimum=minimum)
    if len(password) > MAX_LENGTH:
        return _l("This password is too long.")
    lowered = password.lower()
    if contains_email(lowered, email):
        return _l("Your password must not contain your e-mail address.")
    if is_common(lowered):
        return _l(
            "This password is one of the most used ones, which are tried first. Choose another: a short sentence is easy to remember."
        )
    if is_repetitive(lowered):
        return _l("This password is too easy to guess: avoid repeated or consecutive characters.")
    return None
