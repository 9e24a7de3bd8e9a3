"""League settings, creation and invitation forms."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from portal.core.forms import strip
from portal.core.permissions import ROLE_LABELS, Role

SPORTS = (
    "Soccer",
    "Basketball",
    "Baseball",
    "Softball",
    "Ice hockey",
    "Field hockey",
    "Volleyball",
    "Rugby",
    "Lacrosse",
    "Netball",
    "Cricket",
    "American football",
    "Australian football",
    "Ultimate",
    "Water polo",
    "Handball",
)
SLUG_RULE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"admin", "api", "static", "new", "www", "help"})
COLOUR = Regexp(r"^#[0-9a-fA-F]{6}$", message="Choose a colour like #1d4ed8.")


@cache
def timezone_choices() -> list[SelectChoice]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [SelectChoice("UTC"), *(SelectChoice(z, z.replace("_", " ")) for z in zones)]


def _not_reserved(form, field) -> None:
    if field.data and field.data.lower() in RESERVED_SLUGS:
        raise ValidationError("This address is reserved. Please choose another.")


class LeagueForm(FlaskForm):
    """What a league admin can edit about their league."""

    SPORTS = SPORTS  # suggestions for the sport field

    name = StringField(
        "League name", validators=[InputRequired("Enter the league's name."), Length(max=120)]
    )
    sport = StringField(
        "Sport",
        validators=[InputRequired("Enter the sport."), Length(max=40)],
        render_kw={"list": "sports"},
    )
    timezone = SelectField("Time zone", default="UTC")
    description = TextAreaField(
        "About the league",
        validators=[Optional(), Length(max=2000)],
        description="Shown on your public league page.",
    )
    logo = FileField(
        "Logo",
        description="PNG, JPEG or WebP, up to 2 MB. Square works best.",
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    primary_color = StringField(
        "Main colour",
        validators=[InputRequired(), COLOUR],
        default="#1d4ed8",
        render_kw={"type": "color"},
    )
    secondary_color = StringField(
        "Accent colour",
        validators=[InputRequired(), COLOUR],
        default="#f59e0b",
        render_kw={"type": "color"},
    )
    contact_email = EmailField(
        "Contact email",
        filters=[strip],
        validators=[Optional(), Email("Enter a valid email address."), Length(max=254)],
    )
    contact_phone = StringField(
        "Contact phone",
        validators=[Optional(), Length(max=40)],
        render_kw={"type": "tel", "autocomplete": "tel"},
    )
    website = URLField(
        "Website", validators=[Optional(), Length(max=255)], render_kw={"placeholder": "https://"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class CreateLeagueForm(LeagueForm):
    """Platform admin: a new league, its address and (optionally) its first admin."""

    slug = StringField(
        "Address",
        validators=[
            InputRequired("Choose the league's address."),
            Length(max=63),
            Regexp(SLUG_RULE, message="Use lowercase letters, digits and dashes, like river-fc."),
            _not_reserved,
        ],
        description="Used in links: /l/<address>/",
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    admin_email = EmailField(
        "First league admin (email)",
        filters=[strip],
        validators=[Optional(), Email("Enter a valid email address.")],
        description="We'll email them an invitation to run this league.",
    )


class InviteForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            InputRequired("Enter an email address."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role],
        default=Role.REGISTRAR.value,
    )
