from flask import current_app
from flask_babel import LazyString, gettext, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField, ValidationError
from wtforms.validators import DataRequired

from participation.comments.markdown import clean_source
from participation.comments.models import STANCE_CHOICES, Stance
from participation.core.errors import DomainError
from participation.core.forms import (
    ChoiceField,
    Form,
    choices,
    distinct_ids,
    no_control_characters,
)


def _hint():
    maximum = current_app.config["COMMENT_MAX_LENGTH"]
    return " ".join(
        [
            gettext(
                "You can write *italics*, **bold**, lists (lines starting with - or 1.), quotes (lines starting with >) and links."
            ),
            ngettext("At most %(num)d character.", "At most %(num)d characters.", maximum),
        ]
    )


HINT = LazyString(_hint)
EMPTY = _l("Write something before sending.")


def acceptable_body(form, field):
    """The same checks as the service (length, emptiness), shown on the field."""
    try:
        clean_source(field.data)
    except DomainError as error:
        raise ValidationError(str(error.message))


def _body(label):
    return TextAreaField(
        label,
        validators=[DataRequired(EMPTY), acceptable_body, no_control_characters],
        description=HINT,
    )


class CommentForm(Form):
    body = _body(_l("Your comment"))
    stance = ChoiceField(
        _l("Your position on this text"),
        choices=choices(
            [("", _l("No position"))]
            + [(stance.value, STANCE_CHOICES[stance]) for stance in Stance]
        ),
        default="",
    )


class ReplyForm(Form):
    body = _body(_l("Your reply"))


class EditForm(Form):
    body = _body(_l("Your comment"))


def thread_comment_form():
    return distinct_ids(CommentForm(), "comment")


def reply_form_for(comment):
    return distinct_ids(ReplyForm(), f"reply-{comment.id}")
