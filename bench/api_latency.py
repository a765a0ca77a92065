"""API latency: what the handlers cost on top of the DynamoDB calls they cannot avoid.

Starts its own in-memory DynamoDB Local (tables from template.yaml), seeds one tenant with a
client and SEED tickets through the handlers, then for create / get / list / patch measures

  handler  the request through the local gateway exactly as `regentra local` and the tests
           call it (route match, JWT claims, HTTP API v2 event, FunctionHost.invoke, handler,
           service, pynamodb, botocore, DynamoDB Local, response) -- no socket;
  raw      the DynamoDB calls that operation needs, made with a plain boto3 client against
           the same engine, in the same run, with the same item shapes (ticket items are cloned
           from one the handler wrote).

Handler and raw alternate iteration by iteration (which goes first alternates too), so drift
in the engine (JIT, GC, table growth) lands on both. Figures are milliseconds, p50 and p95 of
N measured iterations after a warm-up. No pass/fail: read the figures.

    .venv/bin/python bench/api_latency.py [--n 200] [--seed 200] [--warmup 30]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    LAMBDA_ENV,
    REPO,
    CallRecorder,
    header,
    load_average,
    percentile,
    summarize_calls,
    table,
)

TENANT = "t-bench"
TABLE = "RegentraTable"
OPS = ("create", "get", "list", "patch")


def _ms(ns: list[int]) -> list[float]:
    return [v / 1e6 for v in ns]


def _utc(dt: datetime) -> str:
    """pynamodb's UTCDateTimeAttribute format."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")


def _iso(dt: datetime) -> str:
    """regentra.clock.iso: milliseconds and a Z."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class Bench:
    def __init__(self, endpoint: str, recorder: CallRecorder) -> None:
        import boto3

        from regentra.local.functions import FunctionHost
        from regentra.local.gateway import Gateway
        from regentra.local.scheduler import LocalClock, Scheduler
        from regentra.local.template import Template

        self.recorder = recorder
        template = Template.load(REPO)
        self.host = FunctionHost(template, {n: n for n in template.tables()}, fallback_env=dict(os.environ))
        clock = LocalClock()
        self.invoke_ns = 0

        def timed_invoke(function: str, event: dict[str, Any]) -> Any:
            t0 = time.perf_counter_ns()
            try:
                return self.host.invoke(function, event)
            finally:
                self.invoke_ns = time.perf_counter_ns() - t0

        self.gateway = Gateway(template.routes(), timed_invoke, clock, Scheduler([], clock, self.host.invoke))
        self.ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        self.admin = self._token("admin", "admin-1")
        self.tech = self._token("technician", "tech-1")
        self.client_id = ""
        self.ticket_ids: list[str] = []
        self.ticket_template: dict[str, Any] = {}
        self.activity_template: dict[str, Any] = {}
        self._entry = 0
        self._subject = 0

    # --- through the handlers ---------------------------------------------------------------
    def _token(self, role: str, user_id: str) -> str:
        status, body = self.gateway.tokens.issue({"tenant_id": TENANT, "role": role, "user_id": user_id})
        assert status == 200, body
        return str(body["token"])

    def call(self, method: str, path: str, token: str, body: Any = None, expect: int = 200) -> Any:
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
        data = json.dumps(body).encode() if body is not None else b""
        status, _, out = self.gateway.handle(method, path, headers, data)
        if status != expect:
            raise SystemExit(f"{method} {path} answered {status}, expected {expect}: {out[:500]!r}")
        return json.loads(out) if out else None

    def h_create(self, i: int) -> Any:
        body = {
            "subject": f"Printer on floor {i % 7} offline",
            "priority": "HIGH",
            "client_id": self.client_id,
        }
        return self.call("POST", "/tickets", self.tech, body, expect=201)

    def h_get(self, i: int) -> Any:
        return self.call("GET", f"/tickets/{self.ticket_ids[i % len(self.ticket_ids)]}", self.tech)

    def h_list(self, i: int) -> Any:
        return self.call("GET", "/tickets?limit=25", self.tech)

    def h_patch(self, i: int) -> Any:
        self._subject += 1
        tid = self.ticket_ids[i % len(self.ticket_ids)]
        return self.call("PATCH", f"/tickets/{tid}", self.tech, {"subject": f"Renamed {self._subject}"})

    # --- the same DynamoDB calls, raw ----------------------------------------------------------
    def capture_shapes(self) -> None:
        """Take a ticket item and its activity item as the handler stored them."""
        tid = self.ticket_ids[0]
        items = self.ddb.query(
            TableName=TABLE,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"T#{TENANT}#TICKET#{tid}"}},
            ConsistentRead=True,
        )["Items"]
        self.ticket_template = next(i for i in items if i["SK"]["S"] == "TICKET")
        self.activity_template = next(i for i in items if i["SK"]["S"].startswith("ACT#"))

    def _activity(self, pk: str, now: datetime, change: str) -> dict[str, Any]:
        self._entry += 1
        act = copy.deepcopy(self.activity_template)
        act.update(
            {
                "PK": {"S": pk},
                "SK": {"S": f"ACT#{_iso(now)}#{self._entry:010d}.raw"},
                "at": {"S": _utc(now)},
                "change": {"S": change},
            }
        )
        return act

    def r_create(self, i: int) -> Any:
        from regentra.domain.ids import new_id

        ddb = self.ddb
        ddb.get_item(
            TableName=TABLE,
            ConsistentRead=True,
            Key={"PK": {"S": f"T#{TENANT}#CLIENTS"}, "SK": {"S": f"CLIENT#{self.client_id}"}},
        )
        counter = ddb.update_item(
            TableName=TABLE,
            Key={"PK": {"S": f"T#{TENANT}#COUNTER"}, "SK": {"S": "TICKET_NUMBER"}},
            UpdateExpression="ADD #v :one",
            ExpressionAttributeNames={"#v": "value"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
        ddb.get_item(
            TableName=TABLE,
            ConsistentRead=True,
            Key={"PK": {"S": f"T#{TENANT}#SETTINGS"}, "SK": {"S": "SLA"}},
        )
        now = datetime.now(UTC)
        tid = new_id(now)
        pk = f"T#{TENANT}#TICKET#{tid}"
        ticket = copy.deepcopy(self.ticket_template)
        ticket.update(
            {
                "PK": {"S": pk},
                "id": {"S": tid},
                "number": counter["Attributes"]["value"],
                "subject": {"S": f"Printer on floor {i % 7} offline"},
                "status": {"S": "OPEN"},
                "status_key": {"S": f"T#{TENANT}#S#OPEN"},
                "version": {"N": "1"},
                "created_at": {"S": _utc(now)},
                "updated_at": {"S": _utc(now)},
                "activity_key": {"S": f"{_iso(now)}#{tid}"},
            }
        )
        return ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": ticket,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": self._activity(pk, now, self.activity_template["change"]["S"]),
                    }
                },
            ]
        )

    def r_get(self, i: int) -> Any:
        tid = self.ticket_ids[i % len(self.ticket_ids)]
        return self.ddb.query(
            TableName=TABLE,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"T#{TENANT}#TICKET#{tid}"}},
            ConsistentRead=True,
        )

    def r_list(self, i: int) -> Any:
        return self.ddb.query(
            TableName=TABLE,
            IndexName="ByTenant",
            KeyConditionExpression="tenant_key = :tk",
            ExpressionAttributeValues={":tk": {"S": f"T#{TENANT}"}},
            ScanIndexForward=False,
            Limit=25,
        )

    def r_patch(self, i: int) -> Any:
        ddb = self.ddb
        tid = self.ticket_ids[i % len(self.ticket_ids)]
        pk = f"T#{TENANT}#TICKET#{tid}"
        item = ddb.get_item(
            TableName=TABLE, Key={"PK": {"S": pk}, "SK": {"S": "TICKET"}}, ConsistentRead=True
        )["Item"]
        self._subject += 1
        now = datetime.now(UTC)
        before, version = item["subject"]["S"], int(item["version"]["N"])
        subject = f"Renamed {self._subject}"
        item.update(
            {
                "subject": {"S": subject},
                "version": {"N": str(version + 1)},
                "updated_at": {"S": _utc(now)},
                "activity_key": {"S": f"{_iso(now)}#{tid}"},
            }
        )
        change = json.dumps({"field": "subject", "from": before, "to": subject})
        return ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": item,
                        "ConditionExpression": "#v = :v",
                        "ExpressionAttributeNames": {"#v": "version"},
                        "ExpressionAttributeValues": {":v": {"N": str(version)}},
                    }
                },
                {"Put": {"TableName": TABLE, "Item": self._activity(pk, now, change)}},
            ]
        )


class Sample:
    def __init__(self) -> None:
        self.total: list[int] = []  # wall time of the whole operation
        self.in_ddb: list[int] = []  # of which inside botocore's _make_api_call (serialise, HTTP, parse)
        self.invoke: list[int] = []  # handler only: of which inside FunctionHost.invoke
        self.calls: Counter[str] = Counter()


def measure(
    bench: Bench, handler: Callable[[int], Any], raw: Callable[[int], Any], n: int, start: int
) -> tuple[Sample, Sample]:
    rec = bench.recorder
    h, r = Sample(), Sample()

    def one(fn: Callable[[int], Any], s: Sample, i: int, is_handler: bool) -> None:
        with rec.recording() as calls:
            t0 = time.perf_counter_ns()
            fn(i)
            s.total.append(time.perf_counter_ns() - t0)
        s.in_ddb.append(rec.ns)
        s.calls[summarize_calls(calls)] += 1
        if is_handler:
            s.invoke.append(bench.invoke_ns)

    for k in range(n):
        i = start + k
        if k % 2 == 0:
            one(handler, h, i, True)
            one(raw, r, i, False)
        else:
            one(raw, r, i, False)
            one(handler, h, i, True)
    return h, r


def _call_mix(seen: Counter[str]) -> str:
    """The call sequence an operation sent; when it varied, each with how often."""
    total = sum(seen.values())
    return "; ".join(f"{k} ({v}/{total})" if len(seen) > 1 else k for k, v in seen.most_common())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="measured iterations per operation (default 200)")
    parser.add_argument("--seed", type=int, default=200, help="tickets seeded before measuring (default 200)")
    parser.add_argument(
        "--warmup", type=int, default=30, help="unmeasured iterations per operation (default 30)"
    )
    args = parser.parse_args()

    print(header("Regentra API latency: handler vs raw DynamoDB calls (DynamoDB Local, in memory)"))
    print(
        f"params:  n={args.n} measured per operation after warmup={args.warmup}, "
        f"seed={args.seed} tickets, one tenant"
    )
    print()
    started = time.perf_counter()

    os.environ.update(LAMBDA_ENV)
    import boto3

    from regentra.config import reset_settings
    from regentra.local.dynamodb_local import DynamoDBLocal
    from regentra.local.tables import ensure_tables
    from regentra.local.template import Template

    recorder = CallRecorder().install()
    t0 = time.perf_counter()
    ddb = DynamoDBLocal(data_dir=None).start()
    ddb_start_s = time.perf_counter() - t0
    try:
        os.environ["REGENTRA_DYNAMODB_ENDPOINT"] = ddb.endpoint
        reset_settings()
        ensure_tables(
            Template.load(REPO), boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name="us-east-1")
        )

        bench = Bench(ddb.endpoint, recorder)
        bench.client_id = bench.call("POST", "/clients", bench.admin, {"name": "Acme Dental"}, expect=201)[
            "id"
        ]
        t0 = time.perf_counter()
        for i in range(args.seed):
            bench.ticket_ids.append(bench.h_create(i)["id"])
        seed_s = time.perf_counter() - t0
        bench.capture_shapes()

        pairs = {
            "create": (bench.h_create, bench.r_create),
            "get": (bench.h_get, bench.r_get),
            "list": (bench.h_list, bench.r_list),
            "patch": (bench.h_patch, bench.r_patch),
        }
        for name in OPS:  # warm-up: first calls of each handler, JIT in the engine, connection pools
            measure(bench, *pairs[name], n=args.warmup, start=0)
        results = {name: measure(bench, *pairs[name], n=args.n, start=args.warmup) for name in OPS}
    finally:
        ddb.stop()

    rows = []
    for name in OPS:
        h, r = results[name]
        hp50, hp95 = percentile(_ms(h.total), 50), percentile(_ms(h.total), 95)
        rp50, rp95 = percentile(_ms(r.total), 50), percentile(_ms(r.total), 95)
        rows.append(
            [
                name,
                f"{hp50:.2f}",
                f"{hp95:.2f}",
                f"{rp50:.2f}",
                f"{rp95:.2f}",
                f"{hp50 / rp50:.2f}x",
                f"{hp95 / rp95:.2f}x",
            ]
        )
    print(
        table(
            rows, ["operation", "handler p50", "handler p95", "raw p50", "raw p95", "ratio p50", "ratio p95"]
        )
    )
    print()

    print("Where the handler's time goes (p50 ms; 'in DynamoDB calls' = inside botocore's _make_api_call:")
    print("serialise, HTTP to the engine, the engine, parse; 'gateway' = route, JWT, event building,")
    print("outside FunctionHost.invoke):")
    rows = []
    for name in OPS:
        h, r = results[name]
        outside = [t - d for t, d in zip(h.total, h.in_ddb, strict=True)]
        gateway = [t - v for t, v in zip(h.total, h.invoke, strict=True)]
        rows.append(
            [
                name,
                f"{percentile(_ms(h.total), 50):.2f}",
                f"{percentile(_ms(h.in_ddb), 50):.2f}",
                f"{percentile(_ms(outside), 50):.2f}",
                f"{percentile(_ms(gateway), 50):.2f}",
                f"{percentile(_ms(r.in_ddb), 50):.2f}",
            ]
        )
    print(
        table(
            rows,
            ["operation", "handler", "in DynamoDB calls", "outside them", "of which gateway", "raw in calls"],
        )
    )
    print()

    print("DynamoDB calls per operation (as sent; counts over the measured iterations):")
    rows = []
    for name in OPS:
        h, r = results[name]
        rows.append([name, _call_mix(h.calls), _call_mix(r.calls)])
    print(table(rows, ["operation", "handler", "raw"], right=set()))
    print()
    print(
        f"setup:   DynamoDB Local start {ddb_start_s:.1f} s, seeding {args.seed} tickets {seed_s:.1f} s; "
        f"total {time.perf_counter() - started:.1f} s; load at end {load_average()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
