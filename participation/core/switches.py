"""Site switches set by administrators (SPEC §1): pause signing, pause petition creation, a banner."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.models import UTCDateTime, utcnow
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


def is_on(key):
    switch = get_switch(key)
    return bool(switch and switch.enabled)


def list_switches():
    """Every switch, existing or not yet stored (off)."""
    stored = {s.key: s for s in db.session.scalars(sa.select(SiteSwitch))}
    return [stored.get(key.value) or SiteSwitch(key=key.value, enabled=False, message={}) for key in Switch]


def banner():
    """The banner's message when the banner switch is on, else None."""
    switch = get_switch(Switch.BANNER)
    return switch.message if switch is not None and switch.enabled and switch.message else None
