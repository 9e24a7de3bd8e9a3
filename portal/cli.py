"""Command-line tools: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask

from portal.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Platform admin", help="Full name for a new account.")
    @click.password_option(help="Password for a new account (asked if not given).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Make EMAIL a platform admin, creating the account if needed."""
        from portal.accounts import services
        from portal.core.db import utcnow

        user = services.find_user_by_email(email)
        if user is None:
            if len(password) < 10:
                raise click.BadParameter("use at least 10 characters", param_hint="password")
            user = services.create_user(email, password, name, verified=True)
        user.is_platform_admin = True
        user.email_verified_at = user.email_verified_at or utcnow()
        db.session.commit()
        click.echo(f"{user.email} is a platform admin.")

    @app.cli.group("demo")
    def demo() -> None:
        """Demo data for trying the portal."""

    @demo.command("seed")
    @click.option("--if-empty", is_flag=True, help="Do nothing when any account exists.")
    def seed(if_empty: bool) -> None:
        """Create demo leagues and accounts, and print the sign-ins."""
        from portal import demo as demo_data

        if if_empty and not demo_data.database_is_empty():
            click.echo("Demo data: the database already has accounts; nothing added.")
            click.echo(demo_data.SIGN_IN_HELP)
            return
        if app.config["APP_ENV"] == "production":
            raise click.ClickException("refusing to load demo data in production")
        accounts = demo_data.seed()
        db.session.commit()
        click.echo(demo_data.describe(accounts))

    @app.cli.group("payments")
    def payments() -> None:
        """Payments: reconciliation with the gateway."""

    @payments.command("reconcile")
    @click.option(
        "--hours",
        default=48,
        show_default=True,
        type=click.IntRange(1, 24 * 90),
        help="How far back to ask the gateway for paid checkouts.",
    )
    def reconcile(hours: int) -> None:
        """Fulfil paid checkouts whose webhook never came; list orders stuck waiting."""
        from portal.payments import reconciliation

        run = reconciliation.run_job(hours)
        click.echo(reconciliation.summary(run))
        if run.error:
            raise click.ClickException(run.error)

    @app.cli.group("memberships")
    def memberships() -> None:
        """Memberships: the daily work the worker also runs every hour."""

    @memberships.command("run-daily")
    def run_daily() -> None:
        """Expire ended terms, lift ended suspensions and send renewal reminders in every
        league (safe to run again: nothing is done twice)."""
        from portal.memberships import tasks

        for slug, counts in tasks.run_daily().items():
            click.echo(
                f"{slug}: {counts['expired']} expired, {counts['lifted']} suspensions lifted, "
                f"{counts['reminded']} renewal reminders"
            )
