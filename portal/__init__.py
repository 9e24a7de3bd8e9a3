"""League Badge: player registration and digital player cards for sports leagues."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ROOT, engine_options, from_env


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment; `config` overrides (tests)."""
    settings = from_env()
    settings.update(config or {})
    settings.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(settings["SQLALCHEMY_DATABASE_URI"])
    )
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _init_extensions(app)
    _init_core(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (the whole schema, for Alembic and the app)
    from portal.accounts.auth import init_login
    from portal.core import tenancy, transactions
    from portal.extensions import csrf, db, htmx, limiter, migrate

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from sqlalchemy import event

            from portal.core.db import tune_sqlite

            event.listen(db.engine, "connect", tune_sqlite)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    init_login(app)
    session_class = db.session.session_factory.class_
    tenancy.init_app(app, session_class)
    transactions.install(session_class)


def _init_core(app: Flask) -> None:
    from portal.cards import filters as card_filters
    from portal.cards import hooks as card_hooks
    from portal.core import errors, htmx, logs, security, templating

    logs.init_app(app)
    security.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    card_filters.init_app(app)
    card_hooks.connect()


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.views import bp as accounts_bp
    from portal.cards.print_views import bp as card_prints_bp
    from portal.cards.referee import bp as referee_bp
    from portal.cards.staff_views import bp as card_staff_bp
    from portal.cards.teams import bp as teams_bp
    from portal.cards.verify import bp as check_bp
    from portal.cards.views import bp as cards_bp
    from portal.leagues import add_children, league_bp
    from portal.leagues.home import bp as home_bp
    from portal.leagues.members import bp as members_bp
    from portal.leagues.views import bp as league_pages_bp
    from portal.memberships import family_views  # noqa: F401  (its routes join the blueprint)
    from portal.memberships.admin_views import bp as programs_bp
    from portal.memberships.views import bp as memberships_bp
    from portal.ops.files import bp as files_bp
    from portal.ops.health import bp as health_bp
    from portal.ops.mailbox import bp as mailbox_bp
    from portal.payments.admin_views import bp as payments_bp
    from portal.payments.platform_views import bp as platform_payments_bp
    from portal.payments.test_checkout import bp as test_checkout_bp
    from portal.payments.webhook import bp as webhooks_bp
    from portal.platform.views import bp as platform_bp
    from portal.players.review_views import bp as review_bp
    from portal.players.settings_views import bp as player_settings_bp
    from portal.players.views import bp as players_bp

    add_children(
        league_pages_bp,
        members_bp,
        players_bp,
        review_bp,
        player_settings_bp,
        memberships_bp,
        programs_bp,
        payments_bp,
        cards_bp,
        card_staff_bp,
        teams_bp,
        referee_bp,
        card_prints_bp,
    )
    for blueprint in (
        home_bp,
        accounts_bp,
        league_bp,
        platform_bp,
        platform_payments_bp,
        health_bp,
        files_bp,
        webhooks_bp,
        test_checkout_bp,
        check_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["DEV_MAILBOX"]:
        app.register_blueprint(mailbox_bp)


def _register_cli(app: Flask) -> None:
    from portal.cli import register

    register(app)
