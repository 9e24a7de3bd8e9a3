"""Forms of the player settings page: the settings, a new age group, the age example."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from portal.core.forms import strip
from portal.leagues.models import ApprovalMode, GenderField, League
from portal.players import settings_services as services
from portal.players.settings_services import SettingsError

SEASON_END, FIXED = "season_end", "fixed"


class WholeNumberField(IntegerField):
    """A number box: blank means "no value", and a typo gets one plain message."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", "Enter a whole number, like 12.")
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "min": 0})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata([str(v).strip() for v in valuelist])

    def pre_validate(self, form):
        # "Enter a whole number" is enough; a range error on top would only confuse.
        if self.process_errors:
            raise StopValidation()


def _days(label: str, description: str) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[
            InputRequired("Enter a number of days (0 is allowed)."),
            NumberRange(0, services.MAX_DAYS, "Enter a number of days from 0 to 365."),
        ],
        description=description,
        render_kw={"inputmode": "numeric", "min": 0, "max": services.MAX_DAYS},
    )


class PlayerSettingsForm(FlaskForm):
    """What a league asks of its players and how their age group is worked out."""

    require_phone = BooleanField("Phone number")
    require_address = BooleanField("Home address")
    require_emergency_contact = BooleanField("Emergency contact (name and phone)")
    require_photo = BooleanField("Photo", description="Printed on the player card.")
    require_document = BooleanField(
        "Proof of age",
        description="A birth certificate, passport or licence, checked by a registrar.",
    )
    gender_field = RadioField(
        "Gender",
        choices=[
            SelectChoice(GenderField.OFF.value, "Don't ask"),
            SelectChoice(GenderField.OPTIONAL.value, "Ask, but players may leave it empty"),
            SelectChoice(GenderField.REQUIRED.value, "Ask, and require an answer"),
        ],
        validators=[InputRequired("Choose whether to ask for gender.")],
    )
    season_year = WholeNumberField(
        "Season year",
        validators=[
            InputRequired("Enter the season year, like 2026."),
            NumberRange(*services.SEASON_YEARS, "Enter a season year from 2000 to 2100."),
        ],
        description="Ages are counted in this year: 2026 for the 2026 or 2026-27 season.",
        invalid_value_message="Enter the year as a number, like 2026.",
        render_kw={"inputmode": "numeric", "min": 2000, "max": 2100},
    )
    cutoff = RadioField(
        "Count ages on",
        choices=[
            SelectChoice(SEASON_END, "31 December of the season year"),
            SelectChoice(FIXED, "A fixed date in the season year"),
        ],
        default=SEASON_END,
        validators=[InputRequired("Choose the day ages are counted on.")],
    )
    age_cutoff_month = SelectField(
        "Month",
        choices=[SelectChoice(n, services.MONTH_NAMES[n]) for n in range(1, 13)],
        coerce=int,
        default=12,
    )
    age_cutoff_day = WholeNumberField(
        "Day",
        description="29 February is allowed: in other years the 28th is used.",
        render_kw={"inputmode": "numeric", "min": 1, "max": 31},
    )
    approval_mode = RadioField(
        "Approving profiles",
        choices=[
            SelectChoice(ApprovalMode.MANUAL.value, "A registrar reviews every profile"),
            SelectChoice(
                ApprovalMode.AUTO_RENEWALS.value,
                "Approve renewals automatically when name, date of birth and photo did not change",
            ),
        ],
        validators=[InputRequired("Choose how profiles are approved.")],
    )
    document_retention_days = _days(
        "Keep proof of age for (days after verification)",
        "0 deletes the document as soon as a registrar verifies the date of birth; "
        "the profile still records who checked it and when.",
    )
    renewal_window_days = _days(
        "Open renewal (days before a membership ends)",
        "From this many days before a membership ends, players can renew and change "
        "their name, date of birth and photo again.",
    )
    renewal_reminder_days = _days(
        "Renewal reminder (days before a membership ends)",
        "The family gets one email with a renewal link this many days before the end. "
        "0 sends no reminders.",
    )
    allow_promotion_codes = BooleanField(
        "Accept promotion codes at checkout",
        description="Codes are made in your Stripe dashboard.",
    )
    card_shows_birth_date = BooleanField(
        "Print the date of birth on cards",
        description="Otherwise the card shows the age group.",
    )
    verify_shows_birth_date = BooleanField(
        "Show the date of birth to whoever scans a card",
        description="Off by default: the check page shows the photo, name and age group.",
    )

    @classmethod
    def for_league(cls, league: League, **kwargs) -> PlayerSettingsForm:
        """The form filled from the league, or from the request when one was posted."""
        season_end = (league.age_cutoff_month, league.age_cutoff_day) == (12, 31)
        return cls(obj=league, cutoff=SEASON_END if season_end else FIXED, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        """The month and day only count for a fixed date; otherwise they are ignored."""
        super().validate(extra_validators)
        if self.cutoff.data == SEASON_END:
            self.age_cutoff_month.errors = []
            self.age_cutoff_day.errors = []
        return not self.errors

    def validate_age_cutoff_day(self, field) -> None:
        if self.cutoff.data != FIXED or not isinstance(self.age_cutoff_month.data, int):
            return
        if field.data is None:
            raise ValidationError("Enter the day of the month.")
        try:
            services.check_cutoff(self.age_cutoff_month.data, field.data)
        except SettingsError as error:
            raise ValidationError(str(error)) from None

    def settings(self) -> services.PlayerSettings:
        fixed = self.cutoff.data == FIXED
        return services.PlayerSettings(
            gender_field=GenderField(self.gender_field.data),
            **{name: bool(self[name].data) for name in services.REQUIRED_FLAGS},
            season_year=self.season_year.data,
            age_cutoff_month=self.age_cutoff_month.data if fixed else 12,
            age_cutoff_day=self.age_cutoff_day.data if fixed else 31,
            approval_mode=ApprovalMode(self.approval_mode.data),
            document_retention_days=self.document_retention_days.data,
            renewal_window_days=self.renewal_window_days.data,
            renewal_reminder_days=self.renewal_reminder_days.data,
            **{name: bool(self[name].data) for name in services.LEAGUE_FLAGS},
        )


def _age(label: str, description: str) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[Optional(), NumberRange(0, services.MAX_AGE, "Enter an age from 0 to 120.")],
        description=description,
        render_kw={"inputmode": "numeric", "min": 0, "max": services.MAX_AGE},
    )


class AgeGroupForm(FlaskForm):
    """A new age group: a name and the ages it takes (either end may be open)."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            InputRequired("Enter a name, like U12 or Open."),
            Length(max=30, message="Keep the name to 30 characters or fewer."),
        ],
        render_kw={"placeholder": "U12", "autocomplete": "off"},
    )
    min_age = _age("From age", "Empty: no youngest age.")
    max_age = _age("To age (included)", "Empty: no oldest age.")

    def validate_max_age(self, field) -> None:
        low = self.min_age.data
        if low is not None and field.data is not None and field.data < low:
            raise ValidationError("The oldest age must not be below the youngest.")


class ExampleForm(FlaskForm):
    """The "try a date of birth" box: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    dob = DateField(
        "Try a date of birth",
        id="example-dob",
        validators=[Optional()],
        invalid_value_message="Enter a date like 2016-03-14.",
    )
