"""Cold start: what importing each handler costs in a fresh interpreter, next to boto3 alone.

For every function template.yaml names (Template.load().functions(): CodeUri + Handler), a new
.venv python process with a Lambda-like environment (the function's template environment
resolved as the local runtime does, POWERTOOLS_TRACE_DISABLED=true, cwd = CodeUri like the task
root) loads the handler file with importlib and times it with time.perf_counter (wall) and
time.process_time (CPU, steadier when the machine is busy). Reference rows:
`import boto3` alone (same method), the three big things every HTTP handler pulls in through
regentra.api.http, each alone, and the interpreter start alone (`python -c pass`, whole process
wall time: the floor under every cold start, not included in the import figures).

Each target is run RUNS times, round-robin across targets so drift lands on all of them;
the figure is the median. Then `-X importtime` runs (median of 3) of the heaviest handler
attribute its import time to modules (self time summed by top-level package, and the heaviest
subtrees: the largest cumulative imports, each shown once with what it nests folded in).

    .venv/bin/python bench/cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import LAMBDA_ENV, REPO, VENV_PYTHON, header, load_average, table  # noqa: E402

# Runs inside the fresh interpreter: time one import, print milliseconds as JSON.
IMPORT_FILE = """
import importlib.util, json, sys, time
c0, t0 = time.process_time(), time.perf_counter()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
sys.modules["app"] = mod
spec.loader.exec_module(mod)
getattr(mod, sys.argv[2])
ms = (time.perf_counter() - t0) * 1000
cpu = (time.process_time() - c0) * 1000
print(json.dumps({"ms": ms, "cpu_ms": cpu, "modules": len(sys.modules)}))
"""

IMPORT_MODULE = """
import importlib, json, sys, time
c0, t0 = time.process_time(), time.perf_counter()
importlib.import_module(sys.argv[1])
ms = (time.perf_counter() - t0) * 1000
cpu = (time.process_time() - c0) * 1000
print(json.dumps({"ms": ms, "cpu_ms": cpu, "modules": len(sys.modules)}))
"""


# Beside boto3: what every HTTP handler imports through regentra.api.http, alone.
REFERENCE_MODULES = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.idempotency.exceptions",
    "pydantic",
)


class Target:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, kind: str) -> None:
        self.name, self.argv, self.env, self.cwd, self.kind = name, argv, env, cwd, kind
        self.ms: list[float] = []
        self.cpu_ms: list[float] = []
        self.wall_ms: list[float] = []
        self.modules = 0


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    env.update(LAMBDA_ENV)
    env["PYTHONDONTWRITEBYTECODE"] = (
        "1"  # don't write .pyc; existing ones are used (warm disk, like a reused sandbox image)
    )
    return env


def targets() -> list[Target]:
    from regentra.local.functions import FunctionHost
    from regentra.local.template import Template

    template = Template.load(REPO)
    host = FunctionHost(template, {n: n for n in template.tables()}, fallback_env=dict(LAMBDA_ENV))
    out = [
        Target(
            "interpreter start (python -c pass)", [str(VENV_PYTHON), "-c", "pass"], _base_env(), REPO, "floor"
        ),
        Target("import boto3", [str(VENV_PYTHON), "-c", IMPORT_MODULE, "boto3"], _base_env(), REPO, "ref"),
    ]
    out += [
        Target(f"import {m}", [str(VENV_PYTHON), "-c", IMPORT_MODULE, m], _base_env(), REPO, "ref")
        for m in REFERENCE_MODULES
    ]
    for logical, spec in sorted(template.functions().items()):
        module, _, attr = spec.handler.rpartition(".")
        path = spec.code_uri / (module.replace(".", "/") + ".py")
        env = _base_env() | host.environment(spec)
        out.append(
            Target(
                logical, [str(VENV_PYTHON), "-c", IMPORT_FILE, str(path), attr], env, spec.code_uri, "handler"
            )
        )
    return out


def run_once(t: Target, extra: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [t.argv[0], *(extra or []), *t.argv[1:]]
    return subprocess.run(argv, env=t.env, cwd=t.cwd, capture_output=True, text=True, check=False)


def measure(ts: list[Target], runs: int) -> None:
    for _ in range(runs):
        for t in ts:
            t0 = time.perf_counter()
            proc = run_once(t)
            t.wall_ms.append((time.perf_counter() - t0) * 1000)
            if proc.returncode != 0:
                raise SystemExit(f"{t.name} failed to import:\n{proc.stderr[-2000:]}")
            if t.kind != "floor":
                out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
                t.ms.append(float(out["ms"]))
                t.cpu_ms.append(float(out["cpu_ms"]))
                t.modules = int(out["modules"])


class ImportTree:
    """-X importtime of one target: per module the median self and cumulative time over the runs,
    its depth, and the module that first imported it (from the first run's tree)."""

    def __init__(self, t: Target, runs: int) -> None:
        seen: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.depth: dict[str, int] = {}
        self.parent: dict[str, str] = {}
        for run in range(runs):
            proc = run_once(t, ["-X", "importtime"])
            pending: list[tuple[int, str]] = []  # children are printed before their parent
            for line in proc.stderr.splitlines():
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                self_us, cum_us, raw = line[len("import time:") :].split("|")
                name, depth = raw.strip(), (len(raw) - len(raw.lstrip(" ")) - 1) // 2
                seen[name].append((int(self_us), int(cum_us)))
                if run == 0:
                    self.depth[name] = depth
                    while pending and pending[-1][0] > depth:
                        self.parent[pending.pop()[1]] = name
                    pending.append((depth, name))
        self.self_us = {n: int(statistics.median(v[0] for v in vals)) for n, vals in seen.items()}
        self.cum_us = {n: int(statistics.median(v[1] for v in vals)) for n, vals in seen.items()}

    def chain(self, name: str) -> list[str]:
        """`name`, the module that imported it, and so on up to the handler's own import."""
        out = [name]
        while out[-1] in self.parent:
            out.append(self.parent[out[-1]])
        return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per target (default 5)")
    parser.add_argument("--top", type=int, default=10, help="rows in the attribution tables (default 10)")
    args = parser.parse_args()

    print(header("Regentra cold start: handler import time in a fresh interpreter"))
    print(
        f"params:  median of {args.runs} fresh processes per target, round-robin; .pyc present; "
        "POWERTOOLS_TRACE_DISABLED=true"
    )
    print()
    started = time.perf_counter()
    ts = targets()
    measure(ts, args.runs)

    floor = next(t for t in ts if t.kind == "floor")
    boto = next(t for t in ts if t.name == "import boto3")
    boto_ms, boto_cpu = median(boto.ms), median(boto.cpu_ms)
    rows = [[floor.name, "-", "-", "-", "-", f"{median(floor.wall_ms):.1f}", "-"]]
    refs = [t for t in ts if t.kind == "ref" and t is not boto]
    handlers = sorted((t for t in ts if t.kind == "handler"), key=lambda t: -median(t.cpu_ms))
    for t in [boto, *refs, *handlers]:
        ms, cpu = median(t.ms), median(t.cpu_ms)
        rows.append(
            [
                t.name,
                f"{ms:.1f}",
                f"{ms / boto_ms:.2f}x",
                f"{cpu:.1f}",
                f"{cpu / boto_cpu:.2f}x",
                f"{median(t.wall_ms):.1f}",
                str(t.modules),
            ]
        )
    head = ["target", "import ms", "vs boto3", "import CPU ms", "vs boto3", "process wall ms", "modules"]
    print(table(rows, head))
    print()
    print("import ms: time.perf_counter around the import, inside the process (interpreter start excluded).")
    print("import CPU ms: time.process_time around the same import; steadier than wall time when the")
    print("machine is busy. process wall ms: spawn to exit seen from outside (start + import + teardown).")
    print("modules: len(sys.modules) after the import. Figures are medians.")
    print()

    heavy = handlers[0]
    tree = ImportTree(heavy, 3)
    total_us = sum(tree.self_us.values())
    by_pkg: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for name, us in tree.self_us.items():
        by_pkg[name.split(".")[0]] += us
        count[name.split(".")[0]] += 1
    print(
        f"-X importtime of {heavy.name} (the heaviest by CPU), median of 3 runs: "
        f"{len(tree.self_us)} modules, {total_us / 1000:.1f} ms self time in all"
    )
    print("(-X importtime inflates every figure; read the shares, not the milliseconds).")
    print()
    rows = [
        [pkg, f"{us / 1000:.1f}", f"{100 * us / total_us:.0f}%", str(count[pkg])]
        for pkg, us in sorted(by_pkg.items(), key=lambda kv: -kv[1])[: args.top]
    ]
    print(table(rows, ["top-level package", "self ms", "share", "modules"]))
    print()
    rows = [
        [name, f"{us / 1000:.1f}", f"{tree.cum_us[name] / 1000:.1f}"]
        for name, us in sorted(tree.self_us.items(), key=lambda kv: -kv[1])[: args.top]
    ]
    print(table(rows, ["module (by self time)", "self ms", "cumulative ms"]))
    print()
    # Where regentra (or the handler file) reaches into another package, and what that import cost.
    # A dependency shared by two such imports is charged to whichever ran first.
    rows = []
    for name, cum in sorted(tree.cum_us.items(), key=lambda kv: -kv[1]):
        parent = tree.parent.get(name)
        ours = parent is None or parent.split(".")[0] == "regentra"
        if not ours or name.split(".")[0] in ("regentra", "encodings", "site", "sitecustomize"):
            continue
        rows.append([name, f"{cum / 1000:.1f}", f"{100 * cum / total_us:.0f}%", parent or "(handler file)"])
        if len(rows) == args.top:
            break
    print(table(rows, ["imported from regentra code", "cumulative ms", "share", "by"], right={1, 2}))
    print()
    for name in ("boto3", "s3transfer"):
        if name in tree.cum_us:
            print(f"why {name} is loaded: " + " <- ".join(tree.chain(name)))
    print()
    print(f"total {time.perf_counter() - started:.1f} s; load at end {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
