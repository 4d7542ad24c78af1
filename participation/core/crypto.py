"""Keyed hashing and encryption for identity numbers (SPEC §2).

The CIN is stored twice: an HMAC-SHA256 with a server secret (to enforce "one CIN, one account"
and "one signature per CIN" with unique constraints, without being reversible), and a Fernet
ciphertext (for the only place the plain number may appear: the signatory list released to the
addressee of a deposited petition). Several encryption keys may be configured, newest first, so
keys can be rotated.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from flask import current_app


def keyed_hash(value):
    key = current_app.config["CIN_HASH_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _fernet():
    keys = [k.strip() for k in current_app.config["CIN_ENCRYPTION_KEYS"].split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value):
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token):
    return _fernet().decrypt(token.encode()).decode()


def mask(value, visible=2):
    """Show only the last characters: 'AB123456' -> '••••••56'."""
    if not value:
        return ""
    return "•" * max(len(value) - visible, 0) + value[-visible:]
