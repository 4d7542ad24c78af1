"""The staff roles a person can be granted (auth grants and revokes them). In the kernel so that
areas below auth, such as institutions, can name a role without importing auth."""

import enum


class Role(enum.StrEnum):
    OFFICER = "officer"
    MODERATOR = "moderator"
    OBSERVER = "observer"
    ADMINISTRATOR = "administrator"
    TRANSLATOR = "translator"
