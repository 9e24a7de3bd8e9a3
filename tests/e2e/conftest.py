"""Browser tests: the real app under gunicorn, driven by Chromium at a phone viewport.

One gunicorn server per test session, on a free loopback port, with its own
instance folder and database (SQLite, or a fresh PostgreSQL database named
like the test one plus `_e2e` when TEST_DATABASE_URL is set), migrated and
loaded with the demo data. Each test gets a fresh phone-sized browser context,
so cookies never leak between tests. Chromium is Debian's (`make test`
installs it); `playwright install` cannot download browsers here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (the browser tests use them)
from tests.dbutil import prepare_database
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PHONE = {"width": 390, "height": 844}
# Settings the server must not inherit from the developer's shell or the unit tests.
NOT_INHERITED = (
    "APP_ENV",
    "INSTANCE_PATH",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "BASE_URL",
    "STORAGE_URL",
    "MAIL_URL",
    "AWS_ENDPOINT_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "TRUST_PROXY",
    "RATELIMIT_ENABLED",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
)
STARTUP_TIMEOUT = 30.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ is a browser test (`-m "not e2e"` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed browser test shows the end of the server's log next to its traceback."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("gunicorn stderr (last lines)", server.log_tail()))
    return report


# -- the server ---------------------------------------------------------------


@dataclass
class LiveServer:
    """A running gunicorn serving the app at `url`."""

    url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _server_env(instance: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(
        APP_ENV="development",
        INSTANCE_PATH=str(instance),
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    if os.environ.get("TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    """Run `flask --app wsgi ARGS` for the server's environment, failing with its output."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"flask {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: the whole process group, politely then firmly."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        process.wait(timeout=10)


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with {server.process.returncode} before answering:\n"
                f"{server.log_tail()}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"HTTP {error.code}: {error.read()[:300]!r}"
            error.close()
        except OSError as error:
            last_error = str(error)
        time.sleep(0.1)
    pytest.fail(
        f"gunicorn did not answer /healthz with 200 within {STARTUP_TIMEOUT:.0f}s "
        f"({last_error}):\n{server.log_tail()}",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app under gunicorn with fresh demo data, for one test module.

    One server per module keeps modules independent: what one module's tests
    change (a queue cleared, players added) is never seen by another's.
    """
    tmp = tmp_path_factory.mktemp("e2e")
    database_url = prepare_database(os.environ.get("TEST_DATABASE_URL"), tmp, suffix="_e2e")
    env = _server_env(tmp / "instance", database_url)
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "seed")

    port = free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, log_path=tmp / "gunicorn.log")
    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "wsgi:app",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                # No control socket: its default path in $HOME is shared with any other gunicorn.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the workers go with it
        )
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        _stop(server.process)


# -- the browser ----------------------------------------------------------------


@dataclass
class BrowserErrors:
    """Console errors (CSP violations among them) and uncaught exceptions on a page."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.messages.append(f"console.error at {message.location.get('url')}: {message.text}")

    def take(self) -> list[str]:
        """The errors seen so far, clearing the list."""
        seen, self.messages = self.messages, []
        return seen


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (390x844, touch) pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        screen=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="en-US",
        timezone_id="America/Chicago",
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(phone, browser_errors):
    """A page in the phone context whose console errors are collected in `browser_errors`."""
    page = phone.new_page()
    browser_errors.watch(page)
    yield page
    page.close()
