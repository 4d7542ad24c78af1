"""Form pieces shared by every area."""

from flask import has_request_context, request
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import (
    DateField,
    FileField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.core.i18n import DIRECTIONS, LANGUAGE_LABELS, LANGUAGE_NAMES, LANGUAGES


# WTForms' own messages for the validators and fields the platform uses (defaults it shows where a
# form gives no message of its own), written here so that the extractor puts them in the platform's
# catalogs: WTForms and Flask-WTF ship no Amazigh catalog, and one catalog keeps the wording of the
# three languages in step with the rest of the interface. Never evaluated: the Meta below hands the
# catalogs to WTForms, which formats the messages itself.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
)


class CatalogTranslations:
    """The translations object WTForms asks a form's Meta for: its messages answered from the
    platform's catalogs in the request's language. Babel's own gettext/ngettext, not
    flask_babel's, which would %-format the message before WTForms does."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """The base of every form of the platform (a structural test checks it).

    Flask-WTF reads a multipart request's files and fields as one dictionary, so a file part named
    like a text field (`email`) reached that field's filters and validators as a FileStorage, and
    they failed (a 500). Here only file fields receive files: a text field sent as a file is
    missing, which its validators report like any missing value."""

    class Meta:
        def get_translations(self, form):
            return CatalogTranslations()

        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None or not has_request_context() or not request.files:
                return formdata
            file_fields = {field.name for field in form if isinstance(field, FileField)}
            return MultiDict(
                [
                    (name, value)
                    for name, value in formdata.items(multi=True)
                    if name in file_fields or not isinstance(value, FileStorage)
                ]
            )


def choices(pairs):
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


# Each language named in itself, so each option carries its own language.
LANGUAGE_CHOICES = [
    SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code, "dir": DIRECTIONS[code]})
    for code in LANGUAGES
]


def distinct_ids(form, prefix):
    """A page shows many instances of one form (a reply form under each comment): the same field
    names, an id of their own for each."""
    for field in form:
        field.id = field.label.field_id = f"{prefix}-{field.name}"
    return form


def strip(value):
    return value.strip() if isinstance(value, str) else value


def email_validator():
    return Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)


def no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\n\r\t" for c in field.data):
        raise ValidationError(_l("This field contains characters that are not allowed."))


# WTForms' own parse errors ("Not a valid integer value.") have no Amazigh translation: these
# fields report them with the platform's translated messages instead.


class LocalDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a valid date."))


class LocalIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number."))


class ChoiceField(SelectField):
    """A select whose value must be one of its choices, with a translated error."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Choose one of the options in the list."))


class IdSelectField(SelectField):
    """A select of database ids (0 = none chosen); anything else is a translated error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = 0
            raise ValueError(_l("Choose one of the options in the list."))


def translated_fields(form_class, name, label, *, area=False, max_length=300):
    """Add <name>_ar, <name>_fr, <name>_zgh fields to a form class."""
    for lang in LANGUAGES:
        field_class = TextAreaField if area else StringField
        field = field_class(
            _l("%(field)s — %(language)s", field=label, language=LANGUAGE_LABELS[lang]),
            validators=[Optional(), Length(max=max_length), no_control_characters],
            render_kw={"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"},
        )
        setattr(form_class, f"{name}_{lang}", field)


def translated_data(form, name):
    return {lang: getattr(form, f"{name}_{lang}").data or "" for lang in LANGUAGES}


def fill_translated(form, name, values):
    for lang in LANGUAGES:
        getattr(form, f"{name}_{lang}").data = (values or {}).get(lang, "")


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
