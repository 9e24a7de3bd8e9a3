"""Account forms: field rules and the messages people see."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, InputRequired, Length, ValidationError

PASSWORD_MIN = 10


def strong_enough(form, field) -> None:
    """At least 10 characters and not the email address itself."""
    password = field.data or ""
    email = ((getattr(form, "email", None) and form.email.data) or "").lower()
    if email and password.lower() == email:
        raise ValidationError("Choose a password that is not your email address.")


def _email(label: str = "Email"):
    return EmailField(
        label,
        validators=[
            InputRequired("Enter your email address."),
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
        validators=[InputRequired("Enter your name."), Length(max=120)],
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


class ProfileForm(FlaskForm):
    full_name = StringField(
        "Your name", validators=[InputRequired("Enter your name."), Length(max=120)]
    )
    email = _email()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password("New password")
