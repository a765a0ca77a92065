"""`regentra local`: the whole product on one machine, no AWS account, no Docker."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from regentra.clock import set_clock
from regentra.config import reset_settings
from regentra.local.dynamodb_local import DynamoDBLocal
from regentra.local.events import sns_event
from regentra.local.functions import FunctionHost
from regentra.local.gateway import Gateway
from regentra.local.scheduler import LocalClock, Scheduler
from regentra.local.sinks import LocalBlobStore, reset_sinks, sink
from regentra.local.smtp import start_smtp
from regentra.local.static import StaticSite
from regentra.local.streams import StreamPoller
from regentra.local.tables import ensure_tables, local_table_name
from regentra.local.template import (
    Template,
    build_dir,
    find_repo_root,
    s3_functions,
    ses_receipt_functions,
    sns_functions,
)
from regentra.local.uploads import download_route, upload_route

TICK_SECONDS = 5.0


def _outbox_view(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = (
        "channel",
        "to",
        "subject",
        "body",
        "message_id",
        "ticket_id",
        "sent_at",
        "in_reply_to",
        "references",
    )
    return [{k: item.get(k) for k in keep} for item in items]


def web_config() -> dict[str, Any]:
    """GET /config.json: how the web app finds the API and signs in. Locally the API is on the same
    origin and tokens come from /_local/token; in AWS the deploy writes the same file, with
    `auth.type` "cognito", into the web bucket (notes/readme-web-hosting.md)."""
    return {
        "api_url": "",
        "auth": {"type": "local", "token_url": "/_local/token", "demo_url": "/_local/demo"},
    }


class LocalStack:
    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 3000,
        smtp_port: int = 2525,
        host: str = "127.0.0.1",
        dynamodb_endpoint: str | None = None,
        demo: bool = True,
        template: Template | None = None,
        web_dir: Path | None = None,
        progress: bool = False,
    ) -> None:
        self.data_dir = data_dir
        self.port = port
        self.smtp_port = smtp_port
        self.host = host
        self.demo = demo
        self.template = template or Template.load()
        # The built web app: --web-dir, else REGENTRA_WEB_DIR, else <repo>/web/dist (`make dev` builds it).
        env_web = os.environ.get("REGENTRA_WEB_DIR")
        self.web_dir = web_dir or (Path(env_web) if env_web else find_repo_root() / "web" / "dist")
        self._external_endpoint = dynamodb_endpoint
        self.dynamodb: DynamoDBLocal | None = None
        self.server: Any = None
        self._stop = threading.Event()
        self.demo_summary: dict[str, Any] | None = None
        self.progress = progress
        self.phases: list[tuple[str, float]] = []
        self._started = self._phase_mark = 0.0

    # -- environment ---------------------------------------------------------------------------
    def _secret(self, name: str) -> str:
        path = self.data_dir / f"{name}.secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def _base_environment(self, endpoint: str) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "REGENTRA_DYNAMODB_ENDPOINT": endpoint,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "CURSOR_SECRET": self._secret("cursor"),
            "REGENTRA_DATA_DIR": str(self.data_dir),
            "REGENTRA_LOCAL_URL": f"http://{self.host}:{self.port}",
        }

    def _phase(self, name: str) -> None:
        """Say on the console what start-up has done so far, with the time since it began."""
        now = time.monotonic()
        self.phases.append((name, now - self._phase_mark))
        self._phase_mark = now
        if self.progress:
            print(f"  [{now - self._started:5.1f} s] {name}", flush=True)

    def start(self) -> LocalStack:
        self._started = self._phase_mark = time.monotonic()
        self.phases = []
        # REGENTRA_IAM_AUDIT=<dir>: record each function's AWS actions (tests/iam checks them).
        from regentra.local.iam_audit import install as install_iam_audit

        install_iam_audit()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        endpoint = self._external_endpoint
        if endpoint is None:
            self.dynamodb = DynamoDBLocal(self.data_dir / "dynamodb", log_path=self.data_dir / "dynamodb.log")
            self.dynamodb.start()
            endpoint = self.dynamodb.endpoint
            self._phase(f"DynamoDB Local ready at {endpoint}")
        base = self._base_environment(endpoint)
        os.environ.update(base)
        local_values = {name: local_table_name(name) for name in self.template.tables()}
        # Template parameters, as a local deployment would set them (quiet logs by default).
        local_values["LogLevel"] = os.environ.get("REGENTRA_LOG_LEVEL", "WARNING")
        # The AI analyzer runs offline unless a Bedrock model is named (README "AI analyzer").
        local_values["AnalyzerModelId"] = os.environ.get("REGENTRA_BEDROCK_MODEL_ID", "")
        # KB retrieval is BM25 only unless an embedding model is named (README "Knowledge base").
        local_values["EmbeddingModelId"] = os.environ.get("REGENTRA_EMBEDDING_MODEL_ID", "")
        host = FunctionHost(self.template, local_values, fallback_env=base)
        # The process-wide environment is what every function shares (their Globals).
        os.environ.update(
            {
                k: v
                for k, v in host.environment(next(iter(host.specs.values()))).items()
                if k != "AWS_LAMBDA_FUNCTION_NAME"
            }
        )
        reset_settings()
        import boto3

        ensure_tables(self.template, boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1"))
        self._phase("tables ready")
        reset_sinks()
        sink("events", self.data_dir)  # side effects land in the data dir and survive a restart
        sink("outbox", self.data_dir)
        self.clock = LocalClock(self.data_dir / "clock.json")
        set_clock(self.clock)
        self.functions = host
        # Bus events reach the functions whose template rules match them (local/bus.py).
        from regentra.local.bus import BusRouter, bus_rules, set_router

        set_router(BusRouter(bus_rules(self.template), host.invoke))
        self.streams = StreamPoller(
            self.template.stream_triggers(),
            endpoint,
            host.invoke,
            self.data_dir / "streams.json",
            lock=host.lock,
        )
        self.streams.drain()  # whatever was written while nobody was polling
        invoke = self.invoke_and_drain
        blobs = LocalBlobStore(self.data_dir / "blobs")
        self.scheduler = Scheduler(self.template.schedules(), self.clock, invoke, run_lock=host.lock)
        self.gateway = Gateway(
            self.template.routes(),
            invoke,
            self.clock,
            self.scheduler,
            raw_routes={
                ("POST", "/_local/uploads"): upload_route(
                    base["CURSOR_SECRET"], blobs, s3_functions(self.template), invoke
                ),
                ("GET", "/_local/blobs/"): download_route(base["CURSOR_SECRET"], blobs),
            },
            local_routes={
                ("POST", "/_local/sms"): self._inbound_sms,
                ("GET", "/_local/events"): lambda _: (200, {"items": sink("events").items()}),
                ("GET", "/_local/outbox"): lambda _: (200, {"items": _outbox_view(sink("outbox").items())}),
                ("GET", "/_local/demo"): lambda _: (200, self._demo_sign_ins()),
                ("GET", "/config.json"): lambda _: (200, web_config()),
            },
            web=StaticSite(self.web_dir),
        )
        if self.demo:
            from regentra.local.demo import seed
            from regentra.services.deps import default_deps

            self.demo_summary = seed(default_deps())
            self._phase("demo data written")
            self.streams.drain()  # the demo's tickets and KB articles indexed before the first request
            self._phase("demo indexed for search")
        self.server = self.gateway.serve(self.host, self.port)
        self.smtp = start_smtp(
            self.host,
            self.smtp_port,
            LocalBlobStore(self.data_dir / "blobs"),
            ses_receipt_functions(self.template),
            invoke,
        )
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()
        self._phase("API, web app and SMTP listening")
        threading.Thread(target=self._tick, name="scheduler", daemon=True).start()
        return self

    def _demo_sign_ins(self) -> dict[str, Any]:
        """GET /_local/demo: the demo users the sign-in page offers (empty without demo data)."""
        from regentra.local.demo import sign_ins

        return {"items": sign_ins(self.demo_summary)}

    def _inbound_sms(self, body: Any) -> tuple[int, Any]:
        """POST /_local/sms {"from", "to", "body"}: an inbound SMS delivered as SNS would."""
        import uuid

        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) and body[k] for k in ("from", "to")
        ):
            return 400, {
                "error": {
                    "code": "validation_error",
                    "message": "from and to are required E.164 numbers.",
                    "details": [{"field": "from/to", "issue": "required"}],
                }
            }
        text = body.get("body", "")
        if not isinstance(text, str) or len(text) > 1600:
            return 400, {
                "error": {
                    "code": "validation_error",
                    "message": "body must be text (at most 1600 chars).",
                    "details": [{"field": "body", "issue": "invalid"}],
                }
            }
        words = text.split()
        payload = {
            "originationNumber": body["from"],
            "destinationNumber": body["to"],
            "messageKeyword": words[0].upper() if words else "",
            "messageBody": text,
            "inboundMessageId": body.get("message_id") or str(uuid.uuid4()),
            "previousPublishedMessageId": None,
        }
        event = sns_event(
            "arn:aws:sns:us-east-1:000000000000:InboundSmsTopic",
            json.dumps(payload),
            str(uuid.uuid4()),
            self.clock.now(),
        )
        results = [self.invoke_and_drain(fn, event) for fn in sns_functions(self.template)]
        return 200, {"inbound_message_id": payload["inboundMessageId"], "results": results}

    def invoke_and_drain(self, function: str, event: dict[str, Any]) -> Any:
        """Invoke a function, then hand what it wrote to the stream functions (events, mail)."""
        result = self.functions.invoke(function, event)
        self.streams.drain()
        return result

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.scheduler.run_due()
            except Exception as exc:  # noqa: BLE001 - keep ticking; the handler logged it
                print(f"schedule run failed: {exc}", file=sys.stderr)

    def stop(self) -> None:
        self._stop.set()
        if getattr(self, "smtp", None) is not None:
            self.smtp.stop()
            self.smtp = None  # type: ignore[assignment]
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self.dynamodb is not None:
            self.dynamodb.stop()
            self.dynamodb = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _build_line() -> str:
    built = build_dir()
    return f"\nServing the build in {built} (functions and layer as `sam build` wrote them)" if built else ""


def banner(stack: LocalStack) -> str:
    s = stack.demo_summary or {}
    tenant = s.get("tenant_id", "demo-msp")
    clients = s.get("clients", {})
    acme = clients.get("Acme Dental", "<client id>")
    contact = (s.get("contacts") or {}).get("Dana Reyes", "<contact id>")
    url = stack.url
    return f"""
Regentra Tickets is running at {url}   (DynamoDB Local data: {stack.data_dir}){_build_line()}
Web app: {url}/{"" if (stack.web_dir / "index.html").is_file() else "   (not built: `make dev` builds web/dist)"}   API description: {url}/openapi.json
Inbound mail: SMTP on {stack.host}:{stack.smtp_port}, to support@demo-msp.test. Inbound SMS: POST {url}/_local/sms
Sent mail and SMS: {url}/_local/outbox

Get a token (technician of the demo MSP):
  TOKEN=$(curl -s -X POST {url}/_local/token -d '{{"tenant_id":"{tenant}","role":"technician","user_id":"tom-tech"}}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')

List tickets:
  curl -s {url}/tickets -H "Authorization: Bearer $TOKEN"

Create one:
  curl -s -X POST {url}/tickets -H "Authorization: Bearer $TOKEN" -d '{{"subject":"Outlook keeps crashing","priority":"HIGH","client_id":"{acme}"}}'

Move it:  curl -s -X PATCH {url}/tickets/<id> -H "Authorization: Bearer $TOKEN" -H 'If-Match: 1' -d '{{"status":"IN_PROGRESS"}}'
A customer: role "customer", "client_id":"{acme}", "contact_id":"{contact}".
Local clock: curl -s -X POST {url}/_local/clock -d '{{"advance_minutes":60}}'
Demo ids: {json.dumps(clients)}
Stop with Ctrl-C.
"""


def serve(data_dir: Path, port: int, smtp_port: int, demo: bool = True, web_dir: Path | None = None) -> int:
    stack = LocalStack(data_dir, port=port, smtp_port=smtp_port, demo=demo, web_dir=web_dir, progress=True)
    print(f"Starting Regentra Tickets (data in {data_dir})…", flush=True)
    stopped = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        print(banner(stack), flush=True)
        stopped.wait()
    finally:
        print("stopping…", flush=True)
        stack.stop()
    return 0
