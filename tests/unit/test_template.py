"""template.yaml is deployable and safe: it lints, transforms with SAM offline, every handler exists,
routes are unique and complete, IAM is explicit, and the table is protected. No AWS calls."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sam_support import sam_transform

from regentra.local.template import Template

FUNCTION = "AWS::Serverless::Function"
TABLE = "RegentraTable"
API = "HttpApi"

# The foundation's routes (API.md "Tickets" and "Clients, contacts, settings ...").
REQUIRED_ROUTES = {
    ("POST", "/tickets"), ("GET", "/tickets"), ("GET", "/tickets/{id}"), ("PATCH", "/tickets/{id}"),
    ("POST", "/clients"), ("GET", "/clients"), ("GET", "/clients/{id}"), ("PATCH", "/clients/{id}"),
    ("POST", "/contacts"), ("GET", "/contacts"), ("GET", "/contacts/{id}"), ("PATCH", "/contacts/{id}"),
    ("GET", "/settings/channels"), ("PUT", "/settings/channels"),
}  # fmt: skip

# The only routes open without a JWT (event `Auth: {Authorizer: NONE}`): live chat for visitors, who
# have no account; their X-Chat-Token opens one session. Every other route carries the authorizer.
PUBLIC_ROUTES = {
    ("POST", "/chat/visitor/sessions"), ("GET", "/chat/visitor/sessions/{id}"),
    ("POST", "/chat/visitor/sessions/{id}/messages"), ("POST", "/chat/visitor/sessions/{id}/end"),
}  # fmt: skip


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template.load()  # repo root found from the package's location


@pytest.fixture(scope="module")
def functions(tpl: Template) -> dict[str, dict[str, Any]]:
    found = {k: v.get("Properties", {}) for k, v in tpl.of_type(FUNCTION).items()}
    assert found, "template.yaml declares no functions"
    return found


def http_events(functions: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (fn, name, ev.get("Properties", {}))
        for fn, props in functions.items()
        for name, ev in (props.get("Events") or {}).items()
        if ev.get("Type") == "HttpApi"
    ]


# --- (a) cfn-lint -----------------------------------------------------------------------------


@dataclass
class LintRun:
    returncode: int
    output: str


def cfn_lint(*args: str, cwd: Path) -> subprocess.Popen[str]:
    exe = Path(sys.executable).parent / "cfn-lint"
    assert exe.exists(), f"cfn-lint not installed next to {sys.executable} (pip install -e '.[dev]')"
    return subprocess.Popen(
        [str(exe), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.fixture(scope="module")
def lint_runs(
    tpl: Template, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, LintRun]:
    """Both cfn-lint runs, started together (each takes seconds)."""
    procs = {"source": cfn_lint("template.yaml", cwd=tpl.root)}
    try:
        transformed = request.getfixturevalue("transformed")
    except Exception as exc:  # reported by the transform tests; the source lint still runs
        failed_transform: LintRun | None = LintRun(-1, f"SAM transform failed: {exc!r}")
    else:
        failed_transform = None
        out = tmp_path_factory.mktemp("sam") / "transformed.json"
        out.write_text(json.dumps(transformed, indent=1))
        # W1020: SAM itself writes {"Fn::Sub": "<literal>"} when it resolves parameter defaults.
        procs["transformed"] = cfn_lint("--ignore-checks", "W1020", "--", str(out), cwd=out.parent)
    runs = {}
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=120)
        runs[name] = LintRun(proc.returncode, output)
    if failed_transform is not None:
        runs["transformed"] = failed_transform
    return runs


def test_cfn_lint_passes(lint_runs: dict[str, LintRun]) -> None:
    run = lint_runs["source"]
    print(run.output)  # shown by pytest when the test fails
    assert run.returncode == 0, f"cfn-lint template.yaml failed (rc {run.returncode}):\n{run.output}"


# --- (b) SAM transform ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def transformed(tpl: Template) -> dict[str, Any]:
    return sam_transform(tpl.body)


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_transform_leaves_no_serverless_resources(transformed: dict[str, Any]) -> None:
    kinds = Counter(r["Type"] for r in transformed["Resources"].values())
    assert not [k for k in kinds if k.startswith("AWS::Serverless::")], kinds


def test_cfn_lint_passes_on_the_transformed_template(lint_runs: dict[str, LintRun]) -> None:
    """cfn-lint checks SAM resources only against SAM's loose schema (a bad Runtime, or a !GetAtt to a
    missing resource inside Policies, passes); the CloudFormation that SAM produces is checked fully."""
    run = lint_runs["transformed"]
    print(run.output)
    assert run.returncode == 0, f"cfn-lint failed on the SAM output (rc {run.returncode}):\n{run.output}"


def test_every_serverless_function_becomes_a_lambda_function(
    transformed: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    lambdas = of_type(transformed, "AWS::Lambda::Function")
    assert set(lambdas) == set(functions)
    for logical, res in lambdas.items():
        props = res["Properties"]
        assert props["Handler"] == functions[logical]["Handler"], logical
        assert props["Code"]["S3Bucket"] == "regentra-artifacts", logical


def _api_operations(transformed: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    apis = of_type(transformed, "AWS::ApiGatewayV2::Api")
    assert API in apis, f"no AWS::ApiGatewayV2::Api named {API}: {sorted(apis)}"
    paths = apis[API]["Properties"]["Body"]["paths"]
    return {
        (method.upper(), path): op
        for path, ops in paths.items()
        for method, op in ops.items()
        if isinstance(op, dict) and "x-amazon-apigateway-integration" in op
    }


def test_every_http_event_becomes_an_api_gateway_v2_route(
    transformed: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    """SAM writes HttpApi routes into the ApiGatewayV2 Api's OpenAPI body (one operation per event),
    each integrated with its own function, which API Gateway may invoke (a Lambda permission)."""
    operations = _api_operations(transformed)
    events = http_events(functions)
    assert len(operations) == len(events)
    permissions = of_type(transformed, "AWS::Lambda::Permission")
    invokable = Counter(p["Properties"]["FunctionName"]["Ref"] for p in permissions.values())
    for fn, name, ev in events:
        op = operations.get((ev["Method"].upper(), ev["Path"]))
        assert op is not None, f"{fn}.{name}: {ev['Method']} {ev['Path']} is not a route"
        uri = str(op["x-amazon-apigateway-integration"]["uri"])
        assert f"${{{fn}.Arn}}" in uri, f"{ev['Method']} {ev['Path']} is integrated with {uri}, not {fn}"
        if (ev["Method"].upper(), ev["Path"]) in PUBLIC_ROUTES:
            assert op.get("security") == [{"NONE": []}], f"{ev['Method']} {ev['Path']} is not public"
        else:
            assert op.get("security") == [{"CognitoJwt": []}], (
                f"{ev['Method']} {ev['Path']} has no JWT authorizer"
            )
        assert invokable[fn] >= 1, f"API Gateway may not invoke {fn}"


def test_http_events_use_the_authorized_api(functions: dict[str, dict[str, Any]], tpl: Template) -> None:
    # An event without ApiId lands on SAM's implicit API, which has no Cognito authorizer.
    api = tpl.resources[API]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    assert api["Properties"]["Auth"]["DefaultAuthorizer"] == "CognitoJwt"
    for fn, name, ev in http_events(functions):
        assert ev.get("ApiId") == {"Ref": API}, f"{fn}.{name} is not attached to {API}"


# --- (c) handlers exist -----------------------------------------------------------------------


def _top_level_names(source: str, filename: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source, filename=filename).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def test_every_handler_module_and_attribute_exists(tpl: Template) -> None:
    problems = []
    specs = tpl.functions()
    assert specs
    for logical, spec in specs.items():
        module, _, attr = spec.handler.rpartition(".")
        if not module or not attr:
            problems.append(f"{logical}: handler {spec.handler!r} is not module.attribute")
            continue
        if not spec.code_uri.is_dir():
            problems.append(f"{logical}: CodeUri {spec.code_uri} is not a directory")
            continue
        path = spec.code_uri / (module.replace(".", "/") + ".py")
        if not path.is_file():
            problems.append(f"{logical}: {path.relative_to(tpl.root)} does not exist")
            continue
        if attr not in _top_level_names(path.read_text(), str(path)):
            problems.append(f"{logical}: {path.relative_to(tpl.root)} defines no top-level {attr!r}")
    assert not problems, "\n".join(problems)


def test_top_level_names_parser() -> None:
    source = "import os\nfrom x import y as handler2\nhandler = f(app)\ndef h(): pass\nz: int = 1\nw: int\n"
    assert _top_level_names(source, "<test>") == {"os", "handler2", "handler", "h", "z"}


# --- (d) unique routes ------------------------------------------------------------------------


def _route_key(method: str, path: str) -> tuple[str, str]:
    # API Gateway treats /tickets/{id} and /tickets/{ticket_id} as the same route.
    return method.upper(), re.sub(r"\{[^}/]+\}", "{}", path.rstrip("/") or "/")


def test_no_two_functions_claim_the_same_route(functions: dict[str, dict[str, Any]]) -> None:
    claims: dict[tuple[str, str], list[str]] = {}
    for fn, name, ev in http_events(functions):
        claims.setdefault(_route_key(ev["Method"], ev["Path"]), []).append(f"{fn}.{name}")
    duplicates = {k: v for k, v in claims.items() if len(v) > 1}
    assert not duplicates, duplicates


# --- (e) least-privilege IAM ------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statement_problems(where: str, statement: dict[str, Any]) -> list[str]:
    problems = []
    if "NotAction" in statement or "NotResource" in statement:
        problems.append(f"{where}: NotAction/NotResource is not explicit")
    actions = _as_list(statement.get("Action") or [])
    if not actions:
        problems.append(f"{where}: no Action")
    problems += [f"{where}: wildcard action {a!r}" for a in actions if not isinstance(a, str) or "*" in a]
    resources = _as_list(statement.get("Resource") or [])
    if not resources:
        problems.append(f"{where}: no Resource")
    problems += [f"{where}: resource '*'" for r in resources if r == "*"]
    return problems


def test_function_policies_name_explicit_actions_and_resources(functions: dict[str, dict[str, Any]]) -> None:
    problems: list[str] = []
    for fn, props in functions.items():
        for i, policy in enumerate(_as_list(props.get("Policies") or [])):
            where = f"{fn}.Policies[{i}]"
            if isinstance(policy, str):
                # A managed policy's statements cannot be checked here (and AWS ones are broad).
                problems.append(f"{where}: managed policy {policy!r}")
            elif isinstance(policy, dict) and "Statement" in policy:
                for j, statement in enumerate(_as_list(policy["Statement"])):
                    problems += _statement_problems(f"{where}.Statement[{j}]", statement)
    assert not problems, "\n".join(problems)


def test_generated_role_statements_are_explicit(transformed: dict[str, Any]) -> None:
    """The same rule after SAM expands policy templates into each function's role."""
    problems: list[str] = []
    for role, res in of_type(transformed, "AWS::IAM::Role").items():
        for policy in res["Properties"].get("Policies", []):
            for j, statement in enumerate(_as_list(policy["PolicyDocument"]["Statement"])):
                problems += _statement_problems(f"{role}.{policy['PolicyName']}.Statement[{j}]", statement)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("statement", "ok"),
    [
        ({"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": {"Fn::GetAtt": ["T", "Arn"]}}, True),
        ({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:::table/T"}, False),
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:dynamodb:::table/T"}, False),
        ({"Effect": "Allow", "Action": ["dynamodb:Get*"], "Resource": "arn:aws:dynamodb:::table/T"}, False),
        ({"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": ["dynamodb:GetItem"]}, False),
        ({"Effect": "Allow", "Resource": "arn:aws:dynamodb:::table/T"}, False),
        ({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "arn:aws:dynamodb:::table/T"}, False),
    ],
)
def test_statement_checker(statement: dict[str, Any], ok: bool) -> None:
    assert (not _statement_problems("s", statement)) is ok


# --- (f) the table is protected ---------------------------------------------------------------


def test_table_has_stream_pitr_and_deletion_protection(tpl: Template) -> None:
    tables = tpl.tables()
    assert TABLE in tables, sorted(tables)
    props = tables[TABLE]
    assert props.get("StreamSpecification", {}).get("StreamViewType") == "NEW_AND_OLD_IMAGES"
    assert props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True
    assert props.get("DeletionProtectionEnabled") is True
    assert tpl.resources[TABLE].get("DeletionPolicy") == "Retain"
    assert tpl.resources[TABLE].get("UpdateReplacePolicy") == "Retain"


# --- (g) the foundation's routes --------------------------------------------------------------


def test_required_routes_exist(functions: dict[str, dict[str, Any]]) -> None:
    declared = {_route_key(ev["Method"], ev["Path"]) for _, _, ev in http_events(functions)}
    missing = sorted(r for r in REQUIRED_ROUTES if _route_key(*r) not in declared)
    assert not missing, f"missing routes: {missing}"


def test_local_runtime_sees_the_same_routes(tpl: Template, functions: dict[str, dict[str, Any]]) -> None:
    routes = {(r.method, r.path) for r in tpl.routes()}
    assert routes == {(ev["Method"].upper(), ev["Path"]) for _, _, ev in http_events(functions)}
    assert routes >= REQUIRED_ROUTES
    assert {(r.method, r.path) for r in tpl.routes() if not r.auth} == PUBLIC_ROUTES
