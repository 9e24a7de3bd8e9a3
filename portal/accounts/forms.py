"""Account forms: field rules and the messages people see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from portal.core.forms import strip

PASSWORD_MIN = 10


def strong_enough(form, field) -> None:
    """Not the email address itself (the length is checked by `Length`).

    The email is the form's own `email` field, or for forms without one (reset,
    change password) the `account_email` the view sets on the form.
    """
    password = (field.data or "").strip().lower()
    email = form.email.data if "email" in form else getattr(form, "account_email", None)
    email = (email or "").strip().lower()
    if email and password == email:
        raise ValidationError("Choose a password that is not your email address.")


def _email(label: str = "Email"):
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter a valid email address, like name@example.com."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"},
    )


def _new_password(label: str = "Password"):
    return PasswordField(
        label,
        validators=[
            InputRequired("Choose a password."),
            Length(PASSWORD_MIN, 128, f"Use at least {PASSWORD_MIN} characters."),
            strong_enough,
        ],
        render_kw={"autocomplete": "new-password", "minlength": PASSWORD_MIN},
        description=f"At least {PASSWORD_MIN} characters. A short sentence works well.",
    )


class SignupForm(FlaskForm):
    full_name = StringField(
        "Your name",
        filters=[strip],
        validators=[DataRequired("Enter your name."), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = _email()
    password = _new_password()


class LoginForm(FlaskForm):
    email = _email()
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    email = _email()


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password")

    def __init__(self, *args, account_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ProfileForm(FlaskForm):
    full_name = StringField(
        "Your name",
        filters=[strip],
        validators=[DataRequired("Enter your name."), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = _email()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password("New password")

    def __init__(self, *args, account_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email
