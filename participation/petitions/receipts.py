"""Signature receipts (docs/verifiable-counts.md): a random code of 160 bits given to the signer
once, of which only a hash is stored with the signature.

The hash is plain SHA-256, not keyed: the code is 160 random bits, so its hash cannot be reversed
or guessed, and anyone can recompute a leaf of the count log from a code without a platform
secret. It is domain-separated (RECEIPT_DOMAIN) from every other hash of the platform and from
the Merkle tree's nodes."""

import base64
import hashlib
import hmac
import secrets

from flask import current_app, request

from participation.core.mail import queue_mail
from participation.core.permissions import SELF_SERVICE, guarded_by
from participation.core.urls import external_url

RECEIPT_DOMAIN = b"participation/receipt/v1\x00"
RECEIPT_BYTES = 20  # 160 bits: 32 base32 characters, no padding
GROUP = 4
# Letters people confuse with the digits base32 leaves out (RFC 4648 has no 0, 1, 8 or 9).
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})
CODE_COOKIE = "receipt"  # carries a new code from the signing POST to the petition page, once


def receipt_hash(raw):
    return hashlib.sha256(RECEIPT_DOMAIN + raw).hexdigest()


def format_code(raw):
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def new_receipt():
    """(code shown to the signer, hash stored with the signature)."""
    raw = secrets.token_bytes(RECEIPT_BYTES)
    return format_code(raw), receipt_hash(raw)


def parse_code(text):
    """The code's bytes from what a person typed (case, spaces, dashes and look-alike digits
    forgiven), or None when it cannot be a receipt code."""
    cleaned = "".join((text or "").upper().split()).replace("-", "").translate(_LOOKALIKES)
    if len(cleaned) != RECEIPT_BYTES * 8 // 5:
        return None
    try:
        return base64.b32decode(cleaned)
    except ValueError:
        return None


def hash_of_code(text):
    """The stored hash a typed code stands for, or None."""
    raw = parse_code(text)
    return receipt_hash(raw) if raw is not None else None


# From the signing POST to the petition page: a cookie of its own, not the session, which the
# signing path does not rewrite (docs/benchmarks.md); it lives ten minutes at most and the page
# that shows the code deletes it.
CODE_COOKIE_SECONDS = 600


def remember_code(response, petition_id, code):
    response.set_cookie(
        CODE_COOKIE,
        f"{petition_id}.{code}",
        max_age=CODE_COOKIE_SECONDS,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )


def carried_code(petition_id, signature):
    """The code the signing POST left for this petition's page, when it is the code of the
    reader's own signature (a cookie planted by someone else shows nothing); else None."""
    value = request.cookies.get(CODE_COOKIE, "")
    carried_for, _dot, code = value.partition(".")
    if signature is None or carried_for != str(petition_id) or signature.receipt_hash is None:
        return None
    if not hmac.compare_digest(hash_of_code(code) or "", signature.receipt_hash):
        return None
    return code


def forget_code(response):
    response.delete_cookie(
        CODE_COOKIE,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )


@guarded_by(SELF_SERVICE)
def email_receipt(signer, petition, code):
    """The receipt code by e-mail, in the signer's language, once (with the page showing it)."""
    language = signer.language
    queue_mail(
        to=signer.email,
        language=language,
        template="signature_receipt",
        user=signer,
        code=code,
        title=petition.text("title", language)[0],
        link=external_url("petition_counts.verify", lang_code=language, petition_id=petition.id),
    )
