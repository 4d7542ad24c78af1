"""Finding 2 of the December review: staff two-factor authentication is one gate for every request
by a staff account (core/policy.second_factor_gate), not a check inside one route policy. Routes
with `policy.authenticated` plus an object-level `ensure()` (petition review, processing, the
signatories and comments exports, official answers as comments) used to skip it.

The walk below covers every rule of the URL map, every method, and every staff role: a route added
tomorrow is covered without anyone remembering to."""

import re

import pytest
import sqlalchemy as sa

from participation.auth.models import Role, User
from participation.core.policy import SECOND_FACTOR_EXEMPT
from participation.extensions import db
from participation.petitions.models import Signature
from tests.auth.helpers import enable_two_factor
from tests.conftest import csrf_token
from tests.factories import make_identity, make_user
from tests.petition_world import open_petition

STAFF_ROLES = [Role.OFFICER, Role.MODERATOR, Role.OBSERVER, Role.ADMINISTRATOR, Role.TRANSLATOR]
TWO_FACTOR_PAGE = "/fr/account/two-factor"


@pytest.fixture
def config_overrides():
    return {"REQUIRE_STAFF_2FA": True}


def _concrete_path(rule):
    """A URL of the rule with every parameter filled: the gate runs before the object is loaded,
    so ids need not exist."""

    def fill(match):
        converter, _, name = match.group(1).rpartition(":")
        if converter == "lang":
            return "fr"
        if converter.startswith("any("):
            return converter[4:-1].split(",")[0].strip()
        if converter == "int":
            return "1"
        return "x"

    return re.sub(r"<([^>]+)>", fill, rule.rule)


def _requests(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SECOND_FACTOR_EXEMPT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, _concrete_path(rule)


def _send(client, method, path, token):
    data = {"csrf_token": token} if method != "GET" else None
    response = client.open(path, method=method, data=data)
    with client.session_transaction() as session:
        session.pop(
            "_flashes", None
        )  # a browser shows the message on the next page; here nothing does
    return response


def _stopped(response, rule):
    if rule.endpoint.startswith("api."):
        return response.status_code == 403
    # Pages outside the language prefix (/, /healthz) send to the default language's set-up page.
    return response.status_code == 303 and re.search(
        r"/(ar|fr|zgh)/account/two-factor$", response.headers["Location"]
    )


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_route_stops_a_staff_account_without_two_factor(app, client, login, role):
    login(make_user(roles=[role]))
    token = csrf_token(client, TWO_FACTOR_PAGE)  # the set-up page itself stays reachable
    passed = [
        f"{method} {path} -> {response.status_code}"
        for rule, method, path in _requests(app)
        if not _stopped(response := _send(client, method, path, token), rule)
    ]
    assert passed == []


def test_the_gate_lets_staff_through_once_two_factor_is_on(app, client, login):
    """The control for the walk above: the same requests, with the second factor turned on, are
    not sent to the set-up page (so the walk would see a route that skipped the gate)."""
    admin = make_user(roles=[Role.ADMINISTRATOR])
    enable_two_factor(db.session.get(User, admin.id))
    db.session.commit()
    # Signed in as after the code step (that step is tested in tests/auth/test_two_factor.py).
    with client.session_transaction() as session:
        session["_user_id"] = db.session.get(User, admin.id).get_id()
        session["_fresh"] = True
    token = csrf_token(client, TWO_FACTOR_PAGE)
    stopped = [
        f"{method} {path}"
        for rule, method, path in _requests(app)
        if _stopped(_send(client, method, path, token), rule)
    ]
    assert stopped == []


def test_citizens_and_visitors_are_not_concerned(app, client, login):
    assert client.get("/fr/petitions/").status_code == 200
    login(make_user())
    assert client.get("/fr/account/").status_code == 200


def test_the_signing_route_applies_the_gate_to_its_signer_record(app, client, login, world):
    """The signing route reads its signer in one Core query instead of through Flask-Login; the
    same predicate applies to that record."""
    petition, *_ = open_petition()
    moderator = make_user(roles=[Role.MODERATOR])
    make_identity(moderator, province=None)
    login(moderator)
    token = csrf_token(client, TWO_FACTOR_PAGE)
    response = client.post(
        f"/fr/petitions/{petition.id}/sign", data={"consent": "y", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(TWO_FACTOR_PAGE)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
