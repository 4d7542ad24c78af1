"""Two-factor set-up's QR code, and one-time recovery codes: shown once, stored hashed, each
usable once instead of the app's code, made anew (voiding the old), rate limited and counted with
the app's codes, audited, mailed about, and accepted by the staff gate."""

import base64
import os
import re
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from participation.auth import recovery
from participation.auth.models import RecoveryCode, Role, User
from participation.auth.qr import qr_svg
from participation.auth.services import (
    confirm_two_factor,
    replace_recovery_codes,
    start_two_factor_setup,
    use_recovery_code,
)
from participation.core import totp
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError
from participation.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user

LOGIN = "/fr/account/login"
RECOVERY = "/fr/account/login/recovery"
CODE = "/fr/account/login/code"
TWO_FACTOR = "/fr/account/two-factor"
ADDRESS = "198.51.100.20"


def turn_on(user):
    """Two-factor authentication on, as the set-up page does; returns (secret, recovery codes)."""
    secret = start_two_factor_setup(user, user)
    codes = confirm_two_factor(user, user, code=totp.code_for(secret, totp.current_step() - 1))
    db.session.commit()
    return secret, codes


def password_step(client, user):
    response = client.post(
        LOGIN,
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, LOGIN)},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.headers["Location"].endswith(CODE)


def give(client, path, code):
    return client.post(
        path,
        data={"code": code, "csrf_token": csrf_token(client, LOGIN)},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )


def signed_in(client):
    return client.get("/fr/account/").status_code == 200


def actions(user):
    return db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
    ).all()


# The QR code ------------------------------------------------------------------------------------


def _set_up_page(client, login, post_form):
    user = make_user(email="qr.reader@example.org")
    login(user)
    post_form(TWO_FACTOR, {"action": "start"})
    return user, client.get(TWO_FACTOR)


def _page_qr(page):
    image = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)"', page.text)
    assert image, "no QR code image in the page"
    return base64.b64decode(image.group(1)).decode()


def _page_uri(page):
    return re.search(r'<a href="(otpauth://[^"]+)"', page.text).group(1).replace("&amp;", "&")


def test_the_set_up_page_shows_a_qr_code_of_the_link_and_the_key_as_text(client, login, post_form):
    user, page = _set_up_page(client, login, post_form)
    uri = _page_uri(page)
    assert uri.startswith("otpauth://totp/") and "qr.reader%40example.org" in uri
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text).group(1)
    assert key.replace(" ", "") == secret  # for typing by hand
    # The image is the library's drawing of exactly that link, made on the server.
    assert _page_qr(page) == qr_svg(uri)
    assert "<script" not in _page_qr(page)
    csp = page.headers["Content-Security-Policy"]
    assert re.search(r"img-src [^;]*\bdata:", csp)  # the data: image is allowed...
    assert "unsafe-inline" not in csp  # ...and nothing was loosened for it


def _import_cv2():
    """OpenCV, when installed (the test extra); its import sets LD_LIBRARY_PATH, which the suite
    checks no test leaves changed, and which it needs no more once loaded."""
    before = os.environ.get("LD_LIBRARY_PATH")
    try:
        return pytest.importorskip("cv2")
    finally:
        if before is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = before


def test_the_qr_code_reads_back_as_the_link(client, login, post_form):
    cv2 = _import_cv2()
    numpy = pytest.importorskip("numpy")
    _user, page = _set_up_page(client, login, post_form)
    svg = _page_qr(page)
    # Draw the SVG's unit squares ("M4,4H5V5H4z", one per dark module) on a white bitmap.
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    bitmap = numpy.full((size, size), 255, numpy.uint8)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        bitmap[int(y), int(x)] = 0
    enlarged = numpy.kron(bitmap, numpy.ones((8, 8), numpy.uint8))
    decoded, _points, _straight = cv2.QRCodeDetector().detectAndDecode(enlarged)
    assert decoded == _page_uri(page)
    assert unquote(decoded).startswith("otpauth://totp/")


# Recovery codes ---------------------------------------------------------------------------------


def test_turning_on_makes_ten_codes_stored_only_as_hashes(app):
    user = make_user()
    _secret, codes = turn_on(user)
    assert len(codes) == len(set(codes)) == recovery.RECOVERY_CODE_COUNT
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
    assert recovery.count_unused_codes(user) == 10
    assert actions(user) == ["two_factor.enabled", "two_factor.recovery_codes_made"]


def test_the_set_up_page_shows_the_codes_once(client, login, post_form):
    user, page = _set_up_page(client, login, post_form)
    secret = re.search(r"secret=([A-Z2-7]+)", _page_uri(page)).group(1)
    shown = post_form(
        TWO_FACTOR,
        {"action": "confirm", "confirm-code": totp.code_for(secret, totp.current_step())},
    )
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown.text)
    assert len(codes) == 10
    later = client.get(TWO_FACTOR).text
    assert not any(code in later for code in codes)
    assert "10 codes de récupération" in later  # the count left, in the page's language
    assert "10 codes de récupération" in client.get("/fr/account/").text


def test_a_recovery_code_signs_in_once_and_is_audited_and_mailed(client, app, outbox):
    user = make_user(language="fr")
    _secret, codes = turn_on(user)
    password_step(client, user)
    page = client.get(RECOVERY)
    assert page.status_code == 200
    assert give(client, RECOVERY, codes[3].upper().replace("-", " ")).status_code == 302
    assert signed_in(client)
    assert recovery.count_unused_codes(user) == 9
    assert actions(user)[-1] == "two_factor.recovery_code_used"
    mail = outbox(template="recovery_code_used")
    assert len(mail) == 1 and mail[0].to_address == user.email
    assert "9 codes de récupération" in mail[0].body_text
    # The same code, again, from a new sign-in: refused.
    other = app.test_client()
    password_step(other, user)
    refused = give(other, RECOVERY, codes[3])
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.text
    assert not signed_in(other)
    assert len(outbox(template="recovery_code_used")) == 1


def test_a_wrong_recovery_code_is_refused(client):
    user = make_user()
    turn_on(user)
    password_step(client, user)
    for wrong in ("abcde-fghjk", "not a code", "123456"):
        response = give(client, RECOVERY, wrong)
        assert response.status_code == 200
        assert "déjà été utilisé" in response.text
    assert not signed_in(client)
    assert recovery.count_unused_codes(user) == 10


def test_the_recovery_page_needs_a_password_step_first(client):
    response = client.get(RECOVERY)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(LOGIN)


def test_new_codes_void_the_old_ones_and_need_the_password(app):
    user = make_user()
    _secret, old = turn_on(user)
    with pytest.raises(DomainError):
        replace_recovery_codes(user, user, password="not the password")
    db.session.rollback()
    new = replace_recovery_codes(user, user, password=PASSWORD)
    db.session.commit()
    assert not set(old) & set(new)
    assert not use_recovery_code(user, code=old[0])
    assert use_recovery_code(user, code=new[0])
    assert actions(user).count("two_factor.recovery_codes_made") == 2


def test_new_codes_through_the_page(client, login, post_form):
    user = make_user()
    login(user)  # before the second factor: the fixture signs in without a code
    turn_on(user)
    refused = post_form("/fr/account/two-factor/recovery-codes", {"password": "wrong"})
    assert refused.status_code == 400
    shown = post_form("/fr/account/two-factor/recovery-codes", {"password": PASSWORD})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown.text)
    assert len(codes) == 10
    assert recovery.count_unused_codes(user) == 10
    assert use_recovery_code(user, code=codes[0])


def test_without_two_factor_there_are_no_codes_to_make_or_use(client, login, post_form, app):
    user = make_user()
    _secret, codes = turn_on(user)
    user.totp_enabled_at = None  # as if turned off without the service: rows left behind
    db.session.commit()
    assert not use_recovery_code(user, code=codes[0])
    with pytest.raises(DomainError):
        replace_recovery_codes(user, user, password=PASSWORD)
    db.session.rollback()
    login(user)
    page = client.get("/fr/account/two-factor/recovery-codes")
    assert page.status_code == 302 and page.headers["Location"].endswith(TWO_FACTOR)


def test_turning_off_with_a_recovery_code_deletes_the_codes(client, login, post_form):
    user = make_user()
    login(user)
    _secret, codes = turn_on(user)
    response = post_form(
        TWO_FACTOR, {"action": "disable", "disable-password": PASSWORD, "disable-code": codes[0]}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.totp_enabled
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_TWO_FACTOR": "100 per minute"}])
def test_codes_count_with_the_apps_codes_towards_the_cap_of_a_pending_sign_in(app, client):
    user = make_user()
    secret, codes = turn_on(user)
    password_step(client, user)
    attempts = app.config["TWO_FACTOR_CODE_ATTEMPTS"]
    for i in range(attempts - 1):
        give(client, CODE if i % 2 else RECOVERY, "abcde-fghjk")
    last = give(client, RECOVERY, "abcde-fghjk")  # the cap: the sign-in is void
    assert last.status_code == 302 and last.headers["Location"].endswith(LOGIN)
    voided = give(client, RECOVERY, codes[0])
    assert voided.status_code == 302 and voided.headers["Location"].endswith(LOGIN)
    assert not signed_in(client)
    assert recovery.count_unused_codes(user) == 10


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_TWO_FACTOR": "3 per minute", "TWO_FACTOR_CODE_ATTEMPTS": 50}]
)
def test_the_code_pages_share_one_rate_limit(app, client):
    user = make_user()
    _secret, codes = turn_on(user)
    password_step(client, user)
    statuses = [
        give(client, path, "abcde-fghjk").status_code for path in (CODE, RECOVERY, CODE, RECOVERY)
    ]
    assert statuses == [200, 200, 200, 429]
    assert give(client, RECOVERY, codes[0]).status_code == 429
    assert recovery.count_unused_codes(user) == 10


@pytest.mark.parametrize("config_overrides", [{"REQUIRE_STAFF_2FA": True}])
def test_staff_signed_in_with_a_recovery_code_pass_the_gate(client):
    admin = make_user(roles=[Role.ADMINISTRATOR])
    _secret, codes = turn_on(db.session.get(User, admin.id))
    password_step(client, admin)
    assert give(client, RECOVERY, codes[0]).status_code == 302
    assert client.get("/fr/admin/").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"REQUIRE_STAFF_2FA": True}])
def test_staff_without_two_factor_get_no_codes_and_no_way_round_the_gate(client, login, post_form):
    admin = make_user(roles=[Role.ADMINISTRATOR])
    login(admin)
    response = client.get("/fr/account/two-factor/recovery-codes")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(TWO_FACTOR)
    assert client.get("/fr/admin/").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
