"""Times are stored in UTC and entered and shown in Morocco's legal time (Africa/Casablanca).

Every conversion, on the way in and on the way out, goes through `MOROCCO`, read from the `tzdata`
package the project pins: not from the operating system's database, whose age depends on the
host (a Debian 12 image still carries 2025b, where Morocco stays at +01 after 20 September 2026),
and not from pytz, which Flask-Babel would use to rebase times. Two databases of different ages
put the typed time and the shown time an hour apart; one database cannot.
"""

from datetime import timezone
from importlib import resources
from zoneinfo import ZoneInfo
from participation.core.models import as_utc

MOROCCO_KEY = "Africa/Casablanca"


def _zone_from_tzdata(key):
    # tzdata documents its files as package resources; ZoneInfo(key) would prefer the system's.
    with resources.files("tzdata").joinpath("zoneinfo", *key.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=key)


MOROCCO = _zone_from_tzdata(MOROCCO_KEY)


def to_morocco(moment):
    """A moment on Morocco's clock. A naive one is UTC, as stored (SQLite returns aggregates of
    date-time columns naive); naive.astimezone() would read it in the server's zone."""
    return as_utc(moment).astimezone(MOROCCO)


def local_to_utc(naive_local):
    """A naive date-time typed in a form, read as Moroccan time, as aware UTC.

    A time the clock shows twice (the hour after it goes back) is read as the first one; a time
    it skips (the hour it jumps over) is read with the offset in force before the jump."""
    if naive_local is None:
        return None
    return naive_local.replace(tzinfo=MOROCCO).astimezone(timezone.utc)


def utc_to_local_naive(aware):
    """For pre-filling a datetime-local input."""
    if aware is None:
        return None
    return to_morocco(aware).replace(tzinfo=None)


def morocco_date(aware=None):
    """The calendar date in Morocco of an aware moment (now by default)."""
    from participation.core.models import utcnow

    return to_morocco(aware or utcnow()).date()
