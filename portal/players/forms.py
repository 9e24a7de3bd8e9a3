"""The player profile form: what a guardian types, and the messages they see.

Only what `ProfileData` can hold is ever read from it (see `profile_data`),
so extra posted fields (status, league, reviewer...) cannot reach the model.
Files arrive two ways: uploaded ahead by uploads.js (a hidden token), or
with the form itself when JavaScript is off (a file field); the view stages
either kind the same way.
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.core.forms import strip
from portal.leagues.models import GenderField, League
from portal.players.models import DocumentKind, Gender, PlayerProfile
from portal.players.services import ProfileData, today_in

WHO_CHOICES = [
    SelectChoice("child", "My child, or someone I look after"),
    SelectChoice("self", "Myself"),
]
PHONE = Regexp(
    r"^\+?[0-9 ().\-]{6,40}$",
    message="Enter a phone number using digits, like +1 555 0100.",
)
GENDER_VALUES = frozenset(g.value for g in Gender)
PHOTO_ACCEPT = "image/*,.heic,.heif"
DOCUMENT_ACCEPT = "application/pdf,image/*,.heic,.heif"


def required_for_submission(league: League) -> list[str]:
    """The fields this league needs before a profile is submitted, besides name and
    date of birth (the same rules as `services.missing_for_submission`)."""
    wanted = {
        "gender": league.gender_field == GenderField.REQUIRED,
        "phone": league.require_phone,
        "address": league.require_address,
        "emergency_contact": league.require_emergency_contact,
        "photo": league.require_photo,
        "document": league.require_document,
    }
    return [name for name, needed in wanted.items() if needed]


class BirthDateField(DateField):
    """A date input whose mistakes read as plain advice.

    Browsers without a date picker send whatever was typed; an empty value is
    left to `InputRequired`, so the user sees one message rather than two.
    """

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


def _plausible_birth_date(form, field) -> None:
    """Not in the future, and not more than 100 years ago (a mistyped year)."""
    born = field.data
    if born is None:
        return
    today = form.today
    if born > today:
        raise ValidationError("The date of birth can't be in the future.")
    try:
        earliest = today.replace(year=today.year - 100)
    except ValueError:  # 29 February
        earliest = date(today.year - 100, 3, 1)
    if born < earliest:
        raise ValidationError("Please check the year: that is more than 100 years ago.")


class ProfileForm(FlaskForm):
    """A player profile. Saving a draft needs only the name and date of birth;
    the rest of the league's requirements are checked when it is submitted."""

    who = RadioField("Who are you registering?", choices=WHO_CHOICES, default="child")
    first_name = StringField(
        "First name",
        filters=[strip],
        validators=[DataRequired("Enter the player's first name."), Length(max=80)],
        render_kw={"autocomplete": "given-name", "autocapitalize": "words"},
    )
    last_name = StringField(
        "Last name",
        filters=[strip],
        validators=[DataRequired("Enter the player's last name."), Length(max=80)],
        render_kw={"autocomplete": "family-name", "autocapitalize": "words"},
    )
    date_of_birth = BirthDateField(
        "Date of birth",
        validators=[InputRequired("Enter the date of birth."), _plausible_birth_date],
        invalid_value_message="Enter the date of birth as year-month-day, like 2016-03-14.",
        render_kw={"autocomplete": "bday", "placeholder": "YYYY-MM-DD"},
    )
    gender = RadioField("Gender", validators=[Optional()], validate_choice=False)
    phone = TelField(
        "Phone",
        filters=[strip],
        validators=[Optional(), Length(max=40), PHONE],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    address = TextAreaField(
        "Home address",
        filters=[strip],
        validators=[Optional(), Length(max=500, message="Keep the address under 500 characters.")],
        render_kw={"autocomplete": "street-address", "rows": 3},
    )
    emergency_name = StringField(
        "Emergency contact's name",
        filters=[strip],
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "name", "autocapitalize": "words"},
    )
    emergency_phone = TelField(
        "Emergency contact's phone",
        filters=[strip],
        validators=[Optional(), Length(max=40), PHONE],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    document_kind = SelectField(
        "Type of document",
        choices=[SelectChoice(kind.value, kind.label) for kind in DocumentKind],
        default=DocumentKind.BIRTH_CERTIFICATE.value,
    )
    # Files: chosen here without JavaScript, or staged ahead (the hidden tokens).
    photo = FileField("Photo", render_kw={"accept": PHOTO_ACCEPT})
    photo_upload = HiddenField()
    crop_x = HiddenField()
    crop_y = HiddenField()
    crop_w = HiddenField()
    document = FileField("Proof of age", render_kw={"accept": DOCUMENT_ACCEPT})
    document_upload = HiddenField()

    def __init__(self, league: League, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.league = league
        self.today = today_in(league)
        self.fresh: set[str] = set()  # kinds whose file came with this post and was staged
        self.refused: set[str] = set()  # kinds whose file came with this post and was not kept
        if league.gender_field == GenderField.OFF:
            del self.gender
        else:
            choices = [SelectChoice(g.value, g.label) for g in Gender]
            if league.gender_field == GenderField.OPTIONAL:
                choices.append(SelectChoice("", "Prefer not to say"))
            self.gender.choices = choices

    @classmethod
    def for_profile(cls, league: League, profile: PlayerProfile, **kwargs) -> ProfileForm:
        """The form filled with a profile's current details (a POST overrides them)."""
        data = {
            "who": "self" if profile.is_self else "child",
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "date_of_birth": profile.date_of_birth,
            "gender": profile.gender.value if profile.gender else "",
            "phone": profile.phone,
            "address": profile.address,
            "emergency_name": profile.emergency_name,
            "emergency_phone": profile.emergency_phone,
            "document_kind": (profile.document_kind or DocumentKind.BIRTH_CERTIFICATE).value,
        }
        return cls(league, data=data, **kwargs)

    def optional(self, name: str) -> bool:
        """Is this field optional even for submission, under the league's settings?"""
        return name not in required_for_submission(self.league)

    def profile_data(self) -> ProfileData:
        """What the player may set, built field by field from validated input."""
        gender = self.gender.data if "gender" in self else None
        return ProfileData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            date_of_birth=self.date_of_birth.data,
            gender=Gender(gender) if gender in GENDER_VALUES else None,
            phone=self.phone.data or "",
            address=self.address.data or "",
            emergency_name=self.emergency_name.data or "",
            emergency_phone=self.emergency_phone.data or "",
            is_self=self.who.data == "self",
            document_kind=DocumentKind(self.document_kind.data),
        )
