"""Fixtures of the notifications tests: the stand-in "note" comment target and the petition world."""

from tests.notes import extend_app, note, notes, target  # noqa: F401 (fixtures)
from tests.petition_world import held_by_ip, world  # noqa: F401 (fixtures)
