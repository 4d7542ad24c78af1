from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from participation.core.forms import (
    CheckboxesField,
    ChoiceField,
    Form,
    IdSelectField,
    LocalDateField,
    LocalIntegerField,
    choices,
    email_validator,
    strip,
    translated_fields,
)
from participation.institutions.places import list_places, set_place_choices
from participation.petitions import receipts
from participation.petitions.models import DEADLINE_LABELS, LEGAL_STATUS_LABELS, STEP_LABELS


def kind_form_class(kind):
    """The edit form of a kind: its figures, one field per legal deadline, labels per ground."""

    class KindForm(Form):
        institution_id = IdSelectField(_l("Addressee institution (national kinds)"))
        signatures_required = LocalIntegerField(
            _l("Signatures required"), validators=[Optional(), NumberRange(min=1)]
        )
        brackets = TextAreaField(
            _l("Signatures by population (territorial kinds)"),
            description=_l(
                "One line per bracket: “population limit: signatures”; the last line “*: signatures”."
            ),
            render_kw={"dir": "ltr", "rows": 4},
        )
        signatures_with_arrondissements = LocalIntegerField(
            _l("Signatures for communes with arrondissements"),
            validators=[Optional(), NumberRange(min=1)],
        )
        per_province_share = DecimalField(
            _l("Share each prefecture or province must give (%)"),
            places=1,
            validators=[Optional(), NumberRange(min=0, max=100)],
        )
        min_committee_members = LocalIntegerField(
            _l("Minimum committee members"), validators=[NumberRange(min=1, max=100)]
        )
        min_committee_regions = LocalIntegerField(
            _l("Minimum regions among committee members"),
            validators=[Optional(), NumberRange(min=1, max=12)],
        )
        signing_window_days = LocalIntegerField(
            _l("Signing window (days)"), validators=[NumberRange(min=1, max=3650)]
        )
        rejection_notice_months = LocalIntegerField(
            _l("Months to notify a rejection"), validators=[Optional(), NumberRange(min=1, max=24)]
        )
        legal_status = ChoiceField(
            _l("Legal status of these figures"), choices=choices(LEGAL_STATUS_LABELS.items())
        )
        active = BooleanField(_l("Citizens can start petitions of this kind"))

        def __init__(self, *args, institutions=(), **kwargs):
            super().__init__(*args, **kwargs)
            self.institution_id.choices = choices(
                [(0, _l("None"))] + [(i.id, i.display_name()) for i in institutions]
            )

    translated_fields(KindForm, "name", _l("Name"), max_length=300)
    translated_fields(KindForm, "addressee", _l("Addressee, as the law names it"), max_length=300)
    translated_fields(
        KindForm, "note", _l("Note for staff (sources, doubts)"), area=True, max_length=2000
    )
    for key in kind.deadlines_days:
        label = DEADLINE_LABELS.get(key, _l("Deadline (days)"))
        setattr(
            KindForm,
            f"deadline_{key}",
            LocalIntegerField(label, validators=[Optional(), NumberRange(min=1, max=3650)]),
        )
    for ground in kind.grounds:
        translated_fields(
            KindForm, f"ground_{ground['code']}", kind.ground_label(ground), max_length=500
        )
    return KindForm


class PetitionForm(Form):
    kind_id = IdSelectField(_l("Kind and addressee"))
    region_id = IdSelectField(_l("Region (regional, provincial and communal petitions)"))
    province_id = IdSelectField(_l("Prefecture or province (provincial and communal petitions)"))
    commune_id = IdSelectField(_l("Commune (communal petitions)"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        none = [(0, _l("Choose…"))]
        self.kind_id.choices = choices(none + [(k.id, k.display_name()) for k in kinds])
        self.show_places()

    def show_places(self):
        """Each territory list holds the places inside the one chosen above it."""
        set_place_choices(
            self, list_places(self.region_id.data, self.province_id.data), _l("Choose…")
        )


translated_fields(PetitionForm, "title", _l("Title"), max_length=300)
translated_fields(PetitionForm, "demands", _l("Demands"), area=True, max_length=5000)
translated_fields(
    PetitionForm, "memorandum", _l("Memorandum: reasons and aims"), area=True, max_length=20000
)


class InviteForm(Form):
    email = EmailField(
        _l("E-mail address of the person to invite"),
        filters=[strip],
        validators=[
            DataRequired(_l("This field is required.")),
            Length(max=320),
            email_validator(),
        ],
    )


class RolesForm(Form):
    agent_id = IdSelectField(_l("Agent (the addressee's contact)"))
    deputy_id = IdSelectField(_l("Deputy agent"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = choices(
            [(0, _l("Choose…"))]
            + [(m.id, m.user.display_name) for m in members if m.accepted_at and m.user]
        )
        self.agent_id.choices = options
        self.deputy_id.choices = list(options)


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Public reason"), validators=[Length(max=2000)], render_kw={"dir": "auto"}
    )


class ReviewForm(Form):
    decision = ChoiceField(
        _l("Decision"),
        choices=choices(
            [
                ("publish", _l("Admissible: publish for signatures")),
                ("return", _l("Return to the committee for changes")),
                ("reject", _l("Inadmissible: reject")),
            ]
        ),
    )
    checked = CheckboxesField(_l("Conditions checked"), validate_choice=False)
    note = TextAreaField(
        _l("Note to the committee (when returning)"),
        validators=[Length(max=4000)],
        render_kw={"dir": "auto"},
    )
    ground = ChoiceField(_l("Ground of inadmissibility (when rejecting)"), validate_choice=False)
    explanation = TextAreaField(
        _l("Public explanation (when rejecting)"),
        validators=[Length(max=4000)],
        render_kw={"dir": "auto"},
    )

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked.choices = choices(
            (g["code"], kind.ground_label(g)) for g in kind.grounds if g["stage"] == "condition"
        )
        self.ground.choices = choices(
            [("", _l("Choose…"))]
            + [(g["code"], kind.ground_label(g)) for g in kind.grounds if g["stage"] != "condition"]
        )


class SignForm(Form):
    consent = BooleanField(
        _l(
            "I support this petition. I consent to my name, address and identity card number being sent to its addressee institution, for this petition only (Law 09-08)."
        ),
        validators=[
            DataRequired(
                _l(
                    "Tick the box to confirm that you support this petition and consent to the use of your data."
                )
            )
        ],
    )


def consent_given(formdata):
    """What SignForm().validate() decides about consent (a BooleanField with DataRequired), without
    building the form: the signing route is the busiest one and checks CSRF globally already."""
    return formdata.get("consent", "") not in BooleanField.false_values


class StepForm(Form):
    """A step of the addressee's processing: only the steps that may come next are offered."""

    kind = ChoiceField(_l("Step"))
    occurred_on = LocalDateField(
        _l("Date of the step (Morocco)"),
        validators=[DataRequired(_l("Enter the date of this step."))],
    )
    admissible = ChoiceField(
        _l("Outcome (admissibility decision)"),
        choices=choices(
            [("", _l("Choose…")), ("yes", _l("Admissible")), ("no", _l("Inadmissible"))]
        ),
        validate_choice=False,  # anything but yes/no is "no outcome", which the service explains
    )
    ground = ChoiceField(_l("Ground of inadmissibility"), validate_choice=False)

    def __init__(self, *args, steps=(), kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((step.value, STEP_LABELS[step]) for step in steps)
        self.ground.choices = choices(
            [("", _l("Choose…"))]
            + [(g["code"], kind.ground_label(g)) for g in kind.grounds if g["stage"] != "condition"]
        )


translated_fields(
    StepForm, "text", _l("What happened, the reasons or the answer"), area=True, max_length=20000
)
translated_fields(
    StepForm, "measures", _l("Planned measures (final answer)"), area=True, max_length=20000
)


class ReceiptForm(Form):
    """The verify page: a receipt code as the signer got it (dashes, spaces and case forgiven)."""

    code = StringField(
        _l("Receipt code"),
        validators=[DataRequired(_l("Enter the receipt code you received when you signed."))],
    )

    def validate_code(self, field):
        if receipts.parse_code(field.data) is None:
            raise ValidationError(
                _l(
                    "This is not a receipt code: it has 32 letters and digits in groups of 4 joined by hyphens."
                )
            )
