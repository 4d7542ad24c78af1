"""Forms of the translators' desk: the list's filters (query string, no CSRF token: nothing
changes), and the three actions on an entry in one language, which carry the entry's key and the
language in hidden fields."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from participation.core.forms import ChoiceField, Form, choices, no_control_characters, strip
from participation.core.i18n import LANGUAGE_LABELS, LANGUAGES
from participation.translation_review.models import (
    NOTE_MAX_LENGTH,
    PROPOSAL_MAX_LENGTH,
    STATUS_LABELS,
)

SEARCH_MAX_LENGTH = 200


class FiltersForm(Form):
    class Meta:
        csrf = False

    language = ChoiceField(
        _l("Language"),
        choices=choices(
            [("", _l("Every language"))] + [(c, LANGUAGE_LABELS[c]) for c in LANGUAGES]
        ),
        default="",
        validators=[Optional()],
    )
    status = ChoiceField(
        _l("Status"),
        choices=choices(
            [("", _l("Any status"))] + [(s.value, label) for s, label in STATUS_LABELS.items()]
        ),
        default="",
        validators=[Optional()],
    )
    q = StringField(
        lazy_pgettext("label of the search field", "Search"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=SEARCH_MAX_LENGTH, message=_l("This search is too long.")),
            no_control_characters,
        ],
    )


class EntryActionForm(Form):
    """The entry and the language an action is about."""

    key = HiddenField()
    language = HiddenField()


class ReviewForm(EntryActionForm):
    pass


class FlagForm(EntryActionForm):
    note = TextAreaField(
        _l("What is wrong with this text?"),
        filters=[strip],
        validators=[
            InputRequired(_l("Say what is wrong with this text.")),
            Length(max=NOTE_MAX_LENGTH, message=_l("This note is too long.")),
            no_control_characters,
        ],
    )


def _form_text():
    return TextAreaField(
        _l("Proposed text"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=PROPOSAL_MAX_LENGTH, message=_l("This text is too long.")),
            no_control_characters,
        ],
    )


MAX_PLURAL_FORMS = 6  # Arabic's


class ProposalForm(EntryActionForm):
    """One text per plural form of the language (one for a message without plural): the service
    checks that each of the forms shown is written."""

    note = TextAreaField(
        _l("Note for the maintainers (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=NOTE_MAX_LENGTH, message=_l("This note is too long.")),
            no_control_characters,
        ],
    )

    def __init__(self, *args, labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.shown = [self[f"text_{index}"] for index in range(len(labels) or 1)]
        for field, label in zip(self.shown, labels):
            field.label.text = label

    @property
    def texts(self):
        return [field.data or "" for field in self.shown]


for _index in range(MAX_PLURAL_FORMS):
    setattr(ProposalForm, f"text_{_index}", _form_text())


class ExportForm(Form):
    """The administrators' export of one language's proposals (the service checks the language)."""

    language = HiddenField()
