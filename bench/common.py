"""Pieces both benchmarks use: a free port, the migration, server processes and their
health, the CPU a process tree used, percentiles, and reading one HTTP/1.1 response off a
keep-alive connection."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children that are still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Status, whether the connection stays open, and the body of one response."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() != "close", body


def close(writer):
    if writer is not None:
        writer.close()
    return None


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path, nice: int = 0):
    """A server process in its own session, stopped (all of it) afterwards.

    With `nice`, the whole session gets that CPU priority. `nice -n` alone is not
    enough: Linux's autogroup scheduler (on by default) first shares the CPU fairly
    between sessions, whatever their processes' nice values, so a consumer in a
    session of its own would take a third of the machine from gunicorn. Its
    session's own nice value (/proc/<pid>/autogroup) is what lowers it.
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if nice:
        # Without the autogroup scheduler (or the right to set it), `nice -n` still applies.
        with suppress(OSError):
            Path(f"/proc/{proc.pid}/autogroup").write_text(str(nice))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Wait for gunicorn's /healthz (workers import the app slowly on a busy machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"gunicorn did not become healthy:\n{log.read_text()[-3000:]}")


def wait_for_log(log: Path, text: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until a process has written `text` to its log (the huey consumer says
    "Huey consumer started" once it has imported every task and is taking work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{proc.args[0]} exited:\n{log.read_text()[-3000:]}")
        if log.exists() and text in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    sys.exit(f"{text!r} not in {log} after {timeout:.0f}s:\n{log.read_text()[-3000:]}")
