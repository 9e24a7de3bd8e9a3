"""Webhook intake under load: how fast Stripe's events are accepted, and that a storm of
repeats still activates each membership once.

    .venv/bin/python bench/webhooks.py [--database sqlite|postgres] [--queue sqlite|redis]
        [--events N] [--repeat 3] [--concurrency 32] [--web-workers W] [--web-threads T]
        [--worker-after]

A fresh database and instance folder are made (SQLite by default; `--database
postgres` makes a fresh database on postgresql://postgres@127.0.0.1:5432/), migrated,
and N orders are placed and paid at the built-in test gateway through the real
services. Their signed `checkout.session.completed` events, each sent `--repeat`
times in a shuffled order, are posted by `--concurrency` clients to gunicorn
(`--web-workers`, default WEB_CONCURRENCY or 4; sync workers, or gthread with
`--web-threads`) while a huey consumer processes them (Redis on REDIS_URL, default
redis://127.0.0.1:6379/14, with `--queue redis`; the SQLite queue otherwise). The
consumer runs at the lowest CPU priority, as if on its own machine as in production,
and the posts start once it says it has started (in production it is long running,
not importing its modules beside the web server); or it starts only once every event
is accepted with `--worker-after` (the intake alone). gunicorn runs with the
project's gunicorn.conf.py, as in production: the app preloaded and frozen out of
the garbage collector before the workers fork.

It prints events/s accepted (every delivery, repeats included), p50/p99 latency of
the webhook's answer, the CPU each post cost the server and each event the worker,
the time until every event is processed and every receipt sent, the duplicate
activations (orders paid twice, memberships activated twice, receipts sent twice),
which must be 0, and the load average, since other work on the machine takes CPU
from the server; it exits 1 if anything was lost, duplicated or logged as an error
(the folder is then kept for a look).

With 32 clients each waiting for its answer, latency follows from throughput
(Little's law: mean latency = 32 / rate), so p99 under 100 ms needs well over 320
events/s, not just 300.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from common import (
    BIN,
    ROOT,
    close,
    cpu_seconds,
    free_port,
    migrate,
    percentile,
    process,
    read_response,
    wait_for_log,
    wait_healthy,
)

sys.path.insert(0, str(ROOT))

POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
SECRET = "whsec_leaguebadge_bench"
CONSUMER_READY = "Huey consumer started"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--queue", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--events", type=int, default=1000, help="distinct events (orders)")
    parser.add_argument("--repeat", type=int, default=3, help="deliveries of each event")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 4)
    )
    parser.add_argument(
        "--web-threads", type=int, default=1, help="more than 1: gunicorn's gthread workers"
    )
    parser.add_argument(
        "--queue-workers",
        type=int,
        default=1,
        help="huey worker threads (more only contend for the GIL and SQLite's write lock)",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=19,
        help="CPU priority of the huey consumer (in production it has a machine of its own)",
    )
    parser.add_argument(
        "--worker-after",
        action="store_true",
        help="start the huey consumer only once every event is accepted",
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    return parser.parse_args()


def prepare_environment(args: argparse.Namespace, tmp: Path) -> dict[str, str]:
    """A fresh database and queue, and the settings every process of the run shares."""
    if args.database == "postgres":
        import psycopg

        name = f"lb_bench_{os.getpid()}"  # runs side by side never share a database
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        database_url = POSTGRES + name
    else:
        database_url = f"sqlite:///{tmp / 'bench.db'}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        APP_ENV="development",
        INSTANCE_PATH=str(tmp / "instance"),
        DATABASE_URL=database_url,
        MAIL_URL=f"file://{tmp / 'mail'}",
        STORAGE_URL=f"file://{tmp / 'storage'}",
        STRIPE_WEBHOOK_SECRET=SECRET,
        BASE_URL="http://127.0.0.1",
    )
    env.pop("STRIPE_SECRET_KEY", None)
    if args.queue == "redis":
        env["REDIS_URL"] = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    os.environ.clear()
    os.environ.update(env)  # this process's own app (setup and checks) uses them too
    return env


def drop_database(url: str) -> None:
    if url.startswith(POSTGRES + "lb_bench_"):
        import psycopg

        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def paid_orders(app, count: int) -> list[bytes]:
    """N orders placed and paid at the test gateway; returns the events it would send."""
    from datetime import date

    from portal.accounts.auth import hash_password
    from portal.accounts.models import User
    from portal.core.tenancy import league_scope
    from portal.extensions import db
    from portal.leagues import services as leagues
    from portal.memberships.models import Plan, Program, TermKind
    from portal.payments import checkout, testmode
    from portal.players.models import PlayerProfile
    from portal.players.services import today_in

    sent: list[bytes] = []
    testmode.send_event = lambda kind, obj: sent.append(
        json.dumps(testmode.event_object(kind, json.loads(json.dumps(obj)))).encode()
    )
    with app.app_context():
        league = leagues.create_league(slug="bench", name="Bench League", sport="Soccer")
        password = hash_password("bench-password-1")
        with league_scope(league.id):
            program = Program(league_id=league.id, name="Season")
            db.session.add(program)
            db.session.flush()
            plan = Plan(
                league_id=league.id,
                program_id=program.id,
                name="Full season",
                price_minor=12000,
                currency="usd",
                term=TermKind.FIXED,
                season_start=date(2026, 1, 1),
                season_end=date(2099, 12, 31),
            )
            db.session.add(plan)
            today = today_in(league)
            for n in range(count):
                user = User(
                    email=f"family{n}@bench.example",
                    full_name=f"Family {n}",
                    password_hash=password,
                )
                db.session.add(user)
                db.session.flush()
                kid = PlayerProfile(
                    league_id=league.id,
                    guardian_id=user.id,
                    first_name="Kid",
                    last_name=str(n),
                    date_of_birth=date(2015, 1, 1),
                    phone="+1 555 0100",
                    emergency_name="Parent",
                    emergency_phone="+1 555 0101",
                    photo_key=f"bench/{n}.jpg",
                    document_key=f"private/bench/{n}.pdf",
                )
                db.session.add(kid)
                db.session.flush()
                order = checkout.place_order(
                    league,
                    user,
                    [checkout.Selection(kid, plan)],
                    nonce=f"bench-{n}",
                    accepted=set(),
                    today=today,
                )
                checkout.open_session(order)
                testmode.TestGateway().complete(order.session_id, "paid")
                if n % 100 == 99:
                    db.session.commit()
            db.session.commit()
        db.engine.dispose()
    return sent


def post_all(port: int, bodies: list[bytes], concurrency: int):
    """POST every body, `concurrency` at a time; returns latencies, answers, seconds.

    One asyncio loop drives the clients over plain HTTP/1.1 (keep-alive when the
    server keeps the connection open, a new one when it closes it, as gunicorn's sync
    workers do): 32 Python threads would spend more of this machine's two cores
    fighting over the GIL than the server spends answering.
    """
    return asyncio.run(_post_all(port, bodies, concurrency))


async def _post_all(port: int, bodies: list[bytes], concurrency: int):
    from portal.payments.testmode import signature_header

    latencies: list[float] = []
    answers: Counter = Counter()
    next_index = itertools.count()

    async def client() -> None:
        reader = writer = None
        while (i := next(next_index)) < len(bodies):
            body = bodies[i]
            head = (
                f"POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Stripe-Signature: {signature_header(body, SECRET)}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            for attempt in range(3):
                started = time.perf_counter()
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(head + body)
                    status, keep, answer = await read_response(reader)
                    break
                except (OSError, asyncio.IncompleteReadError):
                    writer = close(writer)  # a kept-alive connection the server closed
                    if attempt == 2:
                        raise
            latencies.append(time.perf_counter() - started)
            answers[(status, json.loads(answer or b"{}").get("duplicate"))] += 1
            if not keep:
                writer = close(writer)
        close(writer)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, answers, time.perf_counter() - started


def outcome(app, mail: Path) -> dict:
    """What the worker made of it all, read from the database and the mail folder."""
    from sqlalchemy import func, select

    from portal.core.tenancy import unscoped
    from portal.extensions import db
    from portal.memberships.models import Membership, MembershipStatus
    from portal.payments.models import EventStatus, Order, OrderStatus, WebhookEvent

    with app.app_context(), unscoped():
        statuses = dict(
            db.session.execute(
                select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)
            ).all()
        )
        paid_outcomes = Counter(
            db.session.scalars(
                select(WebhookEvent.order_id).where(WebhookEvent.outcome == "paid")
            ).all()
        )
        result = {
            "stored": sum(statuses.values()),
            "waiting": statuses.get(EventStatus.PENDING, 0)
            + statuses.get(EventStatus.PROCESSING, 0),
            "failed": statuses.get(EventStatus.FAILED, 0),
            "paid_orders": db.session.scalar(
                select(func.count()).where(Order.status == OrderStatus.PAID)
            ),
            "orders_paid_twice": sum(1 for n in paid_outcomes.values() if n > 1),
            "active": db.session.scalar(
                select(func.count()).where(
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.activated_at.is_not(None),
                )
            ),
        }
        db.session.remove()
    receipts = Counter()
    for path in mail.glob("*.eml") if mail.is_dir() else []:
        head = path.read_text(errors="replace").split("\n\n", 1)[0]
        if "Payment received" in head:
            receipts[next(line for line in head.splitlines() if line.startswith("To:"))] += 1
    result["receipts"] = sum(receipts.values())
    result["receipts_twice"] = sum(1 for n in receipts.values() if n > 1)
    return result


def log_errors(path: Path) -> list[str]:
    """Lines a process logged at ERROR or above (our JSON logs, or huey's own)."""
    if not path.exists():
        return []
    return [
        line
        for line in path.read_text(errors="replace").splitlines()
        if '"level": "error"' in line or '"level": "critical"' in line or " ERROR " in line
    ]


def stuck(app) -> list[tuple]:
    """The events still waiting, with their attempts and last error."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.payments.models import EventStatus, WebhookEvent

    waiting = (EventStatus.PENDING, EventStatus.PROCESSING)
    with app.app_context():
        return db.session.execute(
            select(
                WebhookEvent.id,
                WebhookEvent.status,
                WebhookEvent.attempts,
                WebhookEvent.received_at,
                WebhookEvent.locked_at,
                WebhookEvent.next_attempt_at,
                WebhookEvent.last_error,
            ).where(WebhookEvent.status.in_(waiting))
        ).all()


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lb-bench-"))
    try:
        env = prepare_environment(args, tmp)
        print(
            f"webhooks: {args.database} database, {args.queue} queue, {args.events} events "
            f"x{args.repeat}, concurrency {args.concurrency}, {args.web_workers} web workers"
            + (f" x{args.web_threads} threads" if args.web_threads > 1 else " (sync)")
            + ", worker "
            + ("after the intake" if args.worker_after else f"beside it at nice {args.worker_nice}")
            + f"; load {os.getloadavg()[0]:.2f}"
        )
        migrate(env)
        from portal import create_app

        app = create_app()
        started = time.perf_counter()
        events = paid_orders(app, args.events)
        print(
            f"  setup: {len(events)} orders paid at the test gateway "
            f"in {time.perf_counter() - started:.1f}s"
        )
        bodies = [body for body in events for _ in range(args.repeat)]
        random.Random(2026).shuffle(bodies)
        ok = run(args, env, app, tmp, bodies, len(events))
    finally:
        if args.keep or not locals().get("ok"):
            print(f"  logs and database kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            drop_database(os.environ.get("DATABASE_URL", ""))
    if not ok:
        sys.exit(1)


def run(args, env, app, tmp: Path, bodies: list[bytes], distinct: int) -> bool:
    port = free_port()
    web = [
        str(BIN / "gunicorn"),
        "wsgi:app",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.web_workers),
        "--no-control-socket",
    ]
    if args.web_threads > 1:
        web += ["--worker-class", "gthread", "--threads", str(args.web_threads)]
    consumer = [
        "nice",
        "-n",
        str(args.worker_nice),
        str(BIN / "huey_consumer"),
        "portal.worker.huey",
        "--workers",
        str(args.queue_workers),
        "--worker-type",
        "thread",
        "--delay",
        "0.05",
        "--max-delay",
        "0.5",
        "--no-periodic",
    ]
    with ExitStack() as stack:
        server = stack.enter_context(process(web, env, tmp / "web.log"))
        if not args.worker_after:
            worker = stack.enter_context(
                process(consumer, env, tmp / "worker.log", nice=args.worker_nice)
            )
        wait_healthy(port, server, tmp / "web.log")
        if not args.worker_after:  # a consumer in production is long started, not importing
            wait_for_log(tmp / "worker.log", CONSUMER_READY, worker)
        started = time.perf_counter()
        cpu_before = cpu_seconds(server.pid), time.process_time()
        latencies, answers, seconds = post_all(port, bodies, args.concurrency)
        cpu = cpu_seconds(server.pid) - cpu_before[0], time.process_time() - cpu_before[1]
        if args.worker_after:
            worker = stack.enter_context(
                process(consumer, env, tmp / "worker.log", nice=args.worker_nice)
            )
        deadline = time.monotonic() + 120
        while True:
            state = outcome(app, tmp / "mail")
            if state["waiting"] == 0 and state["receipts"] >= min(distinct, state["paid_orders"]):
                break
            if time.monotonic() > deadline:
                print(f"  gave up waiting for the worker: {state}")
                print("\n".join(f"  waiting: {row}" for row in stuck(app)))
                break
            time.sleep(0.25)
        processed = time.perf_counter() - started
        worker_cpu = cpu_seconds(worker.pid)  # read before the consumer is stopped
    accepted = sum(n for (status, _), n in answers.items() if status == 200)
    duplicates = state["orders_paid_twice"] + max(state["active"] - distinct, 0)
    duplicates += state["receipts_twice"]
    print(
        f"  accepted: {accepted}/{len(bodies)} posts ({answers[(200, True)]} repeats "
        f"acknowledged) in {seconds:.2f}s = {accepted / seconds:.0f} events/s"
    )
    print(
        f"  CPU per post: web {1000 * cpu[0] / len(bodies):.2f} ms, "
        f"client {1000 * cpu[1] / len(bodies):.2f} ms; "
        f"worker {1000 * worker_cpu / distinct:.1f} ms per distinct event, start-up included"
    )
    print(
        f"  webhook answer: p50 {1000 * statistics.median(latencies):.1f} ms, "
        f"p99 {1000 * percentile(latencies, 0.99):.1f} ms, "
        f"max {1000 * max(latencies):.1f} ms"
    )
    print(
        f"  all processed after {processed:.2f}s: {state['stored']} events stored, "
        f"{state['failed']} failed, {state['paid_orders']}/{distinct} orders paid, "
        f"{state['active']} memberships active, {state['receipts']} receipts"
    )
    print(
        f"  duplicate activations: {duplicates} (orders paid twice "
        f"{state['orders_paid_twice']}, receipts sent twice {state['receipts_twice']})"
    )
    errors = log_errors(tmp / "web.log") + log_errors(tmp / "worker.log")
    print(f"  errors logged: {len(errors)}")
    # Other work on the machine takes CPU from the server: say how busy it was.
    print(f"  load average after the run: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for line in errors[:5]:
        print(f"    {line[:300]}")
    bad = [key for key, n in answers.items() if key[0] != 200]
    if (
        bad
        or duplicates
        or errors
        or state["paid_orders"] != distinct
        or state["stored"] != distinct
    ):
        print(f"  FAILED: answers {dict(answers)}, state {state}")
        return False
    return True


if __name__ == "__main__":
    main()
