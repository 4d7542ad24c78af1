"""Administrators' pages: users and roles, institutions, territories, the audit log."""
