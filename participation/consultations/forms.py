from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateTimeLocalField, TextAreaField, URLField
from wtforms.validators import URL, Length, Optional

from participation.institutions.places import list_places, set_place_choices
from participation.consultations.models import (
    DECISION_LABELS,
    MODERATION_LABELS,
    QUESTION_KIND_LABELS,
    SCOPE_LABELS,
    Decision,
)
from participation.core.forms import (
    CheckboxesField,
    ChoiceField,
    Form,
    IdSelectField,
    LocalIntegerField,
    choices,
    fill_translated,
    translated_data,
    translated_fields,
)
from participation.core.i18n import LANGUAGE_LABELS, LANGUAGES

__all__ = ["fill_translated", "translated_data"]  # the officer views use them through this module

TEXT_LIMIT = 20000


class LocalDateTimeField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a valid date and time."))


class ConsultationForm(Form):
    scope = ChoiceField(
        _l("Scope"), choices=choices((s.value, label) for s, label in SCOPE_LABELS.items())
    )
    region_id = IdSelectField(_l("Region (regional scope)"))
    province_id = IdSelectField(_l("Prefecture or province (provincial scope)"))
    topics = CheckboxesField(_l("Topics"), validate_choice=False)
    opens_at = LocalDateTimeField(_l("Opens on (Morocco time)"), validators=[Optional()])
    closes_at = LocalDateTimeField(_l("Closes on (Morocco time)"), validators=[Optional()])
    moderation_mode = ChoiceField(
        _l("Comment moderation"),
        choices=choices((m.value, label) for m, label in MODERATION_LABELS.items()),
        default="post",
    )

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.show_places()
        self.topics.choices = choices((t.slug, t.text("name")[0]) for t in topics)

    def show_places(self):
        """The province list holds the provinces of the chosen region (institutions/places.py)."""
        set_place_choices(self, list_places(self.region_id.data), _l("None"))


translated_fields(ConsultationForm, "title", _l("Title"), max_length=300)
translated_fields(ConsultationForm, "summary", _l("Summary"), area=True, max_length=2000)
translated_fields(ConsultationForm, "body", _l("Presentation"), area=True, max_length=TEXT_LIMIT)


class SectionForm(Form):
    pass


translated_fields(SectionForm, "heading", _l("Heading"), max_length=300)
translated_fields(SectionForm, "body", _l("Text"), area=True, max_length=TEXT_LIMIT)


class ImportSectionsForm(Form):
    language = ChoiceField(
        _l("Language of the text"),
        choices=choices((lang, LANGUAGE_LABELS[lang]) for lang in LANGUAGES),
    )
    text = TextAreaField(
        _l("Whole draft text"),
        validators=[Length(max=200000)],
        description=_l(
            'Each line that starts with "Article", "Chapitre", "المادة", "الفصل", "الباب" or a Markdown "#" starts a new section. While the sections are in this language only, the text replaces them; otherwise it fills in this language, section by section, matched by their order and the numbers in their headings.'
        ),
        render_kw={"dir": "auto", "rows": 15},
    )


class WithdrawForm(Form):
    reason = TextAreaField(
        _l("Public reason for withdrawing"),
        validators=[Length(max=2000)],
        render_kw={"dir": "auto"},
    )


REASON_LIMIT = 2000


class CloseEarlyForm(Form):
    pass


translated_fields(
    CloseEarlyForm,
    "reason",
    _l("Public reason for closing early"),
    area=True,
    max_length=REASON_LIMIT,
)


class ExtendForm(Form):
    closes_at = LocalDateTimeField(
        _l("New closing date (Morocco time)"),
        validators=[Optional()],  # an empty date is refused by the service, in its words
    )


translated_fields(
    ExtendForm, "reason", _l("Public reason for the extension"), area=True, max_length=REASON_LIMIT
)


class CorrectionForm(Form):
    section_id = IdSelectField(_l("Section concerned (optional)"))

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section_id.choices = choices(
            [(0, _l("The whole consultation"))] + [(s.id, s.text("heading")[0]) for s in sections]
        )


translated_fields(CorrectionForm, "note", _l("Correction"), area=True, max_length=4000)


class AttachmentForm(Form):
    document = FileField(
        _l("PDF document"),
        validators=[FileRequired(_l("Choose a PDF file."))],
        description=_l("PDF only, at most %(size)s MB.", size=10),
        render_kw={"accept": "application/pdf"},
    )


class QuestionForm(Form):
    kind = ChoiceField(
        _l("Kind of question"),
        choices=choices((k.value, label) for k, label in QUESTION_KIND_LABELS.items()),
    )
    scale_min = LocalIntegerField(_l("Scale from"), default=1, validators=[Optional()])
    scale_max = LocalIntegerField(_l("Scale to"), default=5, validators=[Optional()])
    required = BooleanField(_l("An answer is required"))


translated_fields(QuestionForm, "prompt", _l("Question"), max_length=500)
translated_fields(
    QuestionForm,
    "options",
    _l("Options, one per line (choice questions)"),
    area=True,
    max_length=4000,
)


class ActionForm(Form):
    """Only the CSRF token: buttons that trigger a transition."""


def outcome_form_class(sections):
    """The outcome report form has a decision and explanations for each section."""

    class OutcomeForm(Form):
        final_text_url = URLField(
            _l("Link to the final text (optional)"),
            validators=[
                Optional(),
                Length(max=500),
                URL(message=_l("Enter a full web address starting with https://.")),
            ],
        )
        publish = BooleanField(_l("Publish the report now and notify participants and followers"))

    translated_fields(
        OutcomeForm,
        "summary",
        _l("What we heard and what we decided, in summary"),
        area=True,
        max_length=TEXT_LIMIT,
    )
    translated_fields(
        OutcomeForm, "final_text", _l("Final text (optional)"), area=True, max_length=TEXT_LIMIT
    )
    decision_choices = [("", _l("Choose…"))] + [
        (d.value, label) for d, label in DECISION_LABELS.items()
    ]
    for section in sections:
        setattr(
            OutcomeForm,
            f"decision_{section.id}",
            ChoiceField(_l("Decision"), choices=choices(decision_choices), validate_choice=False),
        )
        translated_fields(
            OutcomeForm, f"heard_{section.id}", _l("What we heard"), area=True, max_length=4000
        )
        translated_fields(
            OutcomeForm, f"reasons_{section.id}", _l("Reasons"), area=True, max_length=4000
        )
    return OutcomeForm


def decision_value(form, section):
    value = getattr(form, f"decision_{section.id}").data
    return value if value in {d.value for d in Decision} else None
