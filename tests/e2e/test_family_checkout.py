"""On a phone, through the real server and a real worker: a parent pays for two children
in one checkout at the built-in test checkout, comes back registered, and sees both
memberships active; another has a card declined, then pays by bank debit and the money
arrives later.

The test checkout's events travel as in production: a huey consumer posts them, signed,
to the webhook, and processes what the webhook stored. The done page confirms on its own
(it asks the gateway), so the parent never waits for the worker.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest
from playwright.sync_api import Page, expect

from portal.demo import DEMO_PASSWORD
from tests.e2e.conftest import ROOT, VENV_BIN
from tests.e2e.phone import assert_phone_friendly, screenshot, sign_in

PAYER, LATER = "robin.family@example.com", "casey.family@example.com"
# Families of our own (the demo's Leo has no photo yet, so cannot be paid for).
FAMILIES = {
    PAYER: ("Robin Ortega", [("Maya", 9, "female"), ("Theo", 11, "male")]),
    LATER: ("Casey Brooks", [("Jonah", 10, "male")]),
}

# A paid term reads Active, or "Paid · starts <day>" if its season has not begun.
PAID_TERM = re.compile(r"^(Active|Paid · starts \d{1,2} \w{3} \d{4})$")


def make_families() -> None:
    """In the server's environment: the families, made through the real services with
    photos and proof of age, and a plan both children fit (the demo's, or one of ours).
    Prints what the test needs as JSON."""
    from datetime import date

    from sqlalchemy import select

    from portal import create_app
    from portal.accounts import services as accounts
    from portal.core.tenancy import league_scope, unscoped
    from portal.demo import avatar, certificate
    from portal.extensions import db
    from portal.leagues.models import League
    from portal.players import services, uploads
    from portal.players.models import DocumentKind, Gender, UploadKind

    app = create_app()
    with app.app_context():
        with unscoped():
            league = db.session.scalars(select(League).where(League.slug == "riverside")).one()
        kids: dict[str, list] = {}
        with league_scope(league.id):
            for n, (email, (name, children)) in enumerate(FAMILIES.items()):
                guardian = accounts.create_user(email, DEMO_PASSWORD, name, verified=True)
                last = name.split()[-1]
                for i, (first, age, gender) in enumerate(children):
                    born = date(league.season_year - age, 4, 12)
                    data = services.ProfileData(
                        first_name=first,
                        last_name=last,
                        date_of_birth=born,
                        gender=Gender(gender),
                        phone="+1 555 0170",
                        emergency_name=name,
                        emergency_phone="+1 555 0171",
                        document_kind=DocumentKind.BIRTH_CERTIFICATE,
                    )
                    picture = avatar(first[0] + last[0], 3 * n + i + 2, long_hair=i == 0)
                    photo = uploads.stage(guardian, UploadKind.PHOTO, picture, "me.jpg")
                    paper = certificate("BIRTH CERTIFICATE", f"{first} {last}", born, 90 + i)
                    document = uploads.stage(guardian, UploadKind.DOCUMENT, paper, "birth.pdf")
                    profile = services.create_profile(
                        league, guardian, data, photo=photo, document=document
                    )
                    services.submit(profile, guardian)
                    kids.setdefault(email, []).append(profile)
            db.session.flush()
            plan = _plan_for_everyone(league, [p for ps in kids.values() for p in ps])
            db.session.commit()
            print(
                json.dumps(
                    {
                        "plan": plan.id,
                        "price": plan.price_minor,
                        "kids": {email: [p.id for p in ps] for email, ps in kids.items()},
                    }
                )
            )


def _plan_for_everyone(league, profiles):
    """An open plan every child may join, with room for them all; made if the demo has none."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.extensions import db
    from portal.memberships import eligibility, queries
    from portal.memberships.models import Plan, Program, TermKind
    from portal.players.services import today_in

    today = today_in(league)
    for plan in queries.open_plans():
        room = plan.capacity is None or (
            plan.capacity - eligibility.taken_places(plan, today) >= len(profiles)
        )
        if room and not any(eligibility.problems(p, plan, today) for p in profiles):
            return plan
    program = db.session.scalars(select(Program).where(Program.name == "Fall recreational"))
    program = program.first() or Program(league_id=league.id, name="Fall recreational")
    db.session.add(program)
    db.session.flush()
    starts = today.replace(day=1)
    plan = Plan(
        league_id=league.id,
        program_id=program.id,
        name="Ages 6 to 14",
        description="Saturday mornings at Riverside Park.",
        price_minor=9500,
        currency="usd",
        term=TermKind.FIXED,
        season_start=starts,
        season_end=starts + timedelta(days=180),
        agreement_title="Code of conduct",
        agreement_version=1,
        agreement_text="Players, parents and coaches treat everyone with respect.\n"
        "We play fair, listen to the referee and keep the field tidy.",
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def inspect_state() -> None:
    """In the server's environment: what the worker did (events, orders, memberships,
    receipts sent), as JSON."""
    import pathlib

    from sqlalchemy import select

    from portal import create_app
    from portal.core.tenancy import unscoped
    from portal.extensions import db
    from portal.memberships.models import Membership, MembershipStatus
    from portal.payments.models import Order, WebhookEvent

    app = create_app()
    with app.app_context(), unscoped():
        orders = db.session.scalars(select(Order).order_by(Order.id)).all()
        events = db.session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)).all()
        active = db.session.scalars(
            select(Membership.profile_id).where(
                Membership.status == MembershipStatus.ACTIVE,
                Membership.activated_at.is_not(None),
            )
        ).all()
        mail = sorted(pathlib.Path(app.instance_path, "mail").glob("*.eml"))
        heads = [p.read_text(errors="replace").split("\n\n", 1)[0] for p in mail]
        state = {
            "orders": [
                {"id": o.id, "status": o.status.value, "email": o.guardian.email} for o in orders
            ],
            "events": [
                {"type": e.type, "status": e.status.value, "order": e.order_id} for e in events
            ],
            "active": sorted(active),
            "receipts": [
                line.removeprefix("To: ").strip()
                for head in heads
                if "Payment received" in head
                for line in head.splitlines()
                if line.startswith("To: ")
            ],
        }
    print(json.dumps(state))


def _python(env: dict, function: str) -> dict:
    """Run one of this module's functions in the server's environment; its JSON answer."""
    script = f"from tests.e2e.test_family_checkout import {function}; {function}()"
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def families(live_server) -> dict:
    return _python(live_server.env, "make_families")


@pytest.fixture(scope="module")
def worker(live_server, tmp_path_factory):
    """A huey consumer with the server's own settings, as `make run` starts beside it."""
    log_path = tmp_path_factory.mktemp("worker") / "huey.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "huey_consumer"),
                "portal.worker.huey",
                "--workers",
                "2",
                "--worker-type",
                "thread",
                "--delay",
                "0.1",
            ],
            cwd=ROOT,
            env=live_server.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def money(minor: int) -> str:
    return f"${minor / 100:,.2f}"


def choose(page: Page, kid_ids: list[int], plan_id: int, total: str) -> None:
    """Pick the plan for each child; the summary (htmx) follows with our prices."""
    for kid in kid_ids:
        radio = page.locator(f'input[name="plan-{kid}"][value="{plan_id}"]')
        with page.expect_response(re.compile(r"/register/summary$")) as answer:
            radio.check()
        assert answer.value.status == 200
        assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#pay-bar")).to_contain_text(total)
    expect(page.locator("#pay-bar")).to_contain_text(f"{len(kid_ids)} player")
    summary = page.locator("#order-summary")
    expect(summary.locator(".sum-line")).to_have_count(len(kid_ids))
    for box in summary.locator('input[name="agree"]').all():
        box.check()


def settled(env: dict, orders: int, timeout: float = 45) -> dict:
    """Wait until the worker has processed every stored event of `orders` orders."""
    deadline = time.monotonic() + timeout
    while True:
        state = _python(env, "inspect_state")
        events = state["events"]
        done = events and all(e["status"] in ("processed", "ignored") for e in events)
        if done and len({e["order"] for e in events if e["order"]}) >= orders:
            return state
        assert time.monotonic() < deadline, f"the worker did not process the events: {state}"
        time.sleep(0.5)


def test_a_parent_pays_for_two_children_in_one_checkout(
    page: Page, browser_errors, live_server, families, worker
):
    """Can a parent pay for two children in one checkout and see both memberships active?"""
    kids, plan, price = families["kids"][PAYER], families["plan"], families["price"]
    total = money(2 * price)
    sign_in(page, PAYER)
    page.goto("/l/riverside/register")
    expect(page.get_by_role("heading", name="Register and pay")).to_be_visible()
    expect(page.locator("#pay-bar")).to_contain_text("Nothing chosen yet")
    for name in ("Maya Ortega", "Theo Ortega"):
        card = page.locator(".reg-player", has_text=name)
        expect(card.locator("img.player-photo")).to_be_visible()
    choose(page, kids, plan, total)
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "register")

    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"/checkout/test/cs_test_"))
    expect(page.locator(".tc-banner")).to_contain_text("Test mode")
    expect(page.locator(".tc-amount")).to_have_text(total)
    expect(page.locator(".tc-lines li")).to_have_count(2)
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "test-checkout")

    page.get_by_role("button", name=f"Pay {total}").click()
    expect(page).to_have_url(re.compile(r"/l/riverside/register/done/\d+$"))
    expect(page.get_by_role("heading", name="You're registered")).to_be_visible()
    lines = page.locator(".done-line")
    expect(lines).to_have_count(2)
    for line in lines.all():
        expect(line.locator(".mstatus")).to_have_text(PAID_TERM)
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "checkout-done")

    page.get_by_role("link", name="See my memberships").click()
    expect(page.get_by_role("heading", name="My memberships")).to_be_visible()
    cards = page.locator(".term-card")
    expect(cards).to_have_count(2)
    for card in cards.all():
        expect(card.locator(".term-status .mstatus")).to_have_text(PAID_TERM)
    assert_phone_friendly(page, browser_errors)
    screenshot(page, "memberships")

    # The worker delivered the signed event to the webhook and processed it: the order
    # was already paid by the done page, so nothing happened twice.
    state = settled(live_server.env, orders=1)
    (order,) = [o for o in state["orders"] if o["email"] == PAYER and o["status"] == "paid"]
    events = [e for e in state["events"] if e["order"] == order["id"]]
    assert [e["type"] for e in events] == ["checkout.session.completed"]
    assert events[0]["status"] == "processed"
    assert set(kids) <= set(state["active"])
    assert state["receipts"].count(PAYER) == 1


def test_pay_later_then_the_money_arrives(
    page: Page, browser_errors, live_server, families, worker
):
    """After a declined card, does a bank debit show "payment on its way", then activate
    when the money arrives?"""
    kids, plan, price = families["kids"][LATER], families["plan"], families["price"]
    sign_in(page, LATER)
    page.goto("/l/riverside/register")
    choose(page, kids, plan, money(price))
    page.get_by_role("button", name="Continue to payment").click()

    # A declined card first: told so, nothing charged, and the checkout still open.
    page.get_by_role("button", name="Use a declined card").click()
    expect(page.get_by_role("alert")).to_contain_text("Your card was declined")
    expect(page.locator(".tc-amount")).to_have_text(money(price))
    browser_errors.take()  # the browser notes the 402 answer; that is the point here
    assert_phone_friendly(page, browser_errors)
    orders = _python(live_server.env, "inspect_state")["orders"]
    assert [o["status"] for o in orders if o["email"] == LATER] == ["open"]

    page.get_by_role("button", name="Pay later (bank debit)").click()

    expect(page.get_by_role("heading", name="Payment on its way")).to_be_visible()
    assert_phone_friendly(page, browser_errors)
    page.get_by_role("link", name="Test checkout: decide what the bank does").click()
    expect(page.get_by_role("heading", name="Bank debit on its way")).to_be_visible()
    assert_phone_friendly(page, browser_errors)
    page.get_by_role("button", name="The money arrives").click()

    expect(page.get_by_role("heading", name="You're registered")).to_be_visible()
    expect(page.locator(".done-line .mstatus")).to_have_text(PAID_TERM)
    page.goto("/l/riverside/memberships/")
    expect(page.locator(".term-card .term-status .mstatus")).to_have_text(PAID_TERM)
    assert_phone_friendly(page, browser_errors)

    state = settled(live_server.env, orders=2)
    order = next(o for o in state["orders"] if o["email"] == LATER)
    assert order["status"] == "paid"
    types = sorted(e["type"] for e in state["events"] if e["order"] == order["id"])
    assert types == [
        "checkout.session.async_payment_succeeded",
        "checkout.session.completed",
    ]
    assert state["receipts"].count(LATER) == 1
