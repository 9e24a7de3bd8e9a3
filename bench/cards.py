"""Player cards: how fast a card PDF is made, a 500-card print sheet, and the public
check page /v/<token> under load.

    .venv/bin/python bench/cards.py [--cards 500] [--renders 50] [--seconds 10]
        [--concurrency 32] [--web-workers 4] [--web-threads 1] [--redis URL]
        [--skip-sheet] [--skip-web]

A fresh SQLite database and instance folder are made and migrated; a league with a logo
and `--cards` verified players (each with a 600 x 750 photo, a current paid term and a
card) are added through the real models and services. Then:

- single card: `--renders` warm renders of one card through render.card_pdf, each with
  its own check URL (as every real card has; the QR code is cached per URL), after
  three untimed ones; median and p95 wall time, and the CPU time of the median.
- sheet: portal.cards.sheets.build_sheet(league, every player, paper="letter") run in a
  child process, which reports its wall time. Its memory is the peak over time of the
  whole process tree's (the building process, its render processes and any helper of
  multiprocessing), sampled every 25 ms from /proc: PSS (each shared page counted once,
  split between the processes that share it: what the tree costs the machine) and RSS
  (shared pages counted in every process: an upper bound). Adding per-process maxima
  (ru_maxrss) would miss that two render processes run at once, at different moments
  of their peaks; tracemalloc misses WeasyPrint's C allocations.
- check page: gunicorn (sync workers by default) serves the app; `--concurrency`
  keep-alive HTTP/1.1 clients on one asyncio loop GET /v/<token> for `--seconds`. Each
  request comes "from" its own client address (X-Forwarded-For behind TRUST_PROXY), as
  referees at many fields would, so the per-client rate limit is exercised, not hit.

It prints each figure beside its target and exits 0: figures, not pass/fail. The
machine's load average is printed too: other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
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
    wait_healthy,
)

sys.path.insert(0, str(ROOT))

MEMORY_SAMPLE_SECONDS = 0.025  # how often the sheet's process tree is measured
CLIENTS = 1000  # client addresses: 500 req/s spread so that none passes 300 a minute
TARGETS = {
    "single": "median < 60 ms",
    "sheet": "< 15 s for 500 cards (30 ms/card)",
    "memory": "< 400 MB",
    "web": "> 500 req/s, p99 < 100 ms",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=500, help="players with a card")
    parser.add_argument("--renders", type=int, default=50, help="timed single-card renders")
    parser.add_argument("--seconds", type=float, default=10.0, help="load test duration")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--web-threads", type=int, default=1, help=">1: gthread workers")
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="rate limits (and the queue) on Redis, "
        "as in production with REDIS_URL; default: in memory per worker",
    )
    parser.add_argument("--skip-sheet", action="store_true")
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument(
        "--sheet-child", nargs=2, metavar=("LEAGUE_ID", "IDS_FILE"), help=argparse.SUPPRESS
    )
    return parser.parse_args()


def prepare_environment(tmp: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(
        APP_ENV="development",
        INSTANCE_PATH=str(tmp / "instance"),
        DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
        MAIL_URL=f"file://{tmp / 'mail'}",
        STORAGE_URL=f"file://{tmp / 'storage'}",
        BASE_URL="http://127.0.0.1",
        TRUST_PROXY="1",
    )
    os.environ.clear()
    os.environ.update(env)
    return env


def photo(n: int) -> bytes:
    """A 600 x 750 portrait JPEG with some detail (a flat colour would be unrealistically
    small), as the upload step stores it."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(n)
    image = Image.effect_noise((600, 750), 24).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(12):
        x, y = rng.randrange(600), rng.randrange(750)
        colour = (*tuple(rng.randrange(256) for _ in range(3)), 150)
        draw.ellipse((x - 120, y - 160, x + 120, y + 160), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def seed(app, count: int) -> tuple[int, list[int], str]:
    """A league with a logo and `count` verified players with photos, terms and cards."""
    from datetime import date, timedelta

    from portal.accounts.models import User
    from portal.cards import services as cards
    from portal.core.storage import get_storage
    from portal.core.tenancy import league_scope
    from portal.demo import crest
    from portal.extensions import db
    from portal.leagues import services as leagues
    from portal.memberships.models import Membership, MembershipStatus, Plan, Program, TermKind
    from portal.players.models import PlayerProfile, ProfileStatus

    with app.app_context():
        league = leagues.create_league(
            slug="bench",
            name="Bench Valley Youth Soccer",
            sport="Soccer",
            primary_color="#0f766e",
            secondary_color="#facc15",
            timezone="America/Chicago",
        )
        db.session.commit()
        league_id = league.id
        with league_scope(league_id):
            leagues.set_logo(league, crest("BV", "#0f766e", "#facc15"))
            program = Program(league_id=league_id, name="Fall season")
            db.session.add(program)
            db.session.flush()
            plan = Plan(
                league_id=league_id,
                program_id=program.id,
                name="Full season",
                price_minor=12000,
                currency="usd",
                term=TermKind.FIXED,
                season_start=date(2026, 1, 1),
                season_end=date(2099, 12, 31),
            )
            db.session.add(plan)
            db.session.flush()
            storage, photos = get_storage(), [photo(n) for n in range(8)]
            today, ids = date.today(), []
            for n in range(count):
                user = User(
                    email=f"family{n}@bench.example", full_name=f"Family {n}", password_hash="!"
                )
                db.session.add(user)
                db.session.flush()
                key = f"leagues/{league_id}/players/{n}/photo.jpg"
                storage.put(key, photos[n % len(photos)], "image/jpeg")
                kid = PlayerProfile(
                    league_id=league_id,
                    guardian_id=user.id,
                    first_name=f"Player{n}",
                    last_name="Benchmark-Longername" if n % 5 else "Li",
                    date_of_birth=date(2014, 3, 1),
                    phone="+1 555 0100",
                    emergency_name="Parent",
                    emergency_phone="+1 555 0101",
                    photo_key=key,
                    status=ProfileStatus.VERIFIED,
                )
                db.session.add(kid)
                db.session.flush()
                db.session.add(
                    Membership(
                        league_id=league_id,
                        profile_id=kid.id,
                        plan_id=plan.id,
                        status=MembershipStatus.ACTIVE,
                        starts_on=today - timedelta(days=30),
                        ends_on=today + timedelta(days=300),
                        activated_at=db.func.now(),
                    )
                )
                db.session.flush()
                card = cards.issue(kid)
                ids.append(kid.id)
                if n == 0:
                    token = card.token
                if n % 100 == 99:
                    db.session.commit()
            db.session.commit()
        db.engine.dispose()
    return league_id, ids, token


def bench_single(app, league_id: int, profile_id: int, renders: int) -> dict:
    """Warm renders of one card: wall and CPU time per render."""
    from portal.cards.content import card_content
    from portal.cards.render import card_pdf
    from portal.cards.services import current_card
    from portal.core.storage import get_storage
    from portal.core.tenancy import league_scope
    from portal.players.services import today_in

    with app.test_request_context(), league_scope(league_id):
        card = current_card(profile_id)
        content = card_content(card, today_in(card.profile.league))
        storage = get_storage()
        assets = {
            "photo": (storage.get(content["photo_key"]), "image/jpeg"),
            "logo": (storage.get(content["league"]["logo_key"]), "image/png"),
        }
        url = content["verify_url"]
        walls, cpus = [], []
        for n in range(renders + 3):
            content["verify_url"] = f"{url[:-6]}{n:06d}"  # a card of its own: a new QR code
            started, cpu = time.perf_counter(), time.process_time()
            pdf = card_pdf(content, assets)
            if n >= 3:
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
    return {
        "median_ms": 1000 * statistics.median(walls),
        "p95_ms": 1000 * percentile(walls, 0.95),
        "cpu_median_ms": 1000 * statistics.median(cpus),
        "bytes": len(pdf),
    }


def sheet_child(league_id: int, ids_file: str) -> None:
    """In a child process: build the sheet, print its figures as JSON."""
    from portal import create_app
    from portal.extensions import db
    from portal.leagues.models import League

    try:
        from portal.cards.sheets import build_sheet
    except ImportError as error:
        print(json.dumps({"error": f"portal.cards.sheets.build_sheet is missing ({error})"}))
        return
    ids = json.loads(Path(ids_file).read_text())
    app = create_app()
    with app.test_request_context():
        league = db.session.get(League, league_id)
        started = time.perf_counter()
        pdf = build_sheet(league, ids, paper="letter", double_sided=False)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bytes": len(pdf), "cards": len(ids)}))


def _tree(pid: int) -> list[int]:
    """`pid` and every process below it (parents read from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):  # a process that has just ended
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB, from /proc/<pid>/smaps_rollup; 0s if it ended."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Pss", "Rss"):
                values[name] = int(rest.split()[0])
    except (OSError, ValueError):
        pass
    return values.get("Pss", 0), values.get("Rss", 0)


def bench_sheet(env: dict[str, str], tmp: Path, league_id: int, ids: list[int]) -> dict:
    """The sheet in a child process, its process tree's memory sampled while it runs."""
    ids_file = tmp / "ids.json"
    ids_file.write_text(json.dumps(ids))
    out, err = tmp / "sheet.out", tmp / "sheet.err"
    peak = {"pss_kb": 0, "rss_kb": 0, "processes": 0, "samples": 0}
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, __file__, "--sheet-child", str(league_id), str(ids_file)],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        while child.poll() is None:
            started = time.perf_counter()
            pids = _tree(child.pid)
            sizes = [_memory_kb(pid) for pid in pids]
            peak["pss_kb"] = max(peak["pss_kb"], sum(pss for pss, _ in sizes))
            peak["rss_kb"] = max(peak["rss_kb"], sum(rss for _, rss in sizes))
            peak["processes"] = max(peak["processes"], sum(1 for _, rss in sizes if rss))
            peak["samples"] += 1
            time.sleep(max(0.0, MEMORY_SAMPLE_SECONDS - (time.perf_counter() - started)))
    lines = [line for line in out.read_text().splitlines() if line.startswith("{")]
    if child.returncode or not lines:
        return {"error": f"sheet child failed ({child.returncode}): {err.read_text()[-2000:]}"}
    return {**json.loads(lines[-1]), **peak}


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log: Path):
    command = [
        str(BIN / "gunicorn"),
        "wsgi:app",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--no-control-socket",
    ]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    with process(command, env, log) as proc:
        wait_healthy(port, proc, log, timeout=120)  # a busy machine boots four workers slowly
        yield proc


async def _load(port: int, path: str, concurrency: int, seconds: float):
    """GET `path` from `concurrency` keep-alive clients until `seconds` have passed."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    addresses = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader = writer = None
        while time.perf_counter() < deadline:
            n = next(addresses) % CLIENTS
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"X-Forwarded-For: 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}\r\n"
                "User-Agent: bench\r\n\r\n"
            ).encode()
            for attempt in range(3):
                started = time.perf_counter()
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(request)
                    status, keep, body = await read_response(reader)
                    break
                except (OSError, asyncio.IncompleteReadError):
                    writer = close(writer)  # a kept-alive connection the server closed
                    if attempt == 2:
                        raise
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            sizes.append(len(body))
            if not keep:
                writer = close(writer)
        close(writer)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, statuses, sizes, time.perf_counter() - started


def bench_web(env: dict[str, str], tmp: Path, token: str, args) -> dict:
    port = free_port()
    with gunicorn(env, port, args.web_workers, args.web_threads, tmp / "web.log") as server:
        # Warm every worker (imports, templates, the photo) before the clock starts.
        asyncio.run(_load(port, f"/v/{token}", args.concurrency, 1.0))
        asyncio.run(_load(port, f"/v/{token}/photo", 4, 0.5))
        cpu = cpu_seconds(server.pid), time.process_time()
        latencies, statuses, sizes, seconds = asyncio.run(
            _load(port, f"/v/{token}", args.concurrency, args.seconds)
        )
        cpu = cpu_seconds(server.pid) - cpu[0], time.process_time() - cpu[1]
    return {
        "server_cpu_ms": 1000 * cpu[0] / len(latencies),
        "client_cpu_ms": 1000 * cpu[1] / len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "max_ms": 1000 * max(latencies),
        "statuses": statuses,
        "page_bytes": statistics.median(sizes),
    }


def main() -> None:
    args = parse_args()
    if args.sheet_child:
        sheet_child(int(args.sheet_child[0]), args.sheet_child[1])
        return
    tmp = Path(tempfile.mkdtemp(prefix="lb-bench-cards-"))
    try:
        env = prepare_environment(tmp, args.redis)
        limits = "Redis" if args.redis else "memory"
        print(
            f"cards: {args.cards} players, SQLite, rate limits in {limits}, {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.2f} at the start"
        )
        migrate(env)
        from portal import create_app

        app = create_app()
        started = time.perf_counter()
        league_id, ids, token = seed(app, args.cards)
        print(f"  setup: {len(ids)} players with cards in {time.perf_counter() - started:.1f}s")
        report(args, env, tmp, app, league_id, ids, token)
        print(f"  load {os.getloadavg()[0]:.2f} at the end")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(args, env, tmp: Path, app, league_id: int, ids: list[int], token: str) -> None:
    single = bench_single(app, league_id, ids[0], args.renders)
    print(
        f"  single card (warm, {args.renders} renders): median {single['median_ms']:.1f} ms, "
        f"p95 {single['p95_ms']:.1f} ms, CPU {single['cpu_median_ms']:.1f} ms, "
        f"{single['bytes'] / 1024:.0f} KB   target: {TARGETS['single']}"
    )
    if not args.skip_sheet:
        sheet = bench_sheet(env, tmp, league_id, ids)
        if "error" in sheet:
            print(f"  sheet: not measured: {sheet['error']}")
        else:
            per_card = 1000 * sheet["seconds"] / sheet["cards"]
            print(
                f"  sheet of {sheet['cards']} cards (letter): {sheet['seconds']:.1f} s = "
                f"{per_card:.1f} ms per card, {sheet['bytes'] / 2**20:.1f} MB PDF   "
                f"target: {TARGETS['sheet']}"
            )
            print(
                f"  sheet peak memory of the process tree: PSS {sheet['pss_kb'] / 1024:.0f} MB,"
                f" RSS sum {sheet['rss_kb'] / 1024:.0f} MB (shared pages counted in each process;"
                f" up to {sheet['processes']} processes, {sheet['samples']} samples"
                f" every {1000 * MEMORY_SAMPLE_SECONDS:.0f} ms or so)"
                f"   target: {TARGETS['memory']} PSS"
            )
    if not args.skip_web:
        web = bench_web(env, tmp, token, args)
        kind = f"gthread x{args.web_threads}" if args.web_threads > 1 else "sync"
        print(
            f"  check page /v/<token>: {web['rps']:.0f} req/s, p50 {web['p50_ms']:.1f} ms, "
            f"p99 {web['p99_ms']:.1f} ms, max {web['max_ms']:.0f} ms "
            f"({args.concurrency} connections, {args.web_workers} {kind} workers, "
            f"answers {web['statuses']}, {web['page_bytes'] / 1024:.1f} KB page)   "
            f"target: {TARGETS['web']}"
        )
        print(
            f"  check page CPU per request: server {web['server_cpu_ms']:.2f} ms, load "
            f"generator {web['client_cpu_ms']:.2f} ms (two idle cores would then serve about "
            f"{2000 / (web['server_cpu_ms'] + web['client_cpu_ms']):.0f} req/s)"
        )


if __name__ == "__main__":
    main()
