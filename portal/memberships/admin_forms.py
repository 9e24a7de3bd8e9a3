"""Forms of the programs pages: a program, a plan, and the membership actions.

The plan form only reads what was typed (a price, dates, whole numbers) and
says when it cannot; the rules a plan must follow live in `plan_rules`, and
their messages are put beside the fields by the view, all at once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.core.forms import strip
from portal.core.money import CURRENCIES, minor_units, parse_money
from portal.memberships import plan_rules
from portal.memberships.eligibility import PROFILE_FIELDS
from portal.memberships.models import DurationUnit, Plan, TermKind
from portal.memberships.plan_rules import PlanData
from portal.players.models import AgeGroup
from portal.players.services import FIELD_LABELS
from portal.players.settings_forms import WholeNumberField

DATE_MESSAGE = "Enter a date like 2027-03-06."


def _date(label: str, description: str = "") -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        description=description,
        invalid_value_message=DATE_MESSAGE,
    )


def money_input(amount_minor: int, currency: str) -> str:
    """12000, "usd" -> "120.00": the price as the admin types it (no symbol, no commas)."""
    places = minor_units(currency)
    return f"{Decimal(amount_minor).scaleb(-places):.{places}f}"


class ProgramForm(FlaskForm):
    """A program: a name families recognise, and a few words about it."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            InputRequired("Enter the program's name, like Spring recreational 2027."),
            Length(max=plan_rules.NAME_MAX, message="Keep the name to 120 characters or fewer."),
        ],
        render_kw={"autocomplete": "off", "placeholder": "Spring recreational 2027"},
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[
            Length(
                max=plan_rules.DESCRIPTION_MAX,
                message="Keep the description to 2000 characters or fewer.",
            )
        ],
        description="Optional. Shown to families above the program's plans.",
        render_kw={"rows": 3},
    )


class PlanForm(FlaskForm):
    """Every field of a plan. Checkbox lists get their choices from `for_plan`."""

    name = StringField(
        "Name",
        filters=[strip],
        render_kw={"autocomplete": "off", "placeholder": "U10 to U12"},
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        description="Optional: what is included, where and when the team plays.",
        render_kw={"rows": 3},
    )
    price = StringField(
        "Price",
        filters=[strip],
        render_kw={"inputmode": "decimal", "placeholder": "120.00", "autocomplete": "off"},
    )
    currency = SelectField(
        "Currency",
        choices=[SelectChoice(code, code.upper()) for code in CURRENCIES],
        invalid_choice_message="Choose a currency from the list.",
    )
    term = RadioField(
        "Term",
        choices=[SelectChoice(kind.value, kind.label) for kind in TermKind],
        default=TermKind.FIXED.value,
        validators=[InputRequired("Choose a season with fixed dates or a rolling membership.")],
        invalid_choice_message="Choose a season with fixed dates or a rolling membership.",
    )
    season_start = _date("First day")
    season_end = _date("Last day")
    duration = WholeNumberField(
        "Lasts", render_kw={"inputmode": "numeric", "min": 1, "placeholder": "1"}
    )
    duration_unit = SelectField(
        "Unit",
        choices=[SelectChoice(unit.value, unit.value.capitalize()) for unit in DurationUnit],
        default=DurationUnit.MONTHS.value,
        invalid_choice_message="Choose days, weeks, months or years.",
    )
    renewal_window_days = WholeNumberField(
        "Renewal opens (days before a membership ends)",
        render_kw={"inputmode": "numeric", "min": 0, "max": plan_rules.MAX_WINDOW_DAYS},
    )
    capacity = WholeNumberField(
        "Places",
        description="Empty: no limit. Unpaid checkouts hold a place for an hour.",
        render_kw={"inputmode": "numeric", "min": 1},
    )
    age_group_ids = SelectMultipleField(
        "Age groups",
        coerce=int,
        description="None ticked: every age.",
        invalid_choice_message="Choose age groups from the league's list.",
        validate_choice=True,
    )
    born_from = _date("Born on or after")
    born_to = _date("Born on or before")
    required_fields = SelectMultipleField(
        "Also required on the player's profile",
        choices=[SelectChoice(name, FIELD_LABELS.get(name, name)) for name in PROFILE_FIELDS],
        description="On top of what the league's player settings already require.",
        invalid_choice_message="Choose profile fields from the list.",
    )
    agreement_title = StringField(
        "Title",
        filters=[strip],
        render_kw={"autocomplete": "off", "placeholder": "Waiver and release"},
    )
    agreement_text = TextAreaField(
        "Text", description="Families read this and tick to accept it before paying."
    )
    agreement_pdf = FileField(
        "PDF",
        description="Optional, up to 10 MB. Families can open it from the plans page.",
        render_kw={"accept": "application/pdf,.pdf"},
    )
    remove_pdf = BooleanField("Remove the current PDF")
    is_open = BooleanField("Open for registration", default=True)

    price_minor: int | None = None  # the typed price in minor units, read by `validate`

    @classmethod
    def for_plan(
        cls, plan: Plan | None, groups: list[AgeGroup], currency: str = "usd", **kwargs
    ) -> PlanForm:
        """The form filled from a plan (or blank), or from the request when one was posted."""
        form = cls(obj=plan, **kwargs)
        form.age_group_ids.choices = [
            SelectChoice(group.id, f"{group.name} ({group.span})") for group in groups
        ]
        if not form.is_submitted():
            if plan is not None:
                form.price.data = money_input(plan.price_minor, plan.currency)
                form.duration_unit.data = (plan.duration_unit or DurationUnit.MONTHS).value
                form.term.data = plan.term.value
            else:
                form.currency.data = currency
        return form

    def validate(self, extra_validators=None) -> bool:
        """Only the chosen term's fields count: a rolling plan has no season dates to read,
        and a season no length (browsers send both groups of fields either way). The
        price is read here, once, for its check and for `plan_data`."""
        self.price_minor = self._read_price()
        super().validate(extra_validators)
        ignored = {
            TermKind.FIXED.value: ("duration", "duration_unit"),
            TermKind.ROLLING.value: ("season_start", "season_end"),
        }.get(self.term.data, ())
        for name in ignored:
            self[name].errors = []
            self[name].data = None
        return not self.errors

    def validate_price(self, field) -> None:
        if field.data and self.price_minor is None:
            raise ValidationError("Enter the price as a number, like 120.00.")

    def _read_price(self) -> int | None:
        currency = self.currency.data if self.currency.data in CURRENCIES else "usd"
        try:
            return parse_money(self.price.data or "", currency)
        except (ValueError, ArithmeticError, InvalidOperation):
            return None

    def unreadable(self) -> frozenset[str]:
        """Fields whose input could not be read at all (they already carry a message)."""
        return frozenset(name for name in self.errors if name != "csrf_token")

    def plan_data(self) -> PlanData:
        """What was typed, as a PlanData; None where a value is missing or unreadable.
        Call it after `validate`, which reads the price."""
        term = self.term.data if self.term.data in set(TermKind) else None
        unit = self.duration_unit.data if self.duration_unit.data in set(DurationUnit) else None
        return PlanData(
            name=self.name.data or "",
            description=self.description.data or "",
            price_minor=self.price_minor,
            currency=self.currency.data or "",
            term=TermKind(term) if term else None,
            season_start=self.season_start.data,
            season_end=self.season_end.data,
            duration=self.duration.data,
            duration_unit=DurationUnit(unit) if unit else None,
            renewal_window_days=self.renewal_window_days.data,
            capacity=self.capacity.data,
            age_group_ids=tuple(self.age_group_ids.data or ()),
            born_from=self.born_from.data,
            born_to=self.born_to.data,
            required_fields=tuple(self.required_fields.data or ()),
            agreement_title=self.agreement_title.data or "",
            agreement_text=self.agreement_text.data or "",
            is_open=bool(self.is_open.data),
        )

    def pdf(self) -> bytes | None:
        """The uploaded PDF's bytes (None when no file was chosen)."""
        upload = self.agreement_pdf.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        return upload.read()


class SuspendForm(FlaskForm):
    """Suspending a membership: why (required), and until when (optional)."""

    reason = TextAreaField("Reason", filters=[strip])
    until = _date("Until (optional)")


class CancelForm(FlaskForm):
    """Cancelling a membership: why (required). No money moves."""

    reason = TextAreaField("Reason", filters=[strip])
