"""Shared fixtures. DynamoDB Local (the real engine) is started once per test session, in
memory, only when a test asks for it; tables come from template.yaml as in `regentra local`."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

if os.environ.get("REGENTRA_IAM_AUDIT"):
    # Record the AWS actions each function calls (tests/iam checks them against its policy), before
    # any client exists; `regentra local` subprocesses inherit the variable and record their own.
    from regentra.local.iam_audit import install as _install_iam_audit

    _install_iam_audit()


@pytest.fixture(scope="session")
def template() -> Any:
    from regentra.local.template import Template, build_dir

    return Template.load(build_dir() or REPO)


@pytest.fixture(scope="session")
def ddb_endpoint(template: Any) -> Iterator[str]:
    import boto3

    from regentra.config import reset_settings
    from regentra.local.dynamodb_local import DynamoDBLocal
    from regentra.local.tables import ensure_tables

    ddb = DynamoDBLocal(data_dir=None).start()
    env = {
        "REGENTRA_DYNAMODB_ENDPOINT": ddb.endpoint,
        "TABLE_NAME": "RegentraTable",
        "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
        "CURSOR_SECRET": "test-cursor-secret",
    }
    os.environ.update(env)
    reset_settings()
    ensure_tables(template, boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name="us-east-1"))
    try:
        yield ddb.endpoint
    finally:
        ddb.stop()


@pytest.fixture()
def clock() -> Iterator[Any]:
    from regentra.clock import FixedClock, SystemClock, set_clock

    c = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a Monday, 09:00 UTC
    set_clock(c)
    yield c
    set_clock(SystemClock())


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


class Api:
    """Calls the handlers exactly as the local gateway does (template routes, HTTP API v2 events,
    JWT claims), without a socket."""

    def __init__(self, gateway: Any, tenant_id: str) -> None:
        self.gateway = gateway
        self.tenant_id = tenant_id

    def token(
        self, role: str = "technician", user_id: str = "tech-1", tenant_id: str | None = None, **extra: Any
    ) -> str:
        status, body = self.gateway.tokens.issue(
            {"tenant_id": tenant_id or self.tenant_id, "role": role, "user_id": user_id, **extra}
        )
        assert status == 200, body
        return str(body["token"])

    def run_schedule(self, function: str) -> dict[str, Any]:
        """Run a template schedule's function now, as EventBridge would (same event shape)."""
        from regentra.clock import get_clock
        from regentra.local.events import schedule_event

        return self.gateway.invoke(function, schedule_event(function, get_clock().now()))  # type: ignore[no-any-return]

    def outbox(self, ticket_id: str) -> list[dict[str, Any]]:
        """Mail and SMS the local stack sent for a ticket."""
        from regentra.local.sinks import sink

        return [m for m in sink("outbox").items() if m.get("ticket_id") == ticket_id]

    def events(self, ticket_id: str | None = None) -> list[dict[str, Any]]:
        """Events this tenant published to the (local) bus, optionally for one ticket."""
        from regentra.local.sinks import sink

        return [
            e
            for e in sink("events").items()
            if e["detail"].get("tenant_id") == self.tenant_id
            and (ticket_id is None or e["detail"].get("ticket_id") == ticket_id)
        ]

    def call(
        self,
        method: str,
        path: str,
        token: str | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        hdrs = {"content-type": "application/json", **(headers or {})}
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        status, out_headers, out = self.gateway.handle(
            method, path, {k.lower(): v for k, v in hdrs.items()}, data
        )
        return Reply(status, out_headers, json.loads(out) if out else None)


@pytest.fixture(scope="session")
def gateway(ddb_endpoint: str, template: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The local gateway exactly as `regentra local` wires it: handlers from the template, the
    table stream drained into the stream functions after every call, side effects in local sinks."""
    from regentra.config import reset_settings
    from regentra.local.functions import FunctionHost
    from regentra.local.gateway import Gateway
    from regentra.local.scheduler import LocalClock, Scheduler
    from regentra.local.sinks import reset_sinks
    from regentra.local.streams import StreamPoller
    from regentra.local.tables import local_table_name

    data_dir = tmp_path_factory.mktemp("regentra-data")
    os.environ["REGENTRA_DATA_DIR"] = str(data_dir)
    reset_settings()
    reset_sinks()
    host = FunctionHost(
        template, {n: local_table_name(n) for n in template.tables()}, fallback_env=dict(os.environ)
    )
    poller = StreamPoller(template.stream_triggers(), ddb_endpoint, host.invoke, lock=host.lock)

    def invoke(function: str, event: dict[str, Any]) -> Any:
        result = host.invoke(function, event)
        poller.drain()
        return result

    local_clock = LocalClock()
    gw = Gateway(template.routes(), invoke, local_clock, Scheduler([], local_clock, invoke))
    gw.streams = poller
    return gw


@pytest.fixture()
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture()
def api(gateway: Any, tenant: str, clock: Any) -> Api:
    return Api(gateway, tenant)


@pytest.fixture()
def admin(api: Api) -> str:
    return api.token("admin", "admin-1")


@pytest.fixture()
def tech(api: Api) -> str:
    return api.token("technician", "tech-1")


@pytest.fixture()
def client_id(api: Api, admin: str) -> str:
    r = api.call("POST", "/clients", admin, {"name": "Acme Dental", "email_domains": ["acme.test"]})
    assert r.status == 201, r.body
    return str(r.body["id"])


@pytest.fixture()
def contact_id(api: Api, admin: str, client_id: str) -> str:
    r = api.call(
        "POST",
        "/contacts",
        admin,
        {"client_id": client_id, "name": "Dana", "email": f"dana-{uuid.uuid4().hex[:6]}@acme.test"},
    )
    assert r.status == 201, r.body
    return str(r.body["id"])
