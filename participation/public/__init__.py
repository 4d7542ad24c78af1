"""Public pages: the home page and the language redirect."""
