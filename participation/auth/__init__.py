"""Accounts, roles, the identity profile needed to sign, and e-mail tokens."""
