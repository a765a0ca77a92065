"""SLA sweep: what the sweep reads from the sparse DueTimers index against what is due, what it
costs per due ticket, and what a Scan-based sweep would read instead; then the calendar
functions' cost for a 10,000-hour target (bench/calendar_cost.measure()).

Starts its own in-memory DynamoDB Local (tables from template.yaml) and loads TICKETS ticket
items (domain Tickets with a started SLA, converted with `ticket_to_item`, so every key and the
due slot come from the repository's own code), written with pynamodb `batch_write` (25 items a
call) from THREADS threads. Of them, DUE_PERCENT % have their next SLA moment (a response timer
turning AT_RISK, not yet noticed) at or before the sweep's `now`; every other ticket has its next
moment ahead of `now`. The due count is computed independently in Python (`next_due` of every
generated ticket) and printed beside what the sweep read.

Measured, in one run, on the same table:
  index reads   `DynamoTicketRepository.due("sla", bound)` alone (no writes) at several bounds
                around `now`: items read against the due count at that bound;
  scan baseline a full-table Scan with the filter a Scan-based sweep would need
                (due_kind = sla AND due_key <= bound): ScannedCount, read units, time. It runs
                as SCAN_SEGMENTS segments one after another: DynamoDB Local's plain Scan costs it
                time quadratic in the table size (a one-segment Scan of 100,000 tickets took 300 s);
  sweep         `run_sla_sweep(deps, now)` (index Query per shard, then GetItem + a conditional
                TransactWriteItems per due ticket): JobResult, the DynamoDB calls it sent with
                their read/write units as the engine reports them, wall time per due ticket;
  sweep again   right after, with the same `now`;
  calendar      add()/elapsed() for a 10,000-business-hour target against a 10-hour baseline.

DynamoDB Local is not DynamoDB: its milliseconds are a local JVM's. Item counts, call counts and
capacity units are the figures that carry over. No pass/fail: read the figures.

    .venv/bin/python bench/sla_sweep.py [--tickets 100000] [--due-percent 1] [--tenants 4]
                                        [--threads 2] [--calendar-runs 20] [--scan-segments 32]
"""

from __future__ import annotations

import argparse
import bisect
import os
import queue
import random
import statistics
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import LAMBDA_ENV, REPO, header, load_average, table  # noqa: E402

TABLE = "RegentraTable"
# A Wednesday noon (UTC): inside the default policy's Mon-Fri 09:00-17:00 UTC business hours, so
# business-hour priorities have moments on the same day.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Bounds the read-only index pass is run at (minutes from NOW), to show reads follow the due count.
BOUNDS_MIN = (-4, -2, 0, 3)


# --- what the DynamoDB calls cost ---------------------------------------------------------------


@dataclass
class OpStats:
    calls: int = 0
    ns: int = 0
    count: int = 0  # items returned (Query/Scan "Count")
    scanned: int = 0  # items read before any filter (Query/Scan "ScannedCount")
    units: float = 0.0  # ConsumedCapacity.CapacityUnits, as the engine reports it


class Meter:
    """Wraps botocore's BaseClient._make_api_call (pynamodb and boto3 both end there) and sums,
    per DynamoDB operation, calls, time inside the call, Count/ScannedCount and capacity units.
    pynamodb asks for ReturnConsumedCapacity=TOTAL on every call; the boto3 calls here do too."""

    def __init__(self) -> None:
        self.ops: dict[str, OpStats] = {}
        self._on = False
        self._lock = threading.Lock()

    def install(self) -> Meter:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        meter = self

        def metered(client: Any, operation_name: str, api_params: Any) -> Any:
            if not meter._on:
                return original(client, operation_name, api_params)
            t0 = time.perf_counter_ns()
            response: dict[str, Any] = {}
            try:
                response = original(client, operation_name, api_params)
                return response
            finally:
                dt = time.perf_counter_ns() - t0
                with meter._lock:
                    s = meter.ops.setdefault(operation_name, OpStats())
                    s.calls += 1
                    s.ns += dt
                    s.count += int(response.get("Count", 0))
                    s.scanned += int(response.get("ScannedCount", 0))
                    cap = response.get("ConsumedCapacity")
                    for c in cap if isinstance(cap, list) else [cap] if cap else []:
                        s.units += float(c.get("CapacityUnits", 0.0))

        setattr(BaseClient, "_make_api_call", metered)  # noqa: B010 (patched on purpose)
        return self

    @contextmanager
    def measuring(self) -> Iterator[dict[str, OpStats]]:
        self.ops = {}
        self._on = True
        try:
            yield self.ops
        finally:
            self._on = False


def ops_table(ops: dict[str, OpStats], per: int | None = None) -> str:
    head = ["operation", "calls", "items returned", "items read", "capacity units", "ms in calls"]
    if per:
        head += ["calls / due", "units / due", "ms / due"]
    rows = []
    for name, s in ops.items():
        row = [
            name,
            f"{s.calls:,}",
            f"{s.count:,}" if name in ("Query", "Scan") else "-",
            f"{s.scanned:,}" if name in ("Query", "Scan") else "-",
            f"{s.units:,.1f}",
            f"{s.ns / 1e6:,.1f}",
        ]
        if per:
            row += [f"{s.calls / per:.2f}", f"{s.units / per:.2f}", f"{s.ns / 1e6 / per:.2f}"]
        rows.append(row)
    return table(rows, head)


# --- the data ----------------------------------------------------------------------------------


@dataclass
class Generated:
    moments: list[str] = field(default_factory=list)  # iso of every ticket's next SLA moment, sorted
    kinds: dict[str, int] = field(default_factory=lambda: {"due": 0, "fresh": 0, "noticed": 0})
    after_sweep: list[datetime] = field(default_factory=list)  # due tickets' next moment once swept
    build_cpu_s: float = 0.0  # main-thread CPU spent building Tickets, next_due and ticket_to_item


def tickets(n: int, due_n: int, tenants: int, seed: int = 7) -> Iterator[tuple[str, Any]]:
    """(kind, Ticket) for n tickets whose next SLA moment is set by priority and creation time:

    due (due_n, every n/due_n-th): response at-risk passed, not yet noticed; breach still ahead.
        CRITICAL (24x7: response 30 min, at risk at 75% = 22.5) created 23-28 min before NOW, or
        HIGH (business: response 60 min, at risk at 45) created 46-56 business minutes before.
    fresh (about half the rest): created 0-20 min before NOW, all four priorities: at-risk ahead.
    noticed (the other half): CRITICAL/HIGH as 'due', but an earlier sweep already noticed the
        response at-risk (at_risk_notified): their next moment is the response breach, ahead.
    """
    from regentra.domain.enums import Channel, Priority, Status
    from regentra.domain.ids import new_id
    from regentra.domain.sla import start_sla
    from regentra.domain.sla_policy import default_sla_policy
    from regentra.domain.tickets import Ticket

    rng = random.Random(seed)
    policy = default_sla_policy()
    stride = n // due_n if due_n else n + 1
    numbers = [0] * tenants
    priorities = [Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL]
    for i in range(n):
        t = i % tenants
        if i % stride == 0 and i // stride < due_n:
            kind = "due"
        else:
            kind = "fresh" if rng.random() < 0.5 else "noticed"
        if kind == "fresh":
            priority = priorities[i % 4]
            created = NOW - timedelta(seconds=rng.randrange(0, 1200))
        else:
            priority = Priority.CRITICAL if rng.random() < 0.5 else Priority.HIGH
            if priority == Priority.CRITICAL:
                created = NOW - timedelta(minutes=23, seconds=rng.randrange(0, 300))
            else:
                created = NOW - timedelta(minutes=46, seconds=rng.randrange(0, 600))
        sla = start_sla(policy, "default", priority, created)
        if kind == "noticed":
            sla = replace(sla, response=replace(sla.response, at_risk_notified=True))
        numbers[t] += 1
        yield (
            kind,
            Ticket(
                tenant_id=f"t-bench-{t}",
                id=new_id(created, rng.randbytes(10)),
                number=numbers[t],
                subject=f"Printer on floor {i % 7} offline",
                description="The office printer shows an error and drops jobs since this morning.",
                status=Status.OPEN,
                priority=priority,
                channel=Channel.EMAIL,
                client_id=f"client-{i % 25}",
                created_at=created,
                updated_at=created,
                sla=sla.to_dict(),
                version=1,
            ),
        )


def build_and_load(n: int, due_n: int, tenants: int, threads: int) -> Generated:
    """Build the tickets in this thread while `threads` threads write them with pynamodb
    batch_write (25 items a BatchWriteItem): Python builds while the engine writes."""
    from regentra.adapters.dynamo.items import TicketItem
    from regentra.adapters.dynamo.repository import ticket_to_item
    from regentra.clock import iso
    from regentra.domain import sla as sla_rules
    from regentra.domain.tickets import DUE_SLA, next_due

    gen = Generated()
    work: queue.Queue[list[Any] | None] = queue.Queue(maxsize=16)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with TicketItem.batch_write() as batch:
                while (chunk := work.get()) is not None:
                    for item in chunk:
                        batch.save(item)
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            errors.append(exc)
            while work.get() is not None:  # keep draining so the producer never blocks
                pass

    pool = [threading.Thread(target=writer, daemon=True) for _ in range(threads)]
    for th in pool:
        th.start()
    cpu0 = time.thread_time()
    chunk: list[Any] = []
    for kind, ticket in tickets(n, due_n, tenants):
        due = next_due(ticket)  # the due count, computed here in Python, apart from the table
        if due is None or due[0] != DUE_SLA:
            raise SystemExit(f"setup error: a {kind} ticket has no SLA moment: {due}")
        gen.moments.append(iso(due[1]) or "")
        gen.kinds[kind] += 1
        if kind == "due":  # where the sweep will move its entry: the first moment after noticing
            swept, _ = sla_rules.evaluate(sla_rules.TicketSla.from_dict(ticket.sla or {}), NOW)
            moment = sla_rules.next_moment(swept, NOW)
            if moment is not None:
                gen.after_sweep.append(moment)
        chunk.append(ticket_to_item(ticket))
        if len(chunk) == 500:
            gen.build_cpu_s += time.thread_time() - cpu0
            work.put(chunk)
            cpu0, chunk = time.thread_time(), []
    gen.build_cpu_s += time.thread_time() - cpu0
    work.put(chunk)
    for _ in pool:
        work.put(None)
    for th in pool:
        th.join()
    if errors:
        raise errors[0]
    gen.moments.sort()
    return gen


def due_by(moments: list[str], bound: datetime) -> int:
    """Moments at or before `bound`, compared as the index compares them (iso, milliseconds)."""
    from regentra.clock import iso

    return bisect.bisect_right(moments, iso(bound) or "")


# --- measurements ------------------------------------------------------------------------------


def table_counts(ddb: Any) -> tuple[int, int, int]:
    """(table items, table bytes, DueTimers index entries) as DescribeTable reports them: free,
    where counting the index with Query pages costs DynamoDB Local tens of seconds."""
    t = ddb.describe_table(TableName=TABLE)["Table"]
    due = next(g for g in t.get("GlobalSecondaryIndexes", []) if g["IndexName"] == "DueTimers")
    return int(t["ItemCount"]), int(t.get("TableSizeBytes", 0)), int(due.get("ItemCount", 0))


def scan_sweep_read(ddb: Any, kind: str, bound: datetime, segments: int) -> tuple[int, int]:
    """What a Scan-based sweep would do to find the due tickets: read the whole table, keep
    due_kind = kind AND due_key <= bound. A parallel Scan of `segments` segments, run one segment
    after another: DynamoDB Local answers each page of a plain Scan by reading every item left
    after the start key, so one segment costs it time quadratic in the table size (real DynamoDB
    reads only the page). Same items, same filter either way. Returns (matched, pages)."""
    from regentra.clock import iso

    matched, pages = 0, 0
    for segment in range(segments):
        start = None
        while True:
            args: dict[str, Any] = {
                "TableName": TABLE,
                "FilterExpression": "due_kind = :k AND due_key <= :b",
                "ProjectionExpression": "tenant_id, #i",
                "ExpressionAttributeNames": {"#i": "id"},
                "ExpressionAttributeValues": {":k": {"S": kind}, ":b": {"S": f"{iso(bound)}~"}},
                "ReturnConsumedCapacity": "TOTAL",
                "Segment": segment,
                "TotalSegments": segments,
            }
            if start:
                args["ExclusiveStartKey"] = start
            r = ddb.scan(**args)
            pages += 1
            matched += len(r["Items"])
            start = r.get("LastEvaluatedKey")
            if not start:
                break
    return matched, pages


def _min(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:.1f} min"


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=100_000, help="ticket items in the table (100000)")
    parser.add_argument("--due-percent", type=float, default=1.0, help="%% of them due at `now` (1)")
    parser.add_argument("--tenants", type=int, default=4, help="tenants the tickets spread over (4)")
    parser.add_argument("--threads", type=int, default=2, help="batch_write threads for the load (2)")
    parser.add_argument("--calendar-runs", type=int, default=20, help="runs calendar_cost averages (20)")
    parser.add_argument("--index-repeats", type=int, default=3, help="read-only index passes per bound (3)")
    parser.add_argument("--scan-segments", type=int, default=32, help="segments of the baseline Scan (32)")
    args = parser.parse_args()
    due_n = round(args.tickets * args.due_percent / 100)

    print(header("Regentra SLA sweep: due-index reads vs due count, per-ticket cost, Scan baseline"))
    print(
        f"params:  {args.tickets:,} tickets over {args.tenants} tenants, {due_n:,} due "
        f"({args.due_percent:g}%) at now = {NOW.isoformat()}, load with {args.threads} threads, "
        f"calendar runs {args.calendar_runs}"
    )
    print()
    started = time.perf_counter()

    os.environ.update(LAMBDA_ENV)
    import boto3

    from regentra.adapters.dynamo.connection import ensure_configured
    from regentra.adapters.dynamo.items import DUE_SHARDS
    from regentra.adapters.dynamo.repository import DynamoTicketRepository
    from regentra.clock import iso
    from regentra.config import reset_settings
    from regentra.domain.tickets import DUE_SLA
    from regentra.local.dynamodb_local import DynamoDBLocal
    from regentra.local.tables import ensure_tables
    from regentra.local.template import Template
    from regentra.services.deps import default_deps, reset_deps
    from regentra.services.sla_jobs import run_sla_sweep

    meter = Meter().install()

    t0 = time.perf_counter()
    ddb_local = DynamoDBLocal(data_dir=None).start()
    ddb_start_s = time.perf_counter() - t0
    try:
        os.environ["REGENTRA_DYNAMODB_ENDPOINT"] = ddb_local.endpoint
        reset_settings()
        reset_deps()
        ddb = boto3.client("dynamodb", endpoint_url=ddb_local.endpoint, region_name="us-east-1")
        ensure_tables(Template.load(REPO), ddb)
        ensure_configured()

        # 1. the data: built in Python while the engine writes it
        t0 = time.perf_counter()
        with meter.measuring() as load_ops:
            gen = build_and_load(args.tickets, due_n, args.tenants, args.threads)
        load_s = time.perf_counter() - t0
        stored, stored_bytes, index_total = table_counts(ddb)
        due_python = due_by(gen.moments, NOW)
        bw = load_ops["BatchWriteItem"]
        first_ahead = next((m for m in gen.moments if m > (iso(NOW) or "")), None)

        print("Data")
        print(
            f"  {args.tickets:,} tickets built (Ticket + next_due + ticket_to_item: "
            f"{gen.build_cpu_s:.1f} s CPU in the main thread)\n  while {args.threads} threads wrote them "
            f"with TicketItem.batch_write():"
        )
        print(
            f"  BatchWriteItem x{bw.calls:,} (25 items each) in {load_s:.1f} s wall = "
            f"{args.tickets / load_s:,.0f} items/s;\n  {bw.ns / 1e9:.1f} s inside the calls summed over "
            f"threads ({bw.ns / 1e6 / bw.calls:.1f} ms per call, {bw.units:,.0f} write units reported)"
        )
        print(
            f"  DescribeTable: {stored:,} items, {stored_bytes / max(stored, 1):,.0f} bytes per item on "
            f"average; DueTimers index: {index_total:,} entries (every ticket has a next SLA moment)"
        )
        print(
            f"  kinds: due {gen.kinds['due']:,} (response at-risk passed, not noticed) | "
            f"fresh {gen.kinds['fresh']:,} (at-risk ahead) | noticed {gen.kinds['noticed']:,} "
            f"(at-risk noticed earlier, breach ahead)"
        )
        print(
            f"  due at now: by design {gen.kinds['due']:,}; by next_due() of every generated ticket "
            f"in Python {due_python:,}; first moment after now: {first_ahead}"
        )
        if due_python != gen.kinds["due"] or index_total != args.tickets or stored != args.tickets:
            print("  SETUP MISMATCH: the figures below do not describe the intended table")
        print()

        repo = DynamoTicketRepository()

        # 3. read-only index passes at several bounds, then the Scan baseline, same table state
        rows = []
        now_row: dict[str, Any] = {}
        for minutes in BOUNDS_MIN:
            bound = NOW + timedelta(minutes=minutes)
            times, read, q = [], 0, OpStats()
            for _ in range(args.index_repeats):
                with meter.measuring() as pass_ops:
                    t0 = time.perf_counter()
                    read = sum(1 for _ in repo.due(DUE_SLA, bound))
                    times.append(time.perf_counter() - t0)
                q = pass_ops.get("Query", OpStats())
            med = statistics.median(times)
            expected = due_by(gen.moments, bound)
            rows.append(
                [
                    f"now{minutes:+d} min" if minutes else "now",
                    f"{expected:,}",
                    f"{read:,}",
                    f"{read / args.tickets:.2%}",
                    f"{q.calls}",
                    f"{q.units:,.1f}",
                    f"{med * 1e3:,.1f}",
                    f"{med * 1e6 / read:,.0f}" if read else "-",
                ]
            )
            if minutes == 0:
                now_row = {"read": read, "units": q.units, "calls": q.calls, "s": med}

        with meter.measuring() as scan_ops:
            t0 = time.perf_counter()
            matched, pages = scan_sweep_read(ddb, DUE_SLA, NOW, args.scan_segments)
            scan_s = time.perf_counter() - t0
        sc = scan_ops["Scan"]
        rows.append(
            [
                f"Scan ({args.scan_segments} seg), now",
                f"{due_python:,}",
                f"{sc.scanned:,}",
                f"{sc.scanned / args.tickets:.2%}",
                f"{sc.calls}",
                f"{sc.units:,.1f}",
                f"{scan_s * 1e3:,.1f}",
                f"{scan_s * 1e6 / matched:,.0f}" if matched else "-",
            ]
        )
        print(
            f"Finding the due tickets, read-only (index: DynamoTicketRepository.due, {DUE_SHARDS} shards, "
            f"median of {args.index_repeats} passes;\n  Scan: one full pass with the filter "
            f"due_kind = 'sla' AND due_key <= now, {pages} pages, {matched:,} items matched)"
        )
        print(
            table(
                rows,
                [
                    "bound",
                    "due (Python)",
                    "items read",
                    "of table",
                    "calls",
                    "read units",
                    "ms",
                    "us / due",
                ],
            )
        )
        if now_row.get("read") and now_row.get("units"):
            print(
                f"  at now, index / Scan: items read {now_row['read']:,} / {sc.scanned:,} = "
                f"{now_row['read'] / sc.scanned:.4f} (1:{sc.scanned / now_row['read']:,.0f});\n  "
                f"read units {now_row['units']:,.1f} / {sc.units:,.1f} = {now_row['units'] / sc.units:.4f} "
                f"(1:{sc.units / now_row['units']:,.0f}); time {now_row['s'] * 1e3:,.1f} / "
                f"{scan_s * 1e3:,.1f} ms (1:{scan_s / now_row['s']:,.0f})"
            )
        print()

        # 4. the sweep, then the same sweep again
        deps = default_deps()
        sweeps = (
            ("sweep 1", f"due by Python: {due_python:,}"),
            ("sweep 2 (right after, same now)", "due and not yet noticed: 0, sweep 1 noticed them"),
        )
        for label, note in sweeps:
            with meter.measuring() as ops:
                t0 = time.perf_counter()
                result = run_sla_sweep(deps, NOW)
                wall = time.perf_counter() - t0
            in_calls = sum(s.ns for s in ops.values()) / 1e9
            print(
                f"{label}: run_sla_sweep(deps, now) -> read {result.read:,} due-index entries "
                f"({note}),\n  changed {result.changed:,} tickets, "
                f"{result.events:,} events"
            )
            if result.read:
                print(
                    f"  wall {fmt_s(wall)} = {wall * 1e3 / result.read:.2f} ms per due ticket "
                    f"({result.read / wall:,.0f} due tickets/s);\n  inside DynamoDB calls {fmt_s(in_calls)}, "
                    f"outside them (Python) {fmt_s(wall - in_calls)} = "
                    f"{(wall - in_calls) * 1e3 / result.read:.2f} ms per due ticket"
                )
            else:
                print(f"  wall {fmt_s(wall)}; inside DynamoDB calls {fmt_s(in_calls)}")
            print("  " + ops_table(ops, per=result.read or None).replace("\n", "\n  "))
            print()

        after_items, _, after_total = table_counts(ddb)
        lo, hi = min(gen.after_sweep, default=NOW), max(gen.after_sweep, default=NOW)
        why = (
            f"Why sweep 2 reads nothing: each shard's Query is bounded by due_key <= '{iso(NOW)}~' and "
            f"stops at the first key past it. Sweep 1 saved each due ticket with its response "
            f"at_risk_notified, so ticket_to_item moved its index entry to its next moment, the response "
            f"breach: now+{_min(lo - NOW)} .. now+{_min(hi - NOW)} (computed in Python). The index still "
            f"holds {after_total:,} entries (the table {after_items:,} items, with the activity and outbox "
            f"items sweep 1 wrote), none at or before now: the {gen.kinds['noticed']:,} 'noticed' (breach "
            f"ahead) and {gen.kinds['fresh']:,} 'fresh' (at-risk ahead) lie past the bound, and neither "
            f"sweep read them."
        )
        print(textwrap.fill(why, width=104))
        print()
    finally:
        ddb_local.stop()

    # 5. the calendar functions
    from calendar_cost import measure

    r = measure(runs=args.calendar_runs)
    print(
        f"Calendar cost (bench/calendar_cost.measure): Europe/Berlin Mon-Fri 09:00-17:00 with holidays, "
        f"mean of {r['runs']} runs"
    )
    print(
        f"  {r['hours']:,} business hours span {r['calendar_days_spanned']:,} calendar days (due {r['due']})"
    )
    for op in ("add", "elapsed"):
        big, small, ratio = float(r[f"{op}_s"]), float(r[f"{op}_baseline_s"]), float(r[f"{op}_ratio"])
        print(
            f"  {op:>7}: {big * 1e3:8.3f} ms for {r['hours']:,} h | "
            f"{small * 1e6:8.1f} us for {r['baseline_hours']} h | ratio {ratio:7.1f}x"
        )
    print()
    print(
        f"setup: DynamoDB Local start {ddb_start_s:.1f} s; total {time.perf_counter() - started:.1f} s; "
        f"load at end {load_average()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
