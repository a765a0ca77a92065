"""What the benchmarks share: the run header (date, machine, command), percentiles, the
Lambda-like environment, and a recorder of the DynamoDB calls botocore actually sends.

Nothing here passes or fails; the benchmarks print figures for a human to read.
"""

from __future__ import annotations

import os
import platform
import shlex
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"

# The environment a deployed function sees (template.yaml Globals), with local values for what
# only AWS can resolve. The benchmarks never talk to AWS.
LAMBDA_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "RegentraTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "CURSOR_SECRET": "bench-cursor-secret",
    "POWERTOOLS_SERVICE_NAME": "regentra",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_NAMESPACE": "Regentra",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def header(title: str) -> str:
    """Date, machine and command, so a figure can be compared only with its like."""
    # what `nproc` reports (CPUs this process may use); cpu_count where affinity is unknown
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        mem = f" / {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    try:
        command = shlex.join([os.path.relpath(sys.executable, REPO), *sys.argv])
    except ValueError:
        command = shlex.join([sys.executable, *sys.argv])
    lines = [
        title,
        f"date:    {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine: {cores} cores{mem}, {platform.machine()}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}",
        f"command: {command}",
        f"load:    {load_average()} (1/5/15 min) at start; other work on the machine skews figures",
    ]
    return "\n".join(lines)


def load_average() -> str:
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def percentile(values: list[float], p: float) -> float:
    """p-th percentile, linear interpolation between closest ranks (statistics.quantiles, inclusive)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[int(p) - 1] if 1 <= p <= 99 else (min(values) if p <= 0 else max(values))


def table(rows: list[list[str]], head: list[str], right: set[int] | None = None) -> str:
    right = right if right is not None else set(range(1, len(head)))
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def fmt(r: list[str]) -> str:
        cells = (
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    return "\n".join([fmt(head), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)])


class CallRecorder:
    """Counts the DynamoDB operations botocore sends (pynamodb and boto3 both end in
    BaseClient._make_api_call), so each measured operation can show what it really cost."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.ns = 0  # time spent inside the recorded calls (serialise, send, wait, parse)
        self._on = False
        self._lock = threading.Lock()
        self._installed = False

    def install(self) -> CallRecorder:
        if self._installed:
            return self
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        recorder = self

        def recording(client: Any, operation_name: str, api_params: Any) -> Any:
            if not recorder._on:
                return original(client, operation_name, api_params)
            t0 = time.perf_counter_ns()
            try:
                return original(client, operation_name, api_params)
            finally:
                with recorder._lock:
                    recorder.calls.append(operation_name)
                    recorder.ns += time.perf_counter_ns() - t0

        setattr(BaseClient, "_make_api_call", recording)  # noqa: B010 (patched on purpose)
        self._installed = True
        return self

    @contextmanager
    def recording(self) -> Iterator[list[str]]:
        self.calls = []
        self.ns = 0
        self._on = True
        try:
            yield self.calls
        finally:
            self._on = False


def summarize_calls(calls: list[str]) -> str:
    """['GetItem', 'UpdateItem', 'GetItem'] -> 'GetItem x2 + UpdateItem' (in first-seen order)."""
    counts: dict[str, int] = {}
    for c in calls:
        counts[c] = counts.get(c, 0) + 1
    return " + ".join(f"{k} x{n}" if n > 1 else k for k, n in counts.items()) or "-"
