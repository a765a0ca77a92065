"""Every AWS action a function was seen to call in the suite is allowed by its role in the
SAM-transformed template (else it would be AccessDenied in AWS), and the report lists what each role
grants that nothing used.

Run after the main suite, which recorded the calls (REGENTRA_IAM_AUDIT, regentra/local/iam_audit.py):

    REGENTRA_IAM_AUDIT=$PWD/test-artifacts/iam-calls pytest -q -n 2 tests/unit tests/integration tests/e2e
    REGENTRA_IAM_AUDIT=$PWD/test-artifacts/iam-calls pytest -q tests/iam
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sam_support import sam_transform

from regentra.local.iam_audit import ENV, read_invoked, read_records
from regentra.local.iam_policy import RolePolicy, decide, function_roles, unused_grants
from regentra.local.template import Template

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("REGENTRA_TEST_ARTIFACTS") or REPO / "test-artifacts")
REPORT = ARTIFACTS / "iam-report.md"


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    folder = os.environ.get(ENV)
    if not folder:
        pytest.fail(f"{ENV} is not set: run the main suite with {ENV}=<dir>, then tests/iam with the same")
    found = read_records(folder) if Path(folder).is_dir() else []
    if not found:
        pytest.fail(
            f"no IAM audit records in {folder} (*.jsonl): run the main suite first with {ENV}={folder} "
            "(tests/integration and tests/e2e invoke the functions)",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def invoked(records: list[dict[str, Any]]) -> set[str]:
    return read_invoked(os.environ[ENV])


@pytest.fixture(scope="module")
def roles() -> dict[str, RolePolicy]:
    return function_roles(sam_transform(Template.load().body))


def _where(row: dict[str, Any]) -> str:
    return f" on {row['resource']}" if row.get("resource") else ""


def report(
    records: list[dict[str, Any]], invoked: set[str], roles: dict[str, RolePolicy], problems: list[str]
) -> str:
    by_fn: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records:
        by_fn[row["function"]].append(row)
    pairs = {(r["function"], r["action"]) for r in records}
    never = sorted(set(roles) - invoked - set(by_fn))
    quiet = sorted((set(roles) & invoked) - set(by_fn))
    lines = [
        "# IAM: actions recorded in the suite vs. each function's role",
        "",
        f"- {len(pairs)} (function, action) pairs recorded ({len(records)} with their DynamoDB table/index), "
        f"from {len(by_fn)} of the template's {len(roles)} functions.",
        f"- Not allowed by the role (would be AccessDenied): {len(problems) or 'none'}.",
        f"- Functions never invoked in the suite ({len(never)}): {', '.join(never) or 'none'}.",
        f"- Invoked, but no AWS call recorded ({len(quiet)}): {', '.join(quiet) or 'none'}.",
        "- Granted, never used: the inline Allow actions no recorded call matched (on the tables or indexes",
        "  the statement names). Calls to AWS services the local stack replaces (S3, SES, SMS, EventBridge,",
        "  Step Functions, Bedrock) are recorded only where a test drives the real client in a function,",
        "  so those grants show as unused here.",
        "",
    ]
    if problems:
        lines += ["## Not allowed", "", *[f"- {p}" for p in problems], ""]
    lines += ["## Per function", "", "| function | recorded | granted, never used |", "|---|---|---|"]
    for fn in sorted(roles):
        used = sorted({r["action"] for r in by_fn.get(fn, [])})
        unused = unused_grants(roles[fn], [(r["action"], r.get("resource")) for r in by_fn.get(fn, [])])
        recorded = ", ".join(used) if used else "*(no call)*" if fn in invoked else "*(never invoked)*"
        lines.append(f"| {fn} | {recorded} | {', '.join(unused) or '—'} |")
    lines += ["", "## Recorded calls with their resources", ""]
    for fn in sorted(by_fn):
        calls = sorted(f"{r['action']}{_where(r)}" for r in by_fn[fn])
        managed = ", ".join(roles[fn].managed) if fn in roles else "?"
        lines += [f"- **{fn}** (managed: {managed}): " + "; ".join(calls)]
    return "\n".join(lines) + "\n"


def test_every_recorded_action_is_allowed_by_the_functions_role(
    records: list[dict[str, Any]], invoked: set[str], roles: dict[str, RolePolicy]
) -> None:
    problems = []
    for row in sorted(records, key=lambda r: (r["function"], r["action"], r.get("resource") or "")):
        role = roles.get(row["function"])
        if role is None:
            problems.append(f"{row['function']} called {row['action']} but is no function of template.yaml")
            continue
        decision = decide(role, row["action"], row.get("resource"))
        if not decision.allowed:
            problems.append(f"{row['function']} calls {row['action']}{_where(row)}: {decision.reason}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(records, invoked, roles, problems))
    assert not problems, f"{len(problems)} calls the roles do not allow (report: {REPORT}):\n" + "\n".join(
        problems
    )
