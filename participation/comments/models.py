"""Comment models (being built)."""
