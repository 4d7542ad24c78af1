"""The observatory's filters: a period of whole months, an institution, a region. Read from the
query string (GET, no CSRF token: nothing changes); any bad value is a translated error."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import Optional

from participation.core.forms import Form, IdSelectField, choices
from participation.stats.periods import months_between

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 120
EARLIEST = date(2018, 1, 1)  # the platform's action plan began in 2018


def parse_month(value):
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(_l("Enter a month as year and month, for example 2026-03."))
    return date(int(match.group(1)), int(match.group(2)), 1)


class FiltersForm(Form):
    class Meta:
        csrf = False

    start = StringField(
        _l("From (month)"),
        validators=[Optional()],
        render_kw={"type": "month", "placeholder": "2026-01"},
    )
    end = StringField(
        _l("To (month)"),
        validators=[Optional()],
        render_kw={"type": "month", "placeholder": "2026-12"},
    )
    institution = IdSelectField(_l("Institution"), default=0)
    region = IdSelectField(_l("Region of residence"), default=0)

    def __init__(self, *args, institutions=(), regions=(), today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.institution.choices = choices(
            [(0, _l("All institutions"))] + [(i.id, i.display_name()) for i in institutions]
        )
        self.region.choices = choices(
            [(0, _l("All regions"))] + [(r.id, r.display_name()) for r in regions]
        )

    def validate_start(self, field):
        if field.data:
            month = parse_month(field.data)
            if month < EARLIEST:
                raise ValidationError(_l("Statistics start in January 2018."))

    def validate_end(self, field):
        if field.data:
            month = parse_month(field.data)
            if self.today and month > self.today.replace(day=1):
                raise ValidationError(_l("The period cannot end after this month."))

    def validate_institution(self, field):
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the options in the list."))

    validate_region = validate_institution

    def period(self, default_first, default_last):
        """(first month, last month) from valid data, with the defaults for empty fields; call
        after validate(). A period that ends before it starts or is too long is an error."""
        first = parse_month(self.start.data) if self.start.data else default_first
        last = parse_month(self.end.data) if self.end.data else default_last
        if first > last:
            self.end.errors.append(_l("The end of the period must not be before its start."))
            return None
        if len(months_between(first, last)) > MAX_MONTHS:
            self.end.errors.append(
                _l("Choose a period of at most %(count)s months.", count=MAX_MONTHS)
            )
            return None
        return first, last
