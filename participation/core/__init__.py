"""Shared kernel: no routes, only what every area needs."""
