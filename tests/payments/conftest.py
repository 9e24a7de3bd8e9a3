"""Payments fixtures: a league with a plan, a family with two players ready to pay,
and helpers that sign and deliver Stripe events."""

from __future__ import annotations

import json

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.payments import checkout, testmode
from portal.payments.checkout import Selection
from portal.payments.models import Order, WebhookEvent
from portal.payments.stripe_gateway import StripeGateway
from portal.players.services import today_in
from tests.fakestripe import Server

SECRET = "whsec_leaguebadge_development"


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", timezone="America/Chicago")


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Admin", email="maria@example.com")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def kids(make, league, parent):
    return [make.ready_profile(league, parent, "Mia"), make.ready_profile(league, parent, "Leo")]


@pytest.fixture
def plan(make, league):
    return make.plan(league, "Spring season", price_minor=12000)


@pytest.fixture
def held_events(monkeypatch):
    """Keep the test checkout's events instead of delivering them (a slow webhook)."""
    held: list[str] = []
    monkeypatch.setattr(testmode, "deliver_test_event", held.append)
    return held


def place(league, parent, kids, plan, nonce="n-1") -> Order:
    """Start a checkout for the kids on the plan (as the register view does)."""
    with league_scope(league.id):
        order = checkout.place_order(
            league,
            parent,
            [Selection(kid, plan) for kid in kids],
            nonce=nonce,
            accepted=set(),
            today=today_in(league),
        )
        db.session.commit()
        checkout.open_session(order)
        db.session.commit()
    return order


def post_event(
    client,
    event: dict | str,
    secret: str = SECRET,
    timestamp: int | None = None,
    header: str | None = None,
):
    body = event if isinstance(event, str) else json.dumps(event)
    signature = header or testmode.signature_header(body.encode(), secret, timestamp)
    return client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def stored_events() -> list[WebhookEvent]:
    db.session.expire_all()
    with unscoped():
        return db.session.query(WebhookEvent).order_by(WebhookEvent.id).all()


def reload(order: Order) -> Order:
    db.session.expire_all()
    with unscoped():
        return db.session.get(Order, order.id)


@pytest.fixture
def signed_in(client, login, admin):
    """The test client, signed in as the league's admin."""
    login(admin)
    return client


@pytest.fixture(scope="session")
def stripe_server():
    """A Stripe-compatible server on loopback (tests/fakestripe.py), started once."""
    with Server() as server:
        yield server


@pytest.fixture
def stripe(app, stripe_server):
    """The app's gateway is Stripe (the fake on loopback) for this test."""
    previous = app.extensions.get("payment_gateway")
    app.extensions["payment_gateway"] = StripeGateway("sk_test_fake", stripe_server.url)
    stripe_server.fake.reset()
    yield stripe_server.fake
    stripe_server.fake.down = False
    app.extensions["payment_gateway"] = previous
