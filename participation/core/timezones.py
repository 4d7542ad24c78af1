"""Times are stored in UTC and entered and shown in Morocco's time (Africa/Casablanca)."""

from datetime import timezone
from zoneinfo import ZoneInfo

MOROCCO = ZoneInfo("Africa/Casablanca")


def local_to_utc(naive_local):
    """A naive date-time typed in a form, read as Moroccan time, as aware UTC."""
    if naive_local is None:
        return None
    return naive_local.replace(tzinfo=MOROCCO).astimezone(timezone.utc)


def utc_to_local_naive(aware):
    """For pre-filling a datetime-local input."""
    if aware is None:
        return None
    return aware.astimezone(MOROCCO).replace(tzinfo=None)


def morocco_date(aware=None):
    """The calendar date in Morocco of an aware moment (now by default)."""
    from participation.core.models import utcnow

    return (aware or utcnow()).astimezone(MOROCCO).date()
