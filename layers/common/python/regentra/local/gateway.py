"""The local HTTP gateway: API Gateway HTTP API v2 events to the handlers template.yaml names,
plus the local-only routes of API.md (/_local/token, /_local/clock), GET /openapi.json (generated
from the handlers) and the built web app (local/static.py) for whatever else a browser asks."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from regentra.domain.enums import Role
from regentra.local.events import http_api_event
from regentra.local.scheduler import LocalClock, Scheduler
from regentra.local.static import StaticSite
from regentra.local.template import Route

MAX_REQUEST_BYTES = 12 * 1024 * 1024  # API Gateway's limit, plus room for 10 MiB local uploads

RawRoute = Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


class TokenStore:
    """Local bearer tokens: valid for the life of the process, whatever the local clock says."""

    def __init__(self) -> None:
        self._tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def issue(self, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            return 400, error_body("validation_error", "The body must be a JSON object.")
        allowed = {"tenant_id", "role", "user_id", "client_id", "contact_id", "email"}
        details = [{"field": k, "issue": "unknown field"} for k in body if k not in allowed]
        for k in ("tenant_id", "role", "user_id"):
            if not isinstance(body.get(k), str) or not body[k].strip():
                details.append({"field": k, "issue": "required string"})
        role = body.get("role")
        if isinstance(role, str) and role not in {r.value for r in Role}:
            details.append({"field": "role", "issue": f"one of {[r.value for r in Role]}"})
        if role == Role.CUSTOMER and not body.get("client_id"):
            details.append({"field": "client_id", "issue": "required for customers"})
        if details:
            return 400, error_body("validation_error", "The token request is not valid.", details)
        claims: dict[str, Any] = {
            "sub": body["user_id"],
            "email": body.get("email") or f"{body['user_id']}@local.regentra",
            "custom:tenant_id": body["tenant_id"],
            "cognito:groups": f"[{role}]",
        }
        if body.get("client_id"):
            claims["custom:client_id"] = body["client_id"]
        if body.get("contact_id"):
            claims["custom:contact_id"] = body["contact_id"]
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = claims
        return 200, {"token": token}

    def claims(self, authorization: str | None) -> dict[str, Any] | None:
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        with self._lock:
            return self._tokens.get(authorization.split(" ", 1)[1].strip())


class Gateway:
    def __init__(
        self,
        routes: list[Route],
        invoke: Callable[[str, dict[str, Any]], Any],
        clock: LocalClock,
        scheduler: Scheduler,
        tokens: TokenStore | None = None,
        local_routes: dict[tuple[str, str], Callable[[Any], tuple[int, Any]]] | None = None,
        raw_routes: dict[tuple[str, str], RawRoute] | None = None,
        web: StaticSite | None = None,
    ) -> None:
        # The web app, asked only for GETs no API or local route answers (None: no app served).
        self.web = web
        self._openapi: bytes | None = None
        self._openapi_lock = threading.Lock()
        # Local routes that take the raw request (multipart uploads, file downloads), by path prefix.
        self.raw_routes = raw_routes or {}
        self.routes = routes
        self.invoke = invoke
        self.clock = clock
        self.scheduler = scheduler
        self.tokens = tokens or TokenStore()
        # Local-only routes: (method, path) -> function(body) -> (status, json)
        self.local_routes: dict[tuple[str, str], Callable[[Any], tuple[int, Any]]] = {
            ("POST", "/_local/token"): self.tokens.issue,
            ("GET", "/_local/clock"): lambda _: (200, {"now": self._now()}),
            ("POST", "/_local/clock"): self._advance_clock,
            **(local_routes or {}),
        }

    def openapi(self) -> tuple[int, dict[str, str], bytes]:
        """GET /openapi.json: generated from the handlers on first use (the same text as
        `make openapi` writes), then kept for the life of the process."""
        with self._openapi_lock:
            if self._openapi is None:
                from regentra.api.openapi import generate

                self._openapi = generate().encode()
        return 200, {"Content-Type": "application/json", "Cache-Control": "no-cache"}, self._openapi

    def _now(self) -> str:
        from regentra.clock import iso

        return iso(self.clock.now()) or ""

    def _advance_clock(self, body: Any) -> tuple[int, Any]:
        minutes = body.get("advance_minutes") if isinstance(body, dict) else None
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int | float)
            or minutes < 0
            or minutes > 525_600
        ):
            return 400, error_body(
                "validation_error",
                "advance_minutes must be a number from 0 to 525600.",
                [{"field": "advance_minutes", "issue": "invalid"}],
            )
        self.clock.advance(timedelta(minutes=minutes))
        runs = self.scheduler.run_due()
        return 200, {"now": self._now(), "schedule_runs": runs}

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        split = urlsplit(raw_path)
        path, query = split.path, split.query
        if method in ("GET", "HEAD") and path == "/openapi.json":
            return self.openapi()
        for (raw_method, prefix), raw_route in self.raw_routes.items():
            if method == raw_method and path.startswith(prefix):
                return raw_route(path[len(prefix) :], headers, body)
        local = self.local_routes.get((method, path))
        if local is not None:
            try:
                payload = json.loads(body) if body.strip() else {}
            except ValueError:
                return _json(400, error_body("validation_error", "The body is not valid JSON."))
            status, out = local(payload)
            return _json(status, out)
        page_load = method == "GET" and is_navigation(headers) and not path.startswith("/_local/")
        if self.web is not None and page_load:
            # A browser loading a page (a deep link or a reload of /tickets/01J…): the app, even where
            # an API route has the same path. Only browsers send these headers, and no script can
            # (Sec-* are forbidden header names), so API calls are never answered with the app.
            page = self.web.respond(path, headers)
            if page is not None:
                return page
        for route in self.routes:
            params = route.match(method, path)
            if params is None:
                continue
            # A public route (Authorizer NONE) gets no claims, as in AWS, whatever it is sent.
            claims = self.tokens.claims(headers.get("authorization")) if route.auth else None
            if claims is None and route.auth:  # the JWT authorizer answers before any function runs
                return _json(401, error_body("unauthorized", "A valid bearer token is required."))
            event = http_api_event(
                route,
                method=method,
                path=path,
                path_params=params,
                query=query,
                headers=headers,
                body=body,
                claims=claims,
                now=self.clock.now(),
            )
            result = self.invoke(route.function, event)
            return _lambda_result(result)
        api_path = any(r.pattern.fullmatch(path) for r in self.routes)
        if (
            self.web is not None
            and method in ("GET", "HEAD")
            and not api_path
            and not path.startswith("/_local/")
        ):
            page = self.web.respond(path, headers)
            if page is not None:
                return page
        if api_path:
            return _json(405, error_body("method_not_allowed", f"{method} is not allowed on {path}."))
        return _json(404, error_body("not_found", "No such route."))

    def serve(self, host: str, port: int) -> ThreadingHTTPServer:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_REQUEST_BYTES:
                    self._send(*_json(413, error_body("payload_too_large", "The request is too large.")))
                    self.close_connection = True
                    return
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    self._send(*gateway.handle(self.command, self.path, headers, body))
                except Exception as exc:  # noqa: BLE001 - the gateway must answer, like API Gateway
                    self._send(*_json(500, error_body("internal_error", f"local gateway: {exc}")))

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, fmt: str, *args: Any) -> None:
                pass  # handlers log structured JSON themselves

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        return server


def is_navigation(headers: dict[str, str]) -> bool:
    """A browser's top-level page load: Sec-Fetch-Mode navigate, for a document, accepting HTML."""
    return (
        headers.get("sec-fetch-mode") == "navigate"
        and headers.get("sec-fetch-dest") == "document"
        and "text/html" in (headers.get("accept") or "")
    )


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _lambda_result(result: Any) -> tuple[int, dict[str, str], bytes]:
    if not isinstance(result, dict) or "statusCode" not in result:
        return _json(200, result)
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return int(result["statusCode"]), headers, body
