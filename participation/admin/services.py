"""Administrators turn the site switches on and off (audited)."""

from participation.admin.permissions import can_set_switches
from participation.core.audit import record_audit
from participation.core.permissions import guarded_by, require
from participation.core.models import clean_translations
from participation.core.switches import SiteSwitch, Switch, forget_switches, get_switch
from participation.extensions import db


@guarded_by(can_set_switches)
def set_switch(actor, key, *, enabled, message):
    require(can_set_switches(actor))
    switch = get_switch(key) or SiteSwitch(key=Switch(key).value)
    switch.enabled = bool(enabled)
    switch.message = clean_translations(message)
    switch.updated_by_id = actor.id
    db.session.add(switch)
    db.session.flush()
    record_audit(actor, "switch.set", None, key=switch.key, enabled=switch.enabled)
    forget_switches()
    return switch
