"""Files written or removed by a service follow the database transaction: a file written for a
row that is rolled back is removed, and a file is only deleted once its row's deletion commits."""

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

WRITTEN, DOOMED = "files_written", "files_to_delete"


def write_file(session, path, data):
    Path(path).write_bytes(data)
    session.info.setdefault(WRITTEN, []).append(Path(path))


def delete_file_on_commit(session, path):
    session.info.setdefault(DOOMED, []).append(Path(path))


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    for path in session.info.pop(DOOMED, []):
        path.unlink(missing_ok=True)
    session.info.pop(WRITTEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    if session.in_transaction():
        return  # a savepoint rolled back; the outer transaction decides
    for path in session.info.pop(WRITTEN, []):
        path.unlink(missing_ok=True)
    session.info.pop(DOOMED, None)
