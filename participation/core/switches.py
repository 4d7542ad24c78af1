"""Site switches set by administrators (SPEC §1): pause signing, pause petition creation, a banner."""

import enum
import time

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.i18n import current_language
from participation.core.models import UTCDateTime, translated, utcnow
from participation.extensions import db


class Switch(enum.StrEnum):
    PAUSE_SIGNING = "pause_signing"
    PAUSE_PETITION_CREATION = "pause_petition_creation"
    BANNER = "banner"


SWITCH_LABELS = {
    Switch.PAUSE_SIGNING: _l("Pause signing (signatures are refused with an explanation)"),
    Switch.PAUSE_PETITION_CREATION: _l("Pause the creation of new petitions"),
    Switch.BANNER: _l("Show a banner on every page"),
}


class SiteSwitch(db.Model):
    __tablename__ = "site_switches"

    key = sa.Column(sa.String(40), primary_key=True)
    enabled = sa.Column(sa.Boolean, nullable=False, default=False)
    message = sa.Column(sa.JSON, nullable=False, default=dict)  # {lang: text}, shown to visitors
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)


def get_switch(key):
    return db.session.get(SiteSwitch, Switch(key).value)


def _states():
    """{key: (enabled, message)} of every stored switch. Every page reads the banner and every
    signature the pause switch: a process keeps them SWITCH_CACHE_SECONDS (a change made in another
    worker shows within that time; one made in this process at once, see forget_switches)."""
    ttl = current_app.config.get("SWITCH_CACHE_SECONDS", 0)
    cache = current_app.extensions.setdefault("site_switches", {})
    now = time.monotonic()
    if ttl and "states" in cache and now - cache["read_at"] < ttl:
        return cache["states"]
    states = {
        key: (enabled, message)
        for key, enabled, message in db.session.execute(
            sa.select(SiteSwitch.key, SiteSwitch.enabled, SiteSwitch.message)
        )
    }
    cache.update(states=states, read_at=now)
    return states


def forget_switches():
    current_app.extensions.pop("site_switches", None)


def is_on(key):
    return bool(_states().get(Switch(key).value, (False, None))[0])


def list_switches():
    """Every switch, existing or not yet stored (off)."""
    stored = {s.key: s for s in db.session.scalars(sa.select(SiteSwitch))}
    return [
        stored.get(key.value) or SiteSwitch(key=key.value, enabled=False, message={})
        for key in Switch
    ]


def switch_message(key):
    """The administrator's message of switch `key` while it is on, as (text, language): in the
    page's language, or in another one when it is written only there (the page marks it); None
    when the switch is off or has no message. Plain text, escaped where it is shown
    (templates/_switches.html)."""
    enabled, message = _states().get(Switch(key).value, (False, None))
    if not enabled or not message:
        return None
    text, language = translated(message, current_language())
    return (text, language) if text else None


def banner():
    """The banner's message when the banner switch is on, else None."""
    enabled, message = _states().get(Switch.BANNER.value, (False, None))
    return message if enabled and message else None
