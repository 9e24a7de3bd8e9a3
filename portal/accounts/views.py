"""Sign-up, sign-in, email verification, password reset and the account page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from portal.accounts import forms, queries, services
from portal.accounts.services import AccountError
from portal.core.forms import add_error, safe_next
from portal.core.htmx import render
from portal.extensions import db, limiter

bp = Blueprint("accounts", __name__)


TOO_MANY_SIGN_INS = "Too many sign-in attempts. Please wait a few minutes and try again."
TOO_MANY_MAILS = "Too many emails asked for. Please wait an hour and try again."


def _failed(response) -> bool:
    """Count a sign-in attempt against the limit only when it failed."""
    return response.status_code >= 400


def _login_email_key() -> str:
    return "login-email:" + request.form.get("email", "").strip().lower()


def _created(response) -> bool:
    return response.status_code == 303


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(
    "10 per hour",
    methods=["POST"],
    deduct_when=_created,
    error_message="Too many new accounts from this connection. Please try again later.",
)
def signup():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = forms.SignupForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data, form.full_name.data)
            services.send_verification(user)
            db.session.commit()
        except AccountError as error:
            add_error(form, error.field, str(error))
        except IntegrityError:  # the same email signed up a moment ago
            db.session.rollback()
            add_error(form, "email", services.DUPLICATE_EMAIL)
        else:
            login_user(user)
            flash(f"Welcome! We sent a link to {user.email} to confirm your address.", "success")
            return redirect(safe_next(), 303)
    return render("accounts/signup.html", form=form, status=422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "20 per minute;100 per hour",
    methods=["POST"],
    deduct_when=_failed,
    error_message=TOO_MANY_SIGN_INS,
)
@limiter.limit(
    "5 per minute;30 per hour",
    methods=["POST"],
    key_func=_login_email_key,
    deduct_when=_failed,
    error_message=TOO_MANY_SIGN_INS,
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("That email and password do not match. Please try again.")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(), 303)
    return render("accounts/login.html", form=form, status=422 if form.errors else 200)


@bp.post("/logout")
def logout():
    """Sign out, and clear what the browser kept for this account (the offline copy of
    a player's card, its service worker): phones are often shared in a family."""
    logout_user()
    flash("You are signed out.", "info")
    response = redirect(url_for("home.index"), 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        user = services.verify_email(token)
    except AccountError as error:
        db.session.rollback()
        return render("accounts/link_problem.html", message=str(error), status=400)
    db.session.commit()
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("home.index"), 303)


@bp.post("/verify-email/resend")
@login_required
@limiter.limit(
    "5 per hour", key_func=lambda: f"resend:{current_user.id}", error_message=TOO_MANY_MAILS
)
def resend_verification():
    if not current_user.email_verified:
        services.send_verification(current_user)
        db.session.commit()
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(safe_next("accounts.account"), 303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], error_message=TOO_MANY_MAILS)
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render("accounts/forgot_password_sent.html", email=form.email.data)
    return render("accounts/forgot_password.html", form=form, status=422 if form.errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        link = services.redeem_token(token, services.TokenPurpose.RESET_PASSWORD, consume=False)
    except AccountError as error:
        return render("accounts/link_problem.html", message=str(error), status=400)
    form = forms.ResetPasswordForm(account_email=link.user.email)
    if form.validate_on_submit():
        user = services.reset_password(token, form.password.data)
        db.session.commit()
        login_user(user)
        flash("Your password is changed and you are signed in.", "success")
        return redirect(url_for("home.index"), 303)
    return render("accounts/reset_password.html", form=form, status=422 if form.errors else 200)


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile():
    profile_form = forms.ProfileForm()
    if profile_form.validate_on_submit():
        try:
            changed = services.update_profile(
                current_user, profile_form.full_name.data, profile_form.email.data
            )
        except AccountError as error:
            add_error(profile_form, error.field, str(error))
        else:
            db.session.commit()
            flash(
                "Check your inbox to confirm your new email."
                if changed
                else "Your details are saved.",
                "success",
            )
            return redirect(url_for("accounts.account"), 303)
    db.session.rollback()
    return _account_page(profile_form=profile_form, status=422)


@bp.post("/account/password")
@login_required
def change_password():
    password_form = forms.ChangePasswordForm(account_email=current_user.email)
    if password_form.validate_on_submit():
        try:
            services.change_password(
                current_user, password_form.current_password.data, password_form.new_password.data
            )
        except AccountError as error:
            add_error(password_form, error.field, str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # new auth version
            flash("Your password is changed. Other devices are signed out.", "success")
            return redirect(url_for("accounts.account"), 303)
    return _account_page(password_form=password_form, status=422)


def _account_page(profile_form=None, password_form=None, status: int = 200):
    return render(
        "accounts/account.html",
        profile_form=profile_form
        or forms.ProfileForm(full_name=current_user.full_name, email=current_user.email),
        password_form=password_form or forms.ChangePasswordForm(),
        memberships=queries.leagues_and_roles(current_user.id),
        status=status,
    )
