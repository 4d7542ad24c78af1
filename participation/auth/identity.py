"""The identity verifier interface (SPEC §2).

A verifier checks an identity submission and answers a list of translated problems (empty when
acceptable). The default is declarative: format and expiry, with the person's own declaration of
eligibility. That a CIN belongs to one account only is the platform's rule, checked by the service
that saves the profile, whatever the verifier. A national identity service can be plugged in later by pointing the
IDENTITY_VERIFIER setting at another class with the same `verify` method.
"""

import importlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.crypto import keyed_hash
from participation.extensions import db


def normalise_cin(raw):
    """Upper case, no spaces or separators: ' ab 12-3456 ' -> 'AB123456'."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return re.sub(r"[\s\-./]", "", text)


def hash_cin(cin):
    return keyed_hash(normalise_cin(cin))


@dataclass
class IdentitySubmission:
    first_name: str
    last_name: str
    cin: str  # already normalised
    cin_expiry: date
    birth_date: date
    address: str
    abroad: bool
    country: str | None
    region_id: int | None
    province_id: int | None
    declaration: bool
    commune_id: int | None = None  # where the province's communes are loaded


def age_on(birth_date, today):
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


class DeclarativeVerifier:
    name = "declarative"

    def verify(self, submission, user, today):
        problems = []
        if not re.fullmatch(current_app.config["CIN_PATTERN"], submission.cin):
            problems.append(
                ("cin", _l("This does not look like a national identity card (CIN) number."))
            )
        if submission.cin_expiry < today:
            problems.append(("cin_expiry", _l("Your identity card has expired.")))
        if age_on(submission.birth_date, today) < current_app.config["MINIMUM_AGE"]:
            problems.append(("birth_date", _l("You must be an adult to sign or start a petition.")))
        if not submission.declaration:
            problems.append(("declaration", _l("You must accept the declaration of eligibility.")))
        return problems


def get_cin_owner(cin):
    """The id of the account whose identity profile has this CIN, or None."""
    from participation.auth.models import IdentityProfile

    return db.session.scalar(
        sa.select(IdentityProfile.user_id).where(IdentityProfile.cin_hash == hash_cin(cin))
    )


def get_verifier():
    module_name, _, class_name = current_app.config["IDENTITY_VERIFIER"].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
