"""Browser tests: the built web app (web/dist) served by a real `regentra local`, driven by Playwright
(Python) in Debian's Chromium (/usr/bin/chromium, installed by `make test`; no browser downloads).

Fixtures (see /work/notes/readme-browser-tests.md):
  web_stack   (module) a `regentra local` on free ports with its own data dir and the demo data, one per
              test module per xdist worker (kept for the session: a worker switching modules does
              not restart it). Tests of a module share it: make fresh tickets
              (`web_stack.create_ticket(...)`) rather than relying on, or changing, demo tickets.
              The local clock is the module's too (`advance_clock`).
  api         the stack's API client, as the demo technician; `api.as_("admin")` for another user.
  browser     (session) Chromium through Playwright.
  page        a fresh context (1280x800, UTC, en-US) per test, base URL = the stack; uncaught page
              errors, console errors and 5xx answers fail the test (`console.allow(regex)` for the
              expected ones; 4xx "Failed to load resource" lines are expected and ignored).
  new_page    a factory for more pages, each in its own context (a second user).
  sign_in / sign_in_fast / sign_in_via_ui, advance_clock, artifact: see their docstrings.
On a failure: a screenshot in test-artifacts/screenshots/failed/, plus the console messages and the tail
of the `regentra local` log in the report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from regentra.local.dynamodb_local import free_port

REPO = Path(__file__).resolve().parents[2]
WEB_INDEX = REPO / "web" / "dist" / "index.html"
ARTIFACTS = Path(os.environ.get("REGENTRA_TEST_ARTIFACTS") or REPO / "test-artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
SESSION_KEY = "regentra.session"  # web/src/auth.tsx

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and on a closed network its connections get refused.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
ACTION_TIMEOUT_MS = 15_000  # generous: CI is 2 shared cores
NAVIGATION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 10_000

# Environment a pytest worker may carry from the in-process fixtures (tests/conftest.py); the local
# process derives its own.
_STACK_ENV_DROP = (
    "REGENTRA_DYNAMODB_ENDPOINT",
    "REGENTRA_DATA_DIR",
    "REGENTRA_LOCAL_URL",
    "REGENTRA_BEDROCK_MODEL_ID",
    "TABLE_NAME",
    "IDEMPOTENCY_TABLE_NAME",
    "CURSOR_SECRET",
)


# --------------------------------------------------------------------------------------------------
# The API, over HTTP
# --------------------------------------------------------------------------------------------------
@dataclass
class ApiReply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def http(
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 120,
) -> ApiReply:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Accept": "application/json"})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw, status, hdrs = resp.read(), resp.status, dict(resp.headers.items())
    except urllib.error.HTTPError as err:
        raw, status, hdrs = err.read(), err.code, dict(err.headers.items())
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return ApiReply(status, parsed, {k.lower(): v for k, v in hdrs.items()})


class ApiClient:
    """Calls the stack's API with one user's token. `request` returns an ApiReply whatever the
    status; get/post/put/patch/delete return the JSON body and assert a 2xx (or `expect`)."""

    def __init__(self, stack: WebStack, who: str | dict[str, Any]) -> None:
        self.stack = stack
        self.who = who
        self.session = stack.session(who)
        self.token = self.session["token"]

    def as_(self, who: str | dict[str, Any]) -> ApiClient:
        return ApiClient(self.stack, who)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> ApiReply:
        if query:
            path += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        return http(
            method,
            self.stack.url + path,
            body,
            {"Authorization": f"Bearer {self.token}", **(headers or {})},
        )

    def _expecting(self, method: str, path: str, body: Any, expect: int | None, **kw: Any) -> Any:
        reply = self.request(method, path, body, **kw)
        ok = reply.status == expect if expect is not None else 200 <= reply.status < 300
        assert ok, f"{method} {path} as {self.who!r}: {reply.status} {reply.body!r}"
        return reply.body

    def get(self, path: str, query: dict[str, Any] | None = None, expect: int | None = None) -> Any:
        return self._expecting("GET", path, None, expect, query=query)

    def post(self, path: str, body: Any = None, expect: int | None = None, **kw: Any) -> Any:
        return self._expecting("POST", path, {} if body is None else body, expect, **kw)

    def put(self, path: str, body: Any, expect: int | None = None, **kw: Any) -> Any:
        return self._expecting("PUT", path, body, expect, **kw)

    def patch(self, path: str, body: Any, expect: int | None = None, **kw: Any) -> Any:
        return self._expecting("PATCH", path, body, expect, **kw)

    def delete(self, path: str, expect: int | None = None, **kw: Any) -> Any:
        return self._expecting("DELETE", path, None, expect, **kw)


# --------------------------------------------------------------------------------------------------
# The stack: a real `regentra local` process
# --------------------------------------------------------------------------------------------------
class WebStack:
    """`regentra local` with the demo data, serving web/dist at / (started like tests/e2e does)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.log = data_dir.parent / "regentra-local.log"
        self.port = 0
        self.smtp_port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.demo: list[dict[str, Any]] = []
        self._sessions: dict[str, dict[str, Any]] = {}
        self._api: ApiClient | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- process ---------------------------------------------------------------------------------
    def start(self, timeout: float = 180, attempts: int = 3) -> WebStack:
        for attempt in range(attempts):
            try:
                self._start_once(timeout)
                break
            except _PortTaken:  # another worker took the free port between our check and its bind
                if attempt == attempts - 1:
                    raise
        reply = http("GET", self.url + "/_local/demo")
        assert reply.status == 200 and reply.body.get("items"), (
            f"GET /_local/demo: {reply.status} {reply.body}"
        )
        self.demo = list(reply.body["items"])
        return self

    def _start_once(self, timeout: float) -> None:
        self.port, self.smtp_port = free_port(), free_port()
        exe = Path(sys.executable).parent / "regentra"
        env = {k: v for k, v in os.environ.items() if k not in _STACK_ENV_DROP}
        env["PYTHONUNBUFFERED"] = "1"
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        cmd = [str(exe), "local", "--port", str(self.port), "--smtp-port", str(self.smtp_port)]
        cmd += ["--data-dir", str(self.data_dir)]
        # Output to a file: a pipe nobody reads would fill up and block the server.
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[offset:].decode(errors="replace")
            if "Stop with Ctrl-C" in text:
                return
            if self.proc.poll() is not None:
                self.proc = None
                if "Address already in use" in text:
                    raise _PortTaken(text)
                raise RuntimeError("regentra local exited while starting:\n" + text[-4000:])
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"regentra local did not start in {timeout:.0f} s:\n" + self.log_tail())

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)  # Ctrl-C: it stops DynamoDB Local itself
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # Java has PDEATHSIG set, it follows
            self.proc.wait(timeout=30)
        self.proc = None

    def log_tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    # -- demo users ------------------------------------------------------------------------------
    def user(self, who: str | dict[str, Any]) -> dict[str, Any]:
        """A demo sign-in choice (GET /_local/demo) by user_id, name, first name, label or role
        ("customer" is the first customer: Dana Reyes of Acme Dental). A dict is taken as is
        (any claims: {"tenant_id", "role", "user_id", "client_id"?, "contact_id"?, "name"?})."""
        if isinstance(who, dict):
            return who
        w = who.strip().lower()
        w = {"tech": "technician", "read-only": "readonly"}.get(w, w)
        for match in (
            lambda u: u["user_id"].lower() == w,
            lambda u: str(u.get("name", "")).lower() == w,
            lambda u: str(u.get("name", "")).split(" ")[0].lower() == w,
            lambda u: str(u.get("label", "")).lower() == w,
            lambda u: u["role"] == w,
        ):
            hits = [u for u in self.demo if match(u)]
            if hits:
                return hits[0]
        known = ", ".join(f"{u['user_id']} ({u['label']})" for u in self.demo)
        raise KeyError(f"no demo user {who!r}; the demo users are: {known}")

    def session(self, who: str | dict[str, Any]) -> dict[str, Any]:
        """What the web app keeps in localStorage[regentra.session]: a fresh token plus who it is."""
        u = self.user(who)
        key = json.dumps(u, sort_keys=True)
        if key not in self._sessions:
            claims = {
                k: u[k] for k in ("tenant_id", "role", "user_id", "client_id", "contact_id") if u.get(k)
            }
            reply = http("POST", self.url + "/_local/token", claims)
            assert reply.status == 200, f"POST /_local/token {claims}: {reply.status} {reply.body}"
            session = {"token": reply.body["token"], **claims, "name": u.get("name") or u["user_id"]}
            self._sessions[key] = session
        return dict(self._sessions[key])

    def client_id(self, name: str) -> str:
        for u in self.demo:
            if u.get("client_id") and (u["label"].endswith(f", {name})") or u["client_id"] == name):
                return str(u["client_id"])
        raise KeyError(f"no demo client {name!r} (Acme Dental, Birch Logistics, Cobalt Law)")

    def contact_id(self, client: str) -> str:
        cid = self.client_id(client)
        return next(str(u["contact_id"]) for u in self.demo if u.get("client_id") == cid)

    # -- setup through the API ------------------------------------------------------------------
    @property
    def api(self) -> ApiClient:
        """The API as the demo technician; `.as_(who)` for anyone else."""
        if self._api is None:
            self._api = ApiClient(self, "technician")
        return self._api

    def create_ticket(
        self,
        subject: str | None = None,
        *,
        client: str | None = "Acme Dental",
        priority: str = "MEDIUM",
        who: str | dict[str, Any] = "technician",
        **fields: Any,
    ) -> dict[str, Any]:
        """A fresh ticket (a unique subject unless given), for test isolation. `client` is a demo
        client's name or id (its contact is used); a customer's ticket takes client and contact
        from the token. Returns the created ticket's JSON."""
        body: dict[str, Any] = {"subject": subject or f"Browser test {uuid.uuid4().hex[:8]}"}
        body["priority"] = priority
        if self.user(who)["role"] != "customer" and client is not None:
            body["client_id"] = self.client_id(client)
            body.setdefault("contact_id", self.contact_id(client))
        body.update(fields)
        return dict(self.api.as_(who).post("/tickets", body, expect=201))

    def create_incident(
        self, children: int = 4, resolved: int = 1, subject: str | None = None
    ) -> dict[str, Any]:
        """A master ticket with `children` linked children, the last `resolved` of them RESOLVED
        (like the demo's email outage). Returns {"master": ticket, "children": [tickets]}."""
        tag = uuid.uuid4().hex[:6]
        master = self.create_ticket(subject or f"Outage {tag}", priority="HIGH")
        clients = ["Acme Dental", "Birch Logistics", "Cobalt Law"]
        kids = [
            self.create_ticket(f"Outage {tag}: report {i + 1}", client=clients[i % len(clients)])
            for i in range(children)
        ]
        admin = self.api.as_("admin")
        admin.post(f"/tickets/{master['id']}/master")
        admin.post(f"/tickets/{master['id']}/children", {"child_ids": [k["id"] for k in kids]})
        for kid in kids[len(kids) - resolved :] if resolved else []:
            self.api.patch(f"/tickets/{kid['id']}", {"status": "RESOLVED"})
        return {
            "master": self.api.get(f"/tickets/{master['id']}"),
            "children": [self.api.get(f"/tickets/{k['id']}") for k in kids],
        }

    def advance_clock(self, minutes: float) -> dict[str, Any]:
        """Move the stack's clock forward; every schedule that came due runs before this returns.
        The clock is the module's: later tests in the module see the moved time."""
        reply = http("POST", self.url + "/_local/clock", {"advance_minutes": minutes})
        assert reply.status == 200, f"POST /_local/clock: {reply.status} {reply.body}"
        return dict(reply.body)


class _PortTaken(RuntimeError):
    pass


class _Stacks:
    """This worker's stacks, one per test module, kept until the session ends. Under xdist's default
    `load` distribution a worker runs tests of several modules in turn; a plain module-scoped fixture
    would stop and restart a module's stack at every switch. (`--dist loadgroup` cannot keep a module
    on one worker with pytest 9.2: pytest-xdist#1386.)"""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.stacks: dict[str, WebStack] = {}
        self.failed: dict[str, str] = {}

    def get(self, module: str) -> WebStack:
        if module in self.failed:
            pytest.fail(self.failed[module], pytrace=False)
        if module not in self.stacks:
            stack = WebStack(self.base / module / "data")
            self.stacks[module] = stack
            try:
                stack.start()
                problem = _serves_the_app(stack)
            except Exception as exc:  # noqa: BLE001 - said once, then for every test of the module
                problem = f"regentra local did not start: {exc}"
            if problem:
                self.failed[module] = problem
                pytest.fail(problem, pytrace=False)
        return self.stacks[module]

    def stop(self) -> None:
        for stack in self.stacks.values():
            stack.stop()


def _serves_the_app(stack: WebStack) -> str | None:
    index = http("GET", stack.url + "/", headers={"Accept": "text/html"})
    if index.status == 200 and '<div id="root"' in str(index.body):
        return None
    return (
        f"regentra local does not serve web/dist at / (GET / -> {index.status} {str(index.body)[:200]!r}):"
        " is static serving missing from regentra/local/gateway.py?"
    )


@pytest.fixture(scope="session")
def _web_stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Stacks]:
    if not WEB_INDEX.is_file():
        pytest.fail(
            f"{WEB_INDEX.relative_to(REPO)} is missing: the web app is not built. Run `make test` "
            "(or `make web`; `make setup` installs its dependencies) to build web.",
            pytrace=False,
        )
    newer = [p for p in _web_sources() if p.stat().st_mtime > WEB_INDEX.stat().st_mtime]
    if newer:
        warnings.warn(
            f"web/dist is older than {newer[0].relative_to(REPO)} (and {len(newer) - 1} more): the browser "
            "tests run the last build. `make web` rebuilds it (make test does).",
            stacklevel=1,
        )
    stacks = _Stacks(tmp_path_factory.mktemp("web-stacks"))
    try:
        yield stacks
    finally:
        stacks.stop()


@pytest.fixture(scope="module")
def web_stack(_web_stacks: _Stacks, request: pytest.FixtureRequest) -> WebStack:
    """The test module's `regentra local` (started on first use, stopped when the session ends)."""
    return _web_stacks.get(request.module.__name__)


def _web_sources() -> list[Path]:
    web = REPO / "web"
    files = [p for d in ("src", "public") for p in (web / d).rglob("*") if p.is_file()]
    files += [web / n for n in ("index.html", "vite.config.ts", "package-lock.json")]
    return [p for p in files if p.is_file() and p.name != "schema.d.ts"]


@pytest.fixture()
def api(web_stack: WebStack) -> ApiClient:
    """Overrides tests/conftest.py's in-process `api` here: the stack's API, as the demo technician."""
    return web_stack.api


@pytest.fixture()
def advance_clock(web_stack: WebStack) -> Callable[[float], dict[str, Any]]:
    return web_stack.advance_clock


# --------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------
def chromium_path() -> str:
    path = os.environ.get("REGENTRA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(
            f"Chromium not found ({path}): the browser tests need Debian's Chromium. Run `make test` "
            "(its `chromium` step runs `apt-get install chromium`) or set REGENTRA_CHROMIUM.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed in the venv: run `make setup`.", pytrace=False)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


class ConsoleLog:
    """What the pages of a test logged. Unexpected: uncaught errors, console.error lines (except a
    4xx "Failed to load resource", which an app answering 409/412/404 logs by design) and 5xx answers."""

    IGNORED = (re.compile(r"Failed to load resource: the server responded with a status of 4\d\d"),)

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.errors: list[str] = []
        self._allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Expect errors matching this regex in this test (they no longer fail it)."""
        self._allowed.append(re.compile(pattern))

    def clear(self) -> None:
        self.errors.clear()

    def attach(self, page: Any) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self._error(f"uncaught: {exc}"))
        page.on("response", self._on_response)

    def _on_console(self, msg: Any) -> None:
        line = f"[{msg.type}] {msg.text}"
        self.messages.append(line)
        if msg.type == "error" and not any(p.search(msg.text) for p in self.IGNORED):
            self._error(line)

    def _on_response(self, resp: Any) -> None:
        if resp.status >= 500:
            self._error(f"{resp.status} from {resp.request.method} {resp.url}")

    def _error(self, text: str) -> None:
        self.errors.append(text)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self._allowed)]


@pytest.fixture()
def console() -> ConsoleLog:
    return ConsoleLog()


def _new_context(browser: Any, web_stack: WebStack, console: ConsoleLog) -> Any:
    context = browser.new_context(
        base_url=web_stack.url, viewport=VIEWPORT, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    context.on("page", console.attach)
    return context


@pytest.fixture()
def page(
    browser: Any, web_stack: WebStack, console: ConsoleLog, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A new page in a new context (nothing shared with other tests: no storage, no cookies)."""
    context = _new_context(browser, web_stack, console)
    tracing = bool(os.environ.get("REGENTRA_BROWSER_TRACE"))
    if tracing:
        context.tracing.start(screenshots=True, snapshots=True, sources=False)
    p = context.new_page()
    try:
        yield p
        call = request.node.stash.get(_REPORTS, {}).get("call")
        errors = console.unexpected()
        if tracing:  # kept for failures only: `playwright show-trace <zip>` replays it
            failed = call is None or not call.passed or bool(errors)
            path = ARTIFACTS / "traces" / f"{_artifact_name(request.node)}.zip"
            path.parent.mkdir(parents=True, exist_ok=True)
            context.tracing.stop(path=str(path) if failed else None)
        if call is not None and call.passed and errors:
            shot = _failure_screenshot(p, request.node)
            pytest.fail(
                "the page logged errors:\n  " + "\n  ".join(errors) + "\n"
                f"(expected ones: console.allow(regex) in the test; screenshot: {shot})",
                pytrace=False,
            )
    finally:
        context.close()


@pytest.fixture()
def new_page(browser: Any, web_stack: WebStack, console: ConsoleLog) -> Iterator[Callable[[], Any]]:
    """More pages, each in its own context (e.g. a customer beside a technician); same error rules."""
    contexts: list[Any] = []

    def make() -> Any:
        context = _new_context(browser, web_stack, console)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------------------------------
# Signing in
# --------------------------------------------------------------------------------------------------
def _landing(session: dict[str, Any]) -> str:
    return "/portal" if session["role"] == "customer" else "/board"


def do_sign_in_fast(
    stack: WebStack, page: Any, who: str | dict[str, Any], goto: str | None = ""
) -> dict[str, Any]:
    session = stack.session(who)
    page.goto("/_local/demo")  # any same-origin page: localStorage belongs to the origin
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [SESSION_KEY, json.dumps(session)])
    if goto is not None:
        page.goto(goto or _landing(session))
    return session


def do_sign_in_via_ui(
    stack: WebStack, page: Any, who: str | dict[str, Any], next_path: str | None = None
) -> dict[str, Any]:
    user = stack.user(who)
    page.goto("/signin" + (f"?next={urllib.parse.quote(next_path)}" if next_path else ""))
    page.get_by_test_id(f"signin-{user['user_id']}").click()
    page.wait_for_url(lambda url: urllib.parse.urlsplit(url).path != "/signin")
    raw = page.evaluate("(k) => localStorage.getItem(k)", SESSION_KEY)
    assert raw, f"signing in as {user['user_id']} left no {SESSION_KEY} in localStorage"
    return dict(json.loads(raw))


@pytest.fixture()
def sign_in_fast(web_stack: WebStack) -> Callable[..., dict[str, Any]]:
    """sign_in_fast(page, who, goto="") -> session. Gets a token from POST /_local/token, puts the
    session in localStorage["regentra.session"] and opens `goto` (default: /board for staff, /portal
    for customers; None stays put). `who`: see WebStack.user."""

    def sign_in(page: Any, who: str | dict[str, Any], goto: str | None = "") -> dict[str, Any]:
        return do_sign_in_fast(web_stack, page, who, goto)

    return sign_in


@pytest.fixture()
def sign_in_via_ui(web_stack: WebStack) -> Callable[..., dict[str, Any]]:
    """sign_in_via_ui(page, who, next_path=None) -> session. Opens /signin (?next=...), clicks the
    demo user's button (data-testid="signin-<user_id>") and waits to leave /signin."""

    def sign_in(page: Any, who: str | dict[str, Any], next_path: str | None = None) -> dict[str, Any]:
        return do_sign_in_via_ui(web_stack, page, who, next_path)

    return sign_in


@pytest.fixture()
def sign_in(web_stack: WebStack) -> Callable[..., dict[str, Any]]:
    """sign_in(page, who, ui=False, goto="") -> session: the fast way by default, the sign-in page
    with ui=True (then `goto` is passed as ?next=)."""

    def do(page: Any, who: str | dict[str, Any], ui: bool = False, goto: str | None = "") -> dict[str, Any]:
        if ui:
            return do_sign_in_via_ui(web_stack, page, who, goto or None)
        return do_sign_in_fast(web_stack, page, who, goto)

    return do


# --------------------------------------------------------------------------------------------------
# Artifacts
# --------------------------------------------------------------------------------------------------
def save_screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture()
def artifact() -> Callable[..., Path]:
    """artifact(page, name) -> test-artifacts/screenshots/<name>.png (a full-page screenshot)."""
    return save_screenshot


def _artifact_name(item: pytest.Item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{item.path.stem}__{item.name}")[:150]


def _failure_screenshot(page: Any, item: pytest.Item) -> str:
    """test-artifacts/screenshots/failed/<module>__<test>.png"""
    try:
        return str(save_screenshot(page, f"failed/{_artifact_name(item)}"))
    except Exception as exc:  # noqa: BLE001 - a screenshot must not hide the failure
        return f"(no screenshot: {exc})"


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    page = funcargs.get("page")
    if page is not None:
        report.sections.append(("screenshot", _failure_screenshot(page, item)))
    log = funcargs.get("console")
    if log is not None and log.messages:
        report.sections.append(("browser console", "\n".join(log.messages[-80:])))
    stack = funcargs.get("web_stack")
    if stack is not None:
        report.sections.append(("regentra local log (tail)", stack.log_tail()))
