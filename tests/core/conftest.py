"""Every test here may use the petitions' `world` fixture (tests/petition_world.py)."""

from tests.petition_world import world  # noqa: F401 (fixture)
