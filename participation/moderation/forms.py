from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.moderation.models import (
    DECISION_LABELS,
    DECISION_REASON_LABELS,
    DECISION_REASONS,
    MODERATOR_DECISIONS,
    REPORT_REASON_LABELS,
    WORD_LIST_LABELS,
    Decision,
    ReportReason,
    WordList,
)
from participation.moderation.services import TEXT_LIMIT
from participation.petitions.models import SIGNATURE_DECISION_LABELS, SignatureDecisionKind
from participation.core.forms import (
    distinct_ids,
    ChoiceField,
    Form,
    LocalIntegerField,
    choices,
    no_control_characters,
)


def _short_enough(form, field):
    """The services' limit, with the same message."""
    if field.data and len(field.data) > TEXT_LIMIT:
        raise ValidationError(
            ngettext(
                "Use at most %(num)d character.", "Use at most %(num)d characters.", TEXT_LIMIT
            )
        )


def _text(label, *, required=None, description=None):
    validators = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        validators=[*validators, _short_enough, no_control_characters],
        description=description,
        render_kw={"maxlength": TEXT_LIMIT},
    )


class ReportForm(Form):
    reason = ChoiceField(
        _l("Why are you reporting this comment?"),
        choices=choices(
            [("", _l("Choose a reason"))]
            + [(r.value, REPORT_REASON_LABELS[r]) for r in ReportReason]
        ),
        validators=[DataRequired(_l("Choose a reason."))],
    )
    details = _text(
        _l("Details"),
        description=_l(
            "Needed when you choose another reason. Moderators read it; the author does not."
        ),
    )

    def validate_details(self, field):
        if self.reason.data == ReportReason.OTHER and not (field.data or "").strip():
            raise ValidationError(_l("Say what is wrong with this comment."))


def report_form_for(comment):
    return distinct_ids(ReportForm(), f"report-{comment.id}")


_KEEP = _l("To publish or keep the comment")
_REMOVE = _l("To hide or reject the comment")


def _reason_choices():
    keep = DECISION_REASONS[Decision.APPROVE]
    return [SelectChoice("", _l("Choose a reason"))] + [
        SelectChoice(
            reason.value,
            DECISION_REASON_LABELS[reason],
            optgroup=_KEEP if reason in keep else _REMOVE,
        )
        for reason in dict.fromkeys(
            reason for reasons in DECISION_REASONS.values() for reason in reasons
        )
    ]


class DecisionFields:
    decision = ChoiceField(
        _l("Decision"),
        choices=choices(
            [("", _l("Choose a decision"))]
            + [(d.value, DECISION_LABELS[d]) for d in MODERATOR_DECISIONS]
        ),
        validators=[DataRequired(_l("Choose a decision."))],
    )
    reason = ChoiceField(
        _l("Reason"), choices=_reason_choices(), validators=[DataRequired(_l("Choose a reason."))]
    )
    note = _text(
        _l("Note to the author"),
        description=_l(
            "Optional, except for “another breach”. The author receives it with the decision."
        ),
    )


class DecisionForm(DecisionFields, Form):
    item = (
        HiddenField()
    )  # the queue item the moderator looked at, so a decision is never taken twice

    def item_id(self):
        return int(self.item.data) if (self.item.data or "").isdigit() else 0


class IdCheckboxesField(SelectMultipleField):
    """Checkboxes of database ids; anything else is a translated error."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(_l("Choose one of the options in the list."))


class BulkDecisionForm(DecisionFields, Form):
    items = IdCheckboxesField(_l("Comments"))

    def validate_items(self, field):
        if not field.data:
            raise ValidationError(_l("Select at least one comment."))


def _signature_decision_field():
    return ChoiceField(
        _l("Decision"),
        choices=choices(
            [("", _l("Choose a decision"))]
            + [(d.value, SIGNATURE_DECISION_LABELS[d]) for d in SignatureDecisionKind]
        ),
        validators=[DataRequired(_l("Choose a decision."))],
    )


def _signature_note_field():
    return _text(
        _l("Note to the signer"),
        description=_l("Optional. The signer receives it with the decision."),
    )


class SignatureDecisionForm(Form):
    decision = _signature_decision_field()
    note = _signature_note_field()


class BulkSignatureForm(Form):
    """Field names of their own: this form shares the queue page's <form> with BulkDecisionForm."""

    signatures = IdCheckboxesField(_l("Signatures"))
    signature_decision = _signature_decision_field()
    signature_note = _signature_note_field()

    def validate_signatures(self, field):
        if not field.data:
            raise ValidationError(_l("Select at least one signature."))


class AppealForm(Form):
    text = _text(
        _l("Why should the decision change?"),
        required=_l("Explain why the decision should change."),
        description=_l("A moderator other than the one who decided reads your appeal."),
    )


class BlockForm(Form):
    reason = _text(
        _l("Reason for blocking"),
        required=_l("Give the reason for blocking."),
        description=_l("The person receives this reason by e-mail."),
    )


class ActionForm(Form):
    """Only the CSRF token: take or release a lock, lift a block."""


def _number(label, low, high):
    return LocalIntegerField(
        label,
        validators=[
            DataRequired(_l("Enter a whole number.")) if low > 0 else Optional(),
            NumberRange(
                min=low, max=high, message=_l("Enter a number between %(min)d and %(max)d.")
            ),
        ],
    )


class ScreeningForm(Form):
    check_links = BooleanField(_l("Hold comments with too many links"))
    max_links = _number(_l("Links allowed in a comment"), 0, 100)
    check_repeats = BooleanField(_l("Hold comments that repeat a recent comment"))
    repeat_window_hours = _number(_l("Look for the same text in the last hours"), 1, 720)
    repeat_min_length = _number(_l("Ignore texts shorter than (characters)"), 0, 2000)
    check_words = BooleanField(_l("Hold comments that contain a word of the lists"))

    def word_lists(self):
        return {
            word_list.value: self[f"words_{word_list.value}"].data or "" for word_list in WordList
        }

    def word_list_fields(self):
        return [self[f"words_{word_list.value}"] for word_list in WordList]


def _word_list_fields(form_class):
    for word_list in WordList:
        field = TextAreaField(
            _l("Word list: %(language)s", language=WORD_LIST_LABELS[word_list]),
            validators=[Optional(), Length(max=20000), no_control_characters],
            description=_l("One word or expression per line."),
            # The list's own language (BCP 47: "ary_latn" is Darija in Latin letters, ary-Latn).
            render_kw={"lang": word_list.value.replace("_", "-"), "dir": "auto"},
        )
        setattr(form_class, f"words_{word_list.value}", field)


_word_list_fields(ScreeningForm)
