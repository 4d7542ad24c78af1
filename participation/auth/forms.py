from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from participation.auth.passwords import password_problem
from participation.institutions.places import commune_problem, list_places, set_place_choices
from participation.core.forms import (
    LANGUAGE_CHOICES,
    ChoiceField,
    Form,
    IdSelectField,
    LocalDateField,
    email_validator,
    no_control_characters,
    strip,
)

REQUIRED = _l("This field is required.")


def strong_password(form, field):
    """The password policy (auth/passwords.py), for the account of the form's e-mail field or of
    the `account_email` the view gave the form."""
    email = form.email.data if "email" in form else getattr(form, "account_email", None)
    problem = password_problem(field.data, email=email)
    if problem is not None:
        raise ValidationError(problem)


class RegisterForm(Form):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=320), email_validator()],
    )
    display_name = StringField(
        _l("Name shown with your contributions"),
        validators=[DataRequired(REQUIRED), Length(min=2, max=80), no_control_characters],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), strong_password])
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("The two passwords are different.")),
        ],
    )
    language = ChoiceField(_l("Language for e-mails"), choices=LANGUAGE_CHOICES)


class LoginForm(Form):
    email = EmailField(
        _l("E-mail address"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=320)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=256)])


class EmailForm(Form):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(REQUIRED), Length(max=320), email_validator()],
    )


class ConfirmForm(Form):
    """Only the CSRF token: the POST that consumes an e-mail token."""


class NewPasswordForm(Form):
    def __init__(self, *args, account_email=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), strong_password]
    )
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("The two passwords are different.")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(REQUIRED), Length(max=256)]
    )


class ProfileForm(Form):
    display_name = StringField(
        _l("Name shown with your contributions"),
        validators=[DataRequired(REQUIRED), Length(min=2, max=80), no_control_characters],
    )
    language = ChoiceField(_l("Preferred language"), choices=LANGUAGE_CHOICES)


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(REQUIRED), Length(max=256)]
    )
    confirm = BooleanField(
        _l("I understand that my account will be deleted and cannot be restored."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class IdentityForm(Form):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(REQUIRED), Length(max=100), no_control_characters],
    )
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(REQUIRED), Length(max=100), no_control_characters]
    )
    cin = StringField(
        _l("National identity card (CIN) number"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description=_l("For example AB123456. It is stored encrypted and never shown in full."),
    )
    cin_expiry = LocalDateField(
        _l("CIN expiry date"),
        validators=[InputRequired(REQUIRED)],
        description=_l("As printed on your card."),
    )
    birth_date = LocalDateField(_l("Date of birth"), validators=[InputRequired(REQUIRED)])
    address = StringField(
        _l("Residence address"),
        validators=[DataRequired(REQUIRED), Length(max=300), no_control_characters],
    )
    abroad = BooleanField(_l("I live abroad"))
    country = StringField(_l("Country of residence (two-letter code, e.g. FR)"), filters=[strip])
    region_id = IdSelectField(_l("Region of residence"))
    province_id = IdSelectField(_l("Prefecture or province of residence"))
    commune_id = IdSelectField(
        _l("Commune of residence"),
        description=_l("Petitions to a communal council can be signed by its residents only."),
    )
    declaration = BooleanField(
        _l(
            "I declare that I am a Moroccan citizen enjoying my civil and political rights and "
            "registered on the general electoral rolls."
        ),
        validators=[DataRequired(_l("You must accept the declaration of eligibility."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_places()

    def show_places(self):
        """The region, province and commune lists for what is chosen now: each list holds the
        places inside the one chosen above it (institutions/places.py)."""
        self.places = list_places(self.region_id.data, self.province_id.data)
        set_place_choices(self, self.places, _l("Choose…"))

    def validate_country(self, field):
        if self.abroad.data and not (field.data or "").strip():
            raise ValidationError(_l("Give your country of residence."))
        if field.data and not (
            len(field.data) == 2 and field.data.isascii() and field.data.isalpha()
        ):
            raise ValidationError(_l("Use the two-letter country code, for example FR."))

    def validate_region_id(self, field):
        if not self.abroad.data and not field.data:
            raise ValidationError(_l("Choose your region."))

    def validate_province_id(self, field):
        if self.abroad.data:
            return
        if not field.data:
            raise ValidationError(_l("Choose your prefecture or province."))
        if not self.region_id.data:
            return
        if field.data not in {p.id for p in self.places.provinces}:
            raise ValidationError(_l("This prefecture or province is not in the region you chose."))

    def validate_commune_id(self, field):
        if self.abroad.data or self.province_id.errors or not self.province_id.data:
            return
        # A commune is asked for wherever the province's communes are loaded.
        problem = commune_problem(
            self.province_id.data, field.data, required=bool(self.places.communes)
        )
        if problem:
            raise ValidationError(problem)


class CodeForm(Form):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[DataRequired(REQUIRED), Length(max=12)],
        filters=[strip],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"},
    )


class DisableTwoFactorForm(CodeForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        filters=[strip],
        render_kw={"autocomplete": "one-time-code", "dir": "ltr"},
    )
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(REQUIRED), Length(max=256)]
    )


class RecoveryCodeForm(Form):
    code = StringField(
        _l("Recovery code"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        filters=[strip],
        description=_l("One of the codes you kept when you turned on two-factor authentication."),
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
            "dir": "ltr",
        },
    )


class PasswordAgainForm(Form):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(REQUIRED), Length(max=256)]
    )
