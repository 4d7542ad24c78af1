from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, StringField
from wtforms.validators import URL, Length, NumberRange, Optional

from participation.institutions.places import list_places, set_place_choices
from participation.auth.models import ROLE_LABELS, Role
from participation.core.forms import (
    ChoiceField,
    Form,
    IdSelectField,
    LocalIntegerField,
    choices,
    no_control_characters,
    translated_fields,
)
from participation.institutions.models import INSTITUTION_KIND_LABELS


class GrantRoleForm(Form):
    role = ChoiceField(_l("Role"), choices=choices((r.value, ROLE_LABELS[r]) for r in Role))
    institution_id = IdSelectField(_l("Institution (officers only)"))

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.institution_id.choices = choices(
            [(0, _l("None"))] + [(i.id, i.display_name()) for i in institutions]
        )


class RevokeForm(Form):
    """Only the CSRF token."""


class InstitutionForm(Form):
    kind = ChoiceField(
        _l("Kind"),
        choices=choices((k.value, label) for k, label in INSTITUTION_KIND_LABELS.items()),
    )
    name_ar = StringField(
        _l("Name in Arabic"), validators=[Optional(), Length(max=300), no_control_characters]
    )
    name_fr = StringField(
        _l("Name in French"), validators=[Optional(), Length(max=300), no_control_characters]
    )
    name_zgh = StringField(
        _l("Name in Amazigh (Tifinagh)"),
        validators=[Optional(), Length(max=300), no_control_characters],
    )
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=20)])
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            URL(message=_l("Enter a full web address starting with https://.")),
        ],
    )
    region_id = IdSelectField(_l("Region"))
    province_id = IdSelectField(_l("Prefecture or province"))
    commune_id = IdSelectField(_l("Commune (communal councils)"))
    population = LocalIntegerField(
        _l("Population of the commune (communal councils)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=100_000_000, message=_l("Enter a number between 0 and 100,000,000.")
            ),
        ],
        description=_l(
            "It sets the number of signatures communal petitions need. Leave empty when it is not known."
        ),
    )
    has_arrondissements = BooleanField(_l("The commune has arrondissements"))
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_places()

    def show_places(self):
        """Each territory list holds the places inside the one chosen above it."""
        set_place_choices(self, list_places(self.region_id.data, self.province_id.data), _l("None"))

    def names(self):
        return {"ar": self.name_ar.data, "fr": self.name_fr.data, "zgh": self.name_zgh.data}


class PopulationForm(Form):
    population = LocalIntegerField(
        _l("Population"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=100_000_000, message=_l("Enter a number between 0 and 100,000,000.")
            ),
        ],
        description=_l("Leave empty when the population is not known."),
    )
    year = LocalIntegerField(
        _l("Census year"),
        validators=[
            Optional(),
            NumberRange(min=1900, max=2100, message=_l("Enter a year between 1900 and 2100.")),
        ],
    )


class SwitchForm(Form):
    enabled = BooleanField(lazy_pgettext("site switch toggle", "On"))


translated_fields(SwitchForm, "message", _l("Message shown to visitors"), area=True, max_length=500)
