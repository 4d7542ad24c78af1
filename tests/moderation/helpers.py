"""Helpers shared by the moderation desk's tests."""

from participation.moderation.models import ModerationItem


def item_for(comment, kind="reported", reason="spam", **fields):
    return ModerationItem.open_for(comment, kind=kind, reason=reason, **fields)
