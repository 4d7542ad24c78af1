from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from participation.core.forms import (
    ChoiceField,
    Form,
    IdSelectField,
    LocalDateField,
    choices,
    strip,
    translated_fields,
)
from participation.ogp.models import STATUS_LABELS, STATUS_TRANSITIONS, is_web_address
from participation.ogp.services import URL_MAX_LENGTH


class StatusForm(Form):
    status = ChoiceField(_l("New status"))

    def __init__(self, *args, commitment=None, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = STATUS_TRANSITIONS[commitment.state] if commitment is not None else ()
        self.status.choices = choices(
            (s.value, label) for s, label in STATUS_LABELS.items() if s in allowed
        )


class DetailsForm(Form):
    lead_institution_id = IdSelectField(_l("Lead institution (optional)"))

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_institution_id.choices = choices(
            [(0, _l("None"))] + [(i.id, i.display_name()) for i in institutions]
        )


translated_fields(
    DetailsForm, "description", _l("Description (optional)"), area=True, max_length=4000
)


class MilestoneForm(Form):
    due_on = LocalDateField(_l("Due date"), validators=[InputRequired(_l("Enter a valid date."))])


translated_fields(MilestoneForm, "title", _l("Milestone"), max_length=300)


class MilestoneDoneForm(Form):
    done_on = LocalDateField(_l("Done on (empty: not done)"), validators=[Optional()])


def web_address(form, field):
    if field.data and not is_web_address(field.data):
        raise ValidationError(_l("Enter a full web address starting with http:// or https://."))


class EvidenceForm(Form):
    url = StringField(
        _l("Web address of the evidence"),
        filters=[strip],
        validators=[
            InputRequired(_l("This field is required.")),
            Length(max=URL_MAX_LENGTH, message=_l("This web address is too long.")),
            web_address,
        ],
        render_kw={"dir": "ltr", "inputmode": "url"},
    )


translated_fields(EvidenceForm, "label", _l("Label"), max_length=300)


class NoteForm(Form):
    noted_on = LocalDateField(_l("Date of the observation (empty: today)"), validators=[Optional()])
    corrects_id = IdSelectField(_l("This note corrects (optional)"))

    def __init__(self, *args, notes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.corrects_id.choices = choices(
            [(0, _l("No earlier note"))] + [(n.id, _note_choice(n)) for n in notes]
        )


def _note_choice(note):
    from participation.core.filters import day

    text = note.text("body")[0]
    return f"{day(note.noted_on)} — {text[:60]}"


translated_fields(NoteForm, "text", _l("Progress note"), area=True, max_length=4000)
