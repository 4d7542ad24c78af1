"""Institutions (ministries, Head of Government, Houses of Parliament, councils) and territories."""
