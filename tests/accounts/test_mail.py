"""Account mail goes out through the huey task, and only once the transaction commits."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

from huey.signals import SIGNAL_COMPLETE, SIGNAL_ENQUEUED
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.mail import deliver_mail, send_mail
from portal.extensions import db, huey
from tests.accounts.helpers import link_in
from tests.accounts.view_helpers import SIGNUP

DELIVER = deliver_mail.task_class  # the huey task class behind deliver_mail()


@contextmanager
def huey_events():
    """Record (signal, task class) for every task huey enqueues and completes."""
    seen: list[tuple[str, type]] = []

    def record(signal, task, *args, **kwargs):
        seen.append((signal, type(task)))

    huey.signal(SIGNAL_ENQUEUED, SIGNAL_COMPLETE)(record)
    try:
        yield seen
    finally:
        huey.disconnect_signal(record, SIGNAL_ENQUEUED, SIGNAL_COMPLETE)


def verification_mail_for(user) -> None:
    send_mail(
        user.email,
        "Confirm your email address",
        "verify_email",
        user=user,
        link="https://leagues.example/verify-email/abc",
    )


def test_signup_mail_goes_through_the_huey_task(app, client, outbox):
    """Is the sign-up mail enqueued as the deliver_mail task and written as a real message?"""
    with huey_events() as seen:
        client.post("/signup", data=SIGNUP)

    assert seen == [(SIGNAL_ENQUEUED, DELIVER), (SIGNAL_COMPLETE, DELIVER)]
    [message] = outbox()
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Confirm your email address"
    assert message["Message-ID"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ada Lovelace" in body
    assert "http://localhost/verify-email/" in body
    assert link_in(message).startswith("/verify-email/")


def test_links_in_mail_use_base_url_when_set(app, client, outbox):
    """With BASE_URL set, do mailed links point at it rather than the request's host?"""
    app.config["BASE_URL"] = "https://leagues.example"
    try:
        client.post("/signup", data=SIGNUP)
    finally:
        app.config["BASE_URL"] = ""

    body = outbox()[0].get_body(preferencelist=("plain",)).get_content()
    assert "https://leagues.example/verify-email/" in body


def test_rolled_back_mail_is_never_sent(make, outbox):
    """If the transaction that queued a mail rolls back, is the mail dropped for good?"""
    user = make.user("player@example.com")
    db.session.execute(select(User)).all()  # inside a transaction now
    assert db.session().in_transaction()

    with huey_events() as seen:
        verification_mail_for(user)
        assert outbox() == []  # held until the commit that never comes
        db.session.rollback()
        make.user("someone-else@example.com")  # a later, unrelated commit

    assert seen == []
    assert outbox() == []


def test_committed_mail_is_sent_once(make, outbox):
    """Is a mail queued in a transaction sent once on commit, and not again on the next?"""
    user = make.user("player@example.com")
    db.session.execute(select(User)).all()

    verification_mail_for(user)
    assert outbox() == []
    db.session.commit()
    [message] = outbox()
    assert link_in(message) == "/verify-email/abc"
    make.user("someone-else@example.com")

    assert len(outbox()) == 1


def test_mail_outside_a_transaction_goes_at_once(outbox):
    """With no transaction open, is the mail handed to the worker straight away?"""
    db.session.close()
    assert not db.session().in_transaction()

    verification_mail_for(SimpleNamespace(email="player@example.com", full_name="Pat"))

    assert [m["To"] for m in outbox()] == ["player@example.com"]
