"""PDF attachments of consultations: checked by content, size- and count-limited, stored under
the instance folder (never static/), downloaded as attachments."""

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.consultations import permissions as perms
from participation.consultations.models import Attachment
from participation.core.errors import DomainError
from participation.core.files import delete_file_on_commit, write_file
from participation.core.permissions import guarded_by, require
from participation.extensions import db

PDF_MAGIC = b"%PDF-"


def storage_dir():
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(attachment):
    return storage_dir() / attachment.stored_name


def _safe_name(filename):
    name = Path(filename or "document.pdf").name.replace("\x00", "").strip() or "document.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-200:]


@guarded_by(perms.can_edit_consultation)
def add_attachment(actor, consultation, upload):
    """`upload` is a werkzeug FileStorage."""
    require(perms.can_edit_consultation(actor, consultation))
    if len(consultation.attachments) >= current_app.config["ATTACHMENT_MAX_COUNT"]:
        raise DomainError(
            _l("This consultation already has the largest number of attachments allowed."),
            code="too_many",
        )
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(_l("The file is larger than allowed."), code="too_large")
    if not data.startswith(PDF_MAGIC):
        raise DomainError(_l("Only PDF documents can be attached."), code="not_pdf")
    stored_name = secrets.token_hex(16) + ".pdf"
    write_file(db.session, storage_dir() / stored_name, data)
    attachment = Attachment(
        consultation_id=consultation.id,
        original_name=_safe_name(upload.filename),
        stored_name=stored_name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


@guarded_by(perms.can_edit_consultation)
def delete_attachment(actor, attachment):
    consultation = attachment.consultation
    require(perms.can_edit_consultation(actor, consultation))
    delete_file_on_commit(db.session, stored_path(attachment))
    db.session.delete(attachment)
    db.session.flush()
