"""`regentra local` serves the built web app and /openapi.json beside the API, on one origin: files
with their types and cache headers, index.html for client-side routes, never in the API's way."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from regentra.local.gateway import Gateway
from regentra.local.runtime import web_config
from regentra.local.scheduler import LocalClock, Scheduler
from regentra.local.static import IMMUTABLE, REVALIDATE, StaticSite
from regentra.local.template import Template

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
# What Chromium sends when the user opens a URL or reloads (no script can set Sec-* headers).
PAGE_LOAD = HTML | {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
INDEX = b"<!doctype html><title>Regentra</title><div id=root></div>"
BUNDLE = b"console.log('app')"


@pytest.fixture()
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "web" / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-B4xQ9zKp.js").write_bytes(BUNDLE)
    (root / "assets" / "index-Cw3_r1Lm.css").write_bytes(b"body{}")
    (root / "favicon.svg").write_bytes(b"<svg/>")
    (root / "robots.txt").write_bytes(b"User-agent: *")
    (root / ".env").write_bytes(b"SECRET=1")
    (tmp_path / "web" / "secret.txt").write_bytes(b"TOP SECRET")
    return root


class Calls:
    def __init__(self) -> None:
        self.functions: list[str] = []

    def __call__(self, function: str, event: dict[str, Any]) -> Any:
        self.functions.append(function)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"api":true}'}


@pytest.fixture(scope="module")
def routes() -> list[Any]:
    return Template.load().routes()


def gateway(routes: list[Any], web_root: Path | None, calls: Calls | None = None) -> Gateway:
    clock = LocalClock()
    invoke = calls or Calls()
    return Gateway(
        routes,
        invoke,
        clock,
        Scheduler([], clock, invoke),
        local_routes={("GET", "/config.json"): lambda _: (200, web_config())},
        web=StaticSite(web_root) if web_root is not None else None,
    )


def get(gw: Gateway, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return gw.handle("GET", path, dict(headers or {}), b"")


def test_index_and_files_with_their_types_and_cache_headers(routes: list[Any], dist: Path) -> None:
    gw = gateway(routes, dist)
    status, headers, body = get(gw, "/", HTML)
    assert (status, body) == (200, INDEX)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == REVALIDATE == "no-cache"
    status, headers, body = get(gw, "/assets/index-B4xQ9zKp.js")
    assert (status, body) == (200, BUNDLE)
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert headers["Cache-Control"] == IMMUTABLE
    assert "immutable" in IMMUTABLE and "max-age=31536000" in IMMUTABLE
    status, headers, _ = get(gw, "/assets/index-Cw3_r1Lm.css")
    assert (status, headers["Content-Type"], headers["Cache-Control"]) == (
        200,
        "text/css; charset=utf-8",
        IMMUTABLE,
    )
    # Files outside assets/ keep their names across builds: revalidated, never immutable.
    status, headers, _ = get(gw, "/favicon.svg")
    assert (status, headers["Content-Type"], headers["Cache-Control"]) == (200, "image/svg+xml", REVALIDATE)
    assert get(gw, "/robots.txt")[1]["Content-Type"] == "text/plain; charset=utf-8"
    assert get(gw, "/index.html")[1]["Cache-Control"] == REVALIDATE
    # "/" is the app for any client, not only a browser: `curl http://127.0.0.1:3000/` too.
    assert get(gw, "/", {"accept": "*/*"})[0::2] == (200, INDEX)
    assert get(gw, "/")[0::2] == (200, INDEX)


def test_client_side_routes_get_index_html_only_when_a_browser_asks(routes: list[Any], dist: Path) -> None:
    gw = gateway(routes, dist)
    for path in ("/board", "/portal/tickets/01J", "/admin/sla", "/signin?next=%2Fboard"):
        status, headers, body = get(gw, path, HTML)
        assert (status, body) == (200, INDEX), path
        assert headers["Cache-Control"] == REVALIDATE
    # A script asking for JSON (or anything but HTML) gets the API's 404, not a page.
    status, headers, body = get(gw, "/board", {"accept": "application/json"})
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    # A missing bundle is a 404: script and stylesheet requests do not accept text/html.
    assert get(gw, "/assets/gone-Zz9Yy8Xx.js", {"accept": "*/*"})[0] == 404


def test_api_routes_are_never_shadowed(routes: list[Any], dist: Path) -> None:
    calls = Calls()
    gw = gateway(routes, dist, calls)
    # An API route answers as the API, even when HTML is acceptable: no token is the authorizer's 401.
    status, _, body = get(gw, "/tickets", HTML)
    assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized"
    status, _, body = get(gw, "/tickets/01J0000", HTML)
    assert status == 401
    # A path the API serves with another method is the API's 405, not the app.
    status, _, body = get(gw, "/tickets/01J0000/replies", HTML)
    assert status == 405 and json.loads(body)["error"]["code"] == "method_not_allowed"
    # A public route reaches its function.
    status, _, body = get(gw, "/chat/visitor/sessions/s1", HTML)
    assert (status, json.loads(body)) == (200, {"api": True})
    assert calls.functions == ["GetVisitorChatFunction"]
    # Local routes stay local routes; an unknown one is a 404, never index.html.
    status, _, body = get(gw, "/_local/clock", HTML)
    assert status == 200 and "now" in json.loads(body)
    assert get(gw, "/_local/nothing-here", HTML)[0] == 404
    status, _, body = get(gw, "/config.json", HTML)
    assert json.loads(body) == web_config() and web_config()["auth"]["type"] == "local"
    # Writes never reach the app.
    assert gw.handle("POST", "/board", dict(HTML), b"{}")[0] == 404


def test_a_browser_page_load_of_a_shared_path_opens_the_app(routes: list[Any], dist: Path) -> None:
    """/tickets is the list screen and an API route: a reload or deep link (a navigation) gets the app;
    a fetch of the same URL (no Sec-Fetch-Mode: navigate) still gets the API."""
    calls = Calls()
    gw = gateway(routes, dist, calls)
    for path in ("/tickets", "/tickets?status=OPEN", "/tickets/01J0000", "/chat/visitor/sessions/s1"):
        status, headers, body = get(gw, path, PAGE_LOAD)
        assert (status, body) == (200, INDEX), path
    assert calls.functions == []
    fetch = HTML | {"sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}
    assert get(gw, "/tickets", fetch)[0] == 401
    # Local routes and the API description stay JSON even when opened in a tab.
    status, headers, body = get(gw, "/_local/clock", PAGE_LOAD)
    assert status == 200 and headers["Content-Type"] == "application/json" and "now" in json.loads(body)
    assert get(gw, "/openapi.json", PAGE_LOAD)[1]["Content-Type"] == "application/json"
    assert get(gw, "/_local/nothing", PAGE_LOAD)[0] == 404
    # Traversal is refused for page loads too.
    status, _, body = get(gw, "/../secret.txt", PAGE_LOAD)
    assert status == 404 and b"SECRET" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/./index.html",
        "/.env",
        "/%00index.html",
    ],
)
def test_path_traversal_and_dotfiles_are_refused(routes: list[Any], dist: Path, path: str) -> None:
    gw = gateway(routes, dist)
    for headers in ({}, HTML, PAGE_LOAD):
        status, _, body = get(gw, path, headers)
        assert b"SECRET" not in body
        assert status == 404 or body == INDEX, (path, status)
        if ".." in path.lower() or "%2e%2e" in path.lower() or "%00" in path:
            assert status == 404, path  # traversal is refused outright, even for a browser


def test_a_symlink_out_of_the_app_is_refused(routes: list[Any], dist: Path) -> None:
    os.symlink(dist.parent / "secret.txt", dist / "leak.txt")
    status, _, body = get(gateway(routes, dist), "/leak.txt")
    assert status == 404 and b"SECRET" not in body


def test_etag_revalidation(routes: list[Any], dist: Path) -> None:
    gw = gateway(routes, dist)
    _, headers, _ = get(gw, "/", HTML)
    status, again, body = get(gw, "/", {**HTML, "if-none-match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
    (dist / "index.html").write_bytes(INDEX + b"<!-- new build -->")
    assert get(gw, "/", {**HTML, "if-none-match": headers["ETag"]})[0] == 200


def test_without_a_build_a_page_says_how_to_make_one(routes: list[Any], tmp_path: Path) -> None:
    gw = gateway(routes, tmp_path / "web" / "dist")  # does not exist
    status, headers, body = get(gw, "/", HTML)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"make dev" in body
    assert get(gw, "/board", HTML)[2] == body
    assert get(gw, "/assets/index-B4xQ9zKp.js")[0] == 404
    # Built later (npm run build while the server runs): served without a restart.
    (tmp_path / "web" / "dist").mkdir(parents=True)
    (tmp_path / "web" / "dist" / "index.html").write_bytes(INDEX)
    assert get(gw, "/", HTML)[2] == INDEX


def test_no_web_root_keeps_the_api_only_behaviour(routes: list[Any]) -> None:
    gw = gateway(routes, None)
    assert get(gw, "/", HTML)[0] == 404


def test_openapi_json_is_served_as_generated(routes: list[Any], tmp_path: Path) -> None:
    from regentra.api.openapi import generate

    gw = gateway(routes, tmp_path)
    status, headers, body = get(gw, "/openapi.json", HTML)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert body.decode() == generate()
    assert gw.handle("HEAD", "/openapi.json", {}, b"")[0] == 200


def test_over_http_with_head(routes: list[Any], dist: Path) -> None:
    server = gateway(routes, dist).serve("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "/tickets/board-x", headers=HTML)) as r:
            raise AssertionError(f"an API path answered {r.status}")
    except urllib.error.HTTPError as exc:
        exc.close()
        assert exc.code == 401
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "/board", headers=HTML)) as r:
            assert r.status == 200 and r.read() == INDEX
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        head = urllib.request.Request(base + "/assets/index-B4xQ9zKp.js", method="HEAD")
        with urllib.request.urlopen(head) as r:
            assert r.status == 200 and r.read() == b""
            assert r.headers["Content-Length"] == str(len(BUNDLE))
            assert r.headers["Cache-Control"] == IMMUTABLE
    finally:
        server.shutdown()
        server.server_close()
