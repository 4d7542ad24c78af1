"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits), the codes
authenticator apps show. Small enough to keep here rather than add a dependency."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

PERIOD = 30
DIGITS = 6


def new_secret():
    """160 random bits, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret):
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(key, counter, digits=DIGITS, digest=hashlib.sha1):
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def current_step(now=None):
    return int((time.time() if now is None else now) // PERIOD)


def code_for(secret, step):
    return hotp(_key(secret), step)


def matching_step(secret, code, *, now=None, last_step=None, window=1):
    """The time step a code belongs to (allowing one step of clock drift either way), or None.

    A step at or before `last_step` is refused, so an intercepted code cannot be used twice."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != DIGITS:
        return None
    step = current_step(now)
    for candidate in range(step - window, step + window + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if hmac.compare_digest(code_for(secret, candidate), code):
            return candidate
    return None


def provisioning_uri(secret, account, issuer):
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": PERIOD}
    )


def grouped(secret):
    """'JBSWY3DPEHPK3PXP' -> 'JBSW Y3DP EHPK 3PXP', easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
