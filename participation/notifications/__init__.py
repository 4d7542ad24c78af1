"""A person's notifications page and the header's unread count (the rows: core/notifications.py)."""
