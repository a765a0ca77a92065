"""Cascade: a master with 1,000 children (100 already resolved) resolved with one reply, run
locally exactly as `regentra local` runs it.

Starts its own in-memory DynamoDB Local (tables from template.yaml), writes CHILDREN ordinary
tickets of one client (with their SLA timers; RESOLVED ones among them) straight to the table,
promotes a master and links the children through the handler (500 per call), then measures,
through the local gateway:

  prompt    PATCH the master to RESOLVED: the cascade_prompt (reads every child's status);
  cascade   POST /tickets/{id}/cascade {"status": "RESOLVED", "resolution", "reply"}: the handler
            records the cascade and the local workflow adapter runs the state machine of
            infra/statemachines/cascade.asl.json in process (ListChildren pages -> Map ->
            ApplyToChild -> Finalize) before the call returns;
  re-post   the same POST again (same cascade id: nothing may be applied);
  re-run    the same cascade's state machine executed a second time (as a redrive or a duplicated
            execution would): every step runs again and must apply nothing.

For each it prints wall time and the DynamoDB calls botocore sent (as bench/api_latency.py counts
them), with the items inside each TransactWriteItems, and divides the writes by the children.
Then the table stream is drained once (the replies go out by email, events to the bus) and timed
separately: that is delivery, not the cascade. No pass/fail: read the figures.

    .venv/bin/python bench/cascade.py [--children 1000] [--resolved 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import LAMBDA_ENV, REPO, header, load_average, table  # noqa: E402

TENANT = "t-bench-cascade"
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class Recorder:
    """Every DynamoDB call botocore sends while recording: (operation, items it writes)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.on = False
        self._lock = threading.Lock()
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        recorder = self

        def recording(client: Any, operation: str, params: Any) -> Any:
            if recorder.on:
                items = 1 if operation in ("PutItem", "UpdateItem", "DeleteItem") else 0
                if operation == "TransactWriteItems":
                    items = len(params.get("TransactItems", []))
                elif operation == "BatchWriteItem":
                    items = sum(len(v) for v in params.get("RequestItems", {}).values())
                with recorder._lock:
                    recorder.calls.append((operation, items))
            return original(client, operation, params)

        setattr(BaseClient, "_make_api_call", recording)  # noqa: B010 (patched on purpose)

    def measure(self, fn: Any) -> tuple[Any, float, list[tuple[str, int]]]:
        self.calls = []
        self.on = True
        t0 = time.perf_counter()
        try:
            out = fn()
        finally:
            self.on = False
        return out, time.perf_counter() - t0, list(self.calls)


def summary(calls: list[tuple[str, int]]) -> dict[str, Any]:
    ops = Counter(op for op, _ in calls)
    writes = [(op, n) for op, n in calls if op in WRITE_OPS]
    tx_sizes = [n for op, n in calls if op == "TransactWriteItems"]
    return {
        "ops": ops,
        "write_calls": len(writes),
        "write_items": sum(n for _, n in writes),
        "tx_sizes": Counter(tx_sizes),
    }


def ops_text(ops: Counter[str]) -> str:
    return " + ".join(f"{op} x{n:,}" for op, n in sorted(ops.items(), key=lambda kv: -kv[1])) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1000, help="children of the master (default 1000)")
    parser.add_argument("--resolved", type=int, default=100, help="of them already RESOLVED (default 100)")
    parser.add_argument("--no-drain", action="store_true", help="skip draining the stream afterwards")
    args = parser.parse_args()

    print(header("Regentra cascade: a master's change to its children, locally (DynamoDB Local, in memory)"))
    print(f"params:  {args.children:,} children, {args.resolved:,} already RESOLVED, one tenant, one client")
    print()
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="regentra-bench-cascade-"))
    os.environ.update(LAMBDA_ENV)
    os.environ["REGENTRA_DATA_DIR"] = str(data_dir)  # the local workflow adapter, local outbox
    import boto3

    from regentra.adapters.dynamo.items import TicketItem
    from regentra.adapters.dynamo.repository import ticket_to_item
    from regentra.config import reset_settings
    from regentra.domain.enums import Channel, Priority, Status
    from regentra.domain.ids import new_id
    from regentra.domain.tickets import Ticket, with_status
    from regentra.local.dynamodb_local import DynamoDBLocal
    from regentra.local.functions import FunctionHost
    from regentra.local.gateway import Gateway
    from regentra.local.scheduler import LocalClock, Scheduler
    from regentra.local.sinks import reset_sinks, sink
    from regentra.local.streams import StreamPoller
    from regentra.local.tables import ensure_tables
    from regentra.local.template import Template
    from regentra.local.workflows import LocalWorkflowStarter, executions
    from regentra.services.deps import CASCADE_STATE_MACHINE, default_deps
    from regentra.services.sla import on_change, start_timers

    recorder = Recorder()
    t0 = time.perf_counter()
    ddb = DynamoDBLocal(data_dir=None).start()
    ddb_start_s = time.perf_counter() - t0
    results: dict[str, Any] = {}
    try:
        os.environ["REGENTRA_DYNAMODB_ENDPOINT"] = ddb.endpoint
        reset_settings()
        reset_sinks()
        template = Template.load(REPO)
        ensure_tables(template, boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name="us-east-1"))
        local_values = {n: n for n in template.tables()} | {"LogLevel": "WARNING"}
        host = FunctionHost(template, local_values, fallback_env=dict(os.environ))
        os.environ["REGENTRA_LOG_LEVEL"] = "WARNING"  # the local workflow adapter's task functions too
        poller = StreamPoller(template.stream_triggers(), ddb.endpoint, host.invoke)
        clock = LocalClock()
        gateway = Gateway(template.routes(), host.invoke, clock, Scheduler([], clock, host.invoke))

        def token(role: str, user: str) -> str:
            return str(gateway.tokens.issue({"tenant_id": TENANT, "role": role, "user_id": user})[1]["token"])

        admin, tech = token("admin", "ada"), token("technician", "tom")

        def call(method: str, path: str, tok: str, body: Any = None, expect: int = 200) -> Any:
            headers = {"content-type": "application/json", "authorization": f"Bearer {tok}"}
            status, _, out = gateway.handle(method, path, headers, json.dumps(body).encode() if body else b"")
            if status != expect:
                raise SystemExit(f"{method} {path} answered {status}, expected {expect}: {out[:500]!r}")
            return json.loads(out) if out else None

        # --- setup -----------------------------------------------------------------------------
        t0 = time.perf_counter()
        client_id = call("POST", "/clients", admin, {"name": "Harbor Dental"}, expect=201)["id"]
        contacts = [
            call(
                "POST",
                "/contacts",
                admin,
                {"client_id": client_id, "name": f"Pat {i}", "email": f"pat{i}@harbor.test"},
                expect=201,
            )["id"]
            for i in range(10)
        ]
        master = call(
            "POST",
            "/tickets",
            tech,
            {"subject": "Vendor outage", "priority": "HIGH", "client_id": client_id},
            201,
        )
        call("POST", f"/tickets/{master['id']}/master", tech)
        now = clock.now()
        child_ids: list[str] = []
        sla: dict[str, Any] | None = None  # the timers every child gets (same policy, priority, start)
        with TicketItem.batch_write() as batch:
            for i in range(args.children):
                t = Ticket(
                    tenant_id=TENANT, id=new_id(now), number=100 + i, subject=f"Phones dead {i}",
                    description="", status=Status.OPEN, priority=Priority.HIGH, channel=Channel.EMAIL,
                    client_id=client_id, contact_id=contacts[i % len(contacts)], created_at=now,
                    updated_at=now,
                )  # fmt: skip
                if sla is None:
                    sla = start_timers(default_deps(), t, None)
                t = replace(t, sla=sla)
                if i < args.resolved:
                    resolved = with_status(t, Status.RESOLVED, now)
                    t, _ = on_change(t, resolved, now)
                item = ticket_to_item(t)
                item.version = 1
                batch.save(item)
                child_ids.append(t.id)
        poller.drain()  # the setup's own stream records, so they don't land in the measured drain
        setup_s = time.perf_counter() - t0

        link_times = []
        link_calls: list[tuple[str, int]] = []
        for start in range(0, len(child_ids), 500):
            part = child_ids[start : start + 500]
            out, secs, calls = recorder.measure(
                lambda part=part: call("POST", f"/tickets/{master['id']}/children", tech, {"child_ids": part})
            )
            assert out["rejected"] == [], out["rejected"][:3]
            link_times.append(secs)
            link_calls += calls
        results["link"] = (sum(link_times), summary(link_calls), len(link_times))

        out, secs, calls = recorder.measure(
            lambda: call("PATCH", f"/tickets/{master['id']}", tech, {"status": "RESOLVED"})
        )
        results["prompt"] = (secs, summary(calls), out.get("cascade_prompt"))

        body = {
            "status": "RESOLVED",
            "resolution": "The PBX vendor restored service at 09:40.",
            "reply": {"body": "The phone outage is fixed; your phones work again. Sorry for the trouble."},
        }
        out, secs, calls = recorder.measure(
            lambda: call("POST", f"/tickets/{master['id']}/cascade", tech, body, expect=202)
        )
        cascade_id = out["cascade_id"]
        progress = call("GET", f"/cascades/{cascade_id}", tech)
        execution = next(e for e in executions() if e.name == cascade_id)
        results["cascade"] = (
            secs,
            summary(calls),
            progress,
            Counter(x for x in execution.steps if ":" not in x and "!" not in x),
        )

        out, secs, calls = recorder.measure(
            lambda: call("POST", f"/tickets/{master['id']}/cascade", tech, body, expect=202)
        )
        assert out["cascade_id"] == cascade_id
        results["repost"] = (secs, summary(calls))

        payload = {"tenant_id": TENANT, "cascade_id": cascade_id, "master_id": master["id"], "cursor": None}
        starter = LocalWorkflowStarter(CASCADE_STATE_MACHINE, invoke=host.invoke)
        _, secs, calls = recorder.measure(lambda: starter.start(f"{cascade_id}-rerun", payload))
        rerun = next(e for e in executions() if e.name == f"{cascade_id}-rerun")
        after = call("GET", f"/cascades/{cascade_id}", tech)
        results["rerun"] = (secs, summary(calls), rerun, after)

        if not args.no_drain:
            outbox_before = len(sink("outbox").items())
            _, secs, calls = recorder.measure(poller.drain)
            results["drain"] = (secs, summary(calls), len(sink("outbox").items()) - outbox_before)
    finally:
        ddb.stop()

    n = args.children
    eligible = n - args.resolved
    secs, s, prog, steps = results["cascade"]
    counts = {k: prog[k] for k in ("state", "total", "applied", "skipped", "failed")}
    print(f"cascade {cascade_id}: {json.dumps(counts)}")
    print(f"  state machine steps entered: {dict(steps)}")
    print()
    rows = []
    link_s, link_sum, link_calls_n = results["link"]
    for _name, label, wall, summ in (
        ("link", f"link {n:,} children ({link_calls_n} calls of <=500)", link_s, link_sum),
        ("prompt", "PATCH master RESOLVED (cascade_prompt)", results["prompt"][0], results["prompt"][1]),
        ("cascade", "POST cascade (whole execution)", secs, s),
        ("repost", "re-POST the same cascade", results["repost"][0], results["repost"][1]),
        ("rerun", "re-run the execution of the same cascade", results["rerun"][0], results["rerun"][1]),
    ):
        rows.append(
            [
                label,
                f"{wall:.2f}",
                f"{wall / n * 1000:.2f}",
                f"{sum(summ['ops'].values()):,}",
                f"{summ['write_calls']:,}",
                f"{summ['write_items']:,}",
            ]
        )
    print(
        table(rows, ["operation", "wall s", "ms / child", "DynamoDB calls", "write calls", "items written"])
    )
    print()
    for name in ("link", "prompt", "cascade", "repost", "rerun"):
        summ = results[name][1] if name != "link" else link_sum
        print(f"{name:8} {ops_text(summ['ops'])}")
        if summ["tx_sizes"]:
            sizes = ", ".join(f"{k} items x{v:,}" for k, v in sorted(summ["tx_sizes"].items()))
            print(f"         TransactWriteItems sizes: {sizes}")
    print()
    print(f"prompt: {results['prompt'][2]}")
    print(
        f"cascade per applied child ({eligible:,}): "
        f"{s['ops']['TransactWriteItems'] / max(eligible, 1):.2f} TransactWriteItems, "
        f"{s['write_calls'] / max(eligible, 1):.2f} write calls, "
        f"{s['write_items'] / max(eligible, 1):.2f} items written; "
        f"per child of all {n:,}: {s['write_calls'] / n:.2f} write calls, "
        f"{sum(s['ops'].values()) / n:.2f} calls in all"
    )
    rsecs, rs, rerun, after = results["rerun"]
    rerun_steps = Counter(x for x in rerun.steps if ":" not in x and "!" not in x)
    print(
        f"re-run: execution {rerun.status}, steps {dict(rerun_steps)}; "
        f"{rs['write_calls']} write calls ({rs['write_items']} items); cascade after: "
        f"{json.dumps({k: after[k] for k in ('state', 'applied', 'skipped', 'failed')})}"
    )
    if "drain" in results:
        dsecs, ds, sent = results["drain"]
        print(
            f"then the stream (not the cascade): {sent:,} emails sent in {dsecs:.1f} s; {ops_text(ds['ops'])}"
        )
    print()
    print(
        f"setup: DynamoDB Local start {ddb_start_s:.1f} s, "
        f"{n:,} tickets + master + 10 contacts {setup_s:.1f} s; "
        f"total {time.perf_counter() - started:.1f} s; load at end {load_average()}"
    )
    print(f"at {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
