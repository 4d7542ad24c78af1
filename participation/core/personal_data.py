""" "Download my data" and "delete my account" across areas (SPEC §10; docs/personal-data.md).

Each area declares, for every column of its tables that holds a user id, what happens to the rows
it points at:

- in the download: `exported_in` names the place in the JSON document ("petitions.signatures")
  that holds one entry per row, or `not_exported` says why the rows are not there;
- at account deletion: `erasure` says whether the rows are deleted, anonymised (the `cleared`
  columns lose their values) or kept (pointing at the anonymised account), and `why`.

A column holds a user id when it has a foreign key to users.id, or when its `info` documents it
(`info={HOLDS_USER_ID: "<condition>"}`, for a column that names a user only in some rows, such as
the audit log's target). tests/auth/test_personal_data.py fails on any such column without a
declaration, and checks each declaration against a user who did everything.

Each area also registers the functions that build its sections of the download (exporters) and
that carry out its erasures (erasers), so the account pages need not know every table.
"""

import enum
from dataclasses import dataclass

HOLDS_USER_ID = "holds_user_id"
FORMAT_VERSION = 2


class Erasure(enum.StrEnum):
    DELETED = "deleted"  # the rows are deleted
    ANONYMISED = "anonymised"  # the rows stay; their `cleared` columns lose their values
    KEPT = "kept"  # the rows stay and point at the anonymised account, which names nobody


@dataclass(frozen=True)
class UserColumn:
    column: str  # "table.column"
    erasure: Erasure
    why: str
    exported_in: str | None = None
    not_exported: str | None = None
    cleared: tuple[str, ...] = ()

    @property
    def table(self):
        return self.column.split(".")[0]

    @property
    def name(self):
        return self.column.split(".")[1]


_user_columns = {}
_exporters = {}
_erasers = {}


def user_column(column, *, erasure, why, exported_in=None, not_exported=None, cleared=()):
    """Declare how the download and account deletion treat a column holding a user id."""
    erasure = Erasure(erasure)
    if (exported_in is None) == (not_exported is None):
        raise ValueError(f"{column}: give exactly one of exported_in and not_exported")
    if (erasure == Erasure.ANONYMISED) != bool(cleared):
        raise ValueError(f"{column}: an anonymised column names the columns it clears")
    if not why or column in _user_columns:
        raise ValueError(f"{column}: declared twice, or without a reason")
    _user_columns[column] = UserColumn(
        column=column,
        erasure=erasure,
        why=why,
        exported_in=exported_in,
        not_exported=not_exported,
        cleared=tuple(cleared),
    )


def declared_user_columns():
    return dict(_user_columns)


def user_id_columns(metadata):
    """{"table.column": condition or None} for every column of `metadata` that holds a user id."""
    found = {}
    for table in metadata.tables.values():
        for column in table.columns:
            if any(fk.target_fullname == "users.id" for fk in column.foreign_keys):
                found[f"{table.name}.{column.name}"] = None
            elif HOLDS_USER_ID in column.info:
                found[f"{table.name}.{column.name}"] = column.info[HOLDS_USER_ID]
    return found


def personal_data_exporter(section):
    def decorator(function):
        _exporters[section] = function
        return function

    return decorator


def personal_data_eraser(name):
    def decorator(function):
        _erasers[name] = function
        return function

    return decorator


def collect_personal_data(user, *, generated_at):
    data = {
        "about": {
            "format": "participation-personal-data",
            "version": FORMAT_VERSION,
            "generated_at": generated_at.isoformat(),
            "account_id": user.id,
        }
    }
    data.update({section: export(user) for section, export in sorted(_exporters.items())})
    return data


def erase_personal_data(user):
    for _name, erase in sorted(_erasers.items()):
        erase(user)


def iso(value):
    """A date or time in the download: ISO 8601, or null when there is none."""
    return value.isoformat() if value is not None else None
