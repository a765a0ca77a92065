"""openapi.json: generated from the handlers, the same routes as template.yaml, committed fresh, a
valid OpenAPI 3.1 document; and the generator reads what a handler really uses."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from regentra.api.openapi import OpenApiError, build_document, generate
from regentra.local.template import Template

LOCAL_SOURCES = (
    "layers/common/python/regentra/local/gateway.py",
    "layers/common/python/regentra/local/runtime.py",
)


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template.load()


@pytest.fixture(scope="module")
def fresh(tpl: Template) -> str:
    return generate(tpl.root)


@pytest.fixture(scope="module")
def committed(tpl: Template) -> dict[str, Any]:
    path = tpl.root / "openapi.json"
    assert path.is_file(), "openapi.json is missing at the repo root: run `make openapi`"
    return dict(json.loads(path.read_text()))


def _key(method: str, path: str) -> tuple[str, str]:
    # The template names every parameter {id}; the handlers say {ticket_id}: the same route.
    return method.upper(), re.sub(r"\{[^}/]+\}", "{}", path)


def api_operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        _key(method, path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if not op.get("x-local-only")
    }


def template_routes(tpl: Template) -> dict[tuple[str, str], bool]:
    return {_key(r.method, r.path): r.auth for r in tpl.routes()}


# --- (a) the same routes as template.yaml ---------------------------------------------------------


@pytest.mark.parametrize("which", ["committed", "fresh"])
def test_routes_equal_the_templates_http_api_routes(
    which: str, tpl: Template, fresh: str, request: pytest.FixtureRequest
) -> None:
    doc = json.loads(fresh) if which == "fresh" else request.getfixturevalue("committed")
    documented = set(api_operations(doc))
    declared = set(template_routes(tpl))
    assert declared, "template.yaml declares no HttpApi routes"
    only_template = sorted(declared - documented)
    only_doc = sorted(documented - declared)
    assert not only_template, f"template.yaml routes with no handler in functions/http: {only_template}"
    assert not only_doc, f"handlers in functions/http whose route template.yaml does not declare: {only_doc}"


def test_public_operations_are_the_templates_public_routes(tpl: Template, fresh: str) -> None:
    """A handler that never asks for a principal is documented without bearer auth; API Gateway must
    then run no authorizer on it, and the other way round."""
    ops = api_operations(json.loads(fresh))
    public_doc = {k for k, op in ops.items() if op.get("security") == []}
    public_tpl = {k for k, auth in template_routes(tpl).items() if not auth}
    assert public_doc == public_tpl


def test_local_only_routes_are_documented_and_flagged(fresh: str, tpl: Template) -> None:
    doc = json.loads(fresh)
    local = {
        _key(m, p)
        for p, item in doc["paths"].items()
        for m, op in item.items()
        if op.get("x-local-only") is True
    }
    # Every ("METHOD", "/_local/...") route the gateway and the runtime register, and the two files.
    served = set()
    for source in LOCAL_SOURCES:
        for method, path in re.findall(
            r'\("(GET|POST|PUT|PATCH|DELETE)", "(/[^"]*)"\)', (tpl.root / source).read_text()
        ):
            if path.startswith("/_local/") or path in ("/openapi.json", "/config.json"):
                served.add(_key(method, path.rstrip("/") + ("/{}" if path.endswith("/") else "")))
    served.add(("GET", "/openapi.json"))
    assert served <= local, f"local routes missing from openapi.json: {sorted(served - local)}"
    assert local <= served, f"documented local routes nobody serves: {sorted(local - served)}"
    for path, item in doc["paths"].items():
        if path.startswith("/_local/"):
            assert all(op.get("x-local-only") is True for op in item.values()), path


# --- (b) the committed file is what the handlers give -------------------------------------------


def test_committed_openapi_json_is_fresh(tpl: Template, fresh: str) -> None:
    on_disk = (tpl.root / "openapi.json").read_text() if (tpl.root / "openapi.json").is_file() else ""
    assert on_disk == fresh, "openapi.json is out of date with the handlers: run `make openapi` and commit it"


def test_generation_is_deterministic(tpl: Template, fresh: str) -> None:
    assert generate(tpl.root) == fresh


# --- (c) a valid OpenAPI 3.1 document ----------------------------------------------------------


def test_document_is_valid_openapi(fresh: str) -> None:
    from openapi_spec_validator import validate

    doc = json.loads(fresh)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


# --- what the committed document says about real routes -----------------------------------------


def test_ticket_routes_carry_their_models(committed: dict[str, Any]) -> None:
    paths = committed["paths"]
    create = paths["/tickets"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateTicket"
    }
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TicketView"
    }
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= create["parameters"][0].items()
    listing = paths["/tickets"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"status", "priority", "q", "limit", "cursor", "sla_status", "created_from"} <= set(params)
    assert params["status"]["style"] == "form" and params["status"]["explode"] is False
    assert params["limit"]["schema"]["maximum"] == 100
    items = listing["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["items"]
    assert items == {"type": "array", "items": {"$ref": "#/components/schemas/TicketView"}}
    patch = paths["/tickets/{ticket_id}"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
    assert set(patch["responses"]) >= {"200", "400", "401", "403", "404", "409", "412", "413", "default"}
    assert patch["x-roles"] == ["admin", "lead", "technician"]
    assert "Roles: admin, lead, technician." in patch["description"]
    # TicketView plus the cascade prompt the handler adds only sometimes (not required).
    ok = patch["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["allOf"][0] == {"$ref": "#/components/schemas/TicketView"}
    assert "cascade_prompt" in ok["allOf"][1]["properties"]
    assert "cascade_prompt" not in ok["allOf"][1].get("required", [])


def test_roles_security_and_errors(committed: dict[str, Any]) -> None:
    paths = committed["paths"]
    assert committed["security"] == [{"bearerAuth": []}]
    assert committed["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # require_admin() lives in the service the handler hands the principal to.
    assert paths["/settings/sla"]["get"]["x-roles"] == ["admin"]
    # Customers create tickets (require_writer two calls deep), read-only staff do not.
    assert paths["/tickets"]["post"]["x-roles"] == ["admin", "lead", "technician", "customer"]
    assert paths["/tickets/{ticket_id}"]["get"]["x-roles"] == [
        "admin",
        "lead",
        "technician",
        "readonly",
        "customer",
    ]
    visitor = paths["/chat/visitor/sessions"]["post"]
    assert visitor["security"] == [] and visitor["x-roles"] == []
    assert "401" not in visitor["responses"]
    error = committed["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    info = committed["components"]["schemas"]["ErrorInfo"]
    assert set(info["properties"]) == {"code", "message", "details"}
    bad = committed["components"]["responses"]["BadRequest"]
    assert bad["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


# Fields that stay open objects on purpose (a reply's delivery record, an activity's change, the
# analyzer's result and a reply's attachment references differ by source); nothing else may.
OPEN_FIELDS = {
    "ReplyView.attachments[]",
    "ReplyView.delivery",
    "ActivityView.change",
    "TicketDetailView.analysis",
}


def _open_objects(schema: Any, components: dict[str, Any], where: str, seen: frozenset[str]) -> set[str]:
    """Where a schema accepts any object: no properties declared, or extra keys allowed."""
    if not isinstance(schema, dict):
        return set()
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return set() if name in seen else _open_objects(components[name], components, name, seen | {name})
    found = set()
    kinds = schema.get("type")
    is_object = kinds == "object" or (isinstance(kinds, list) and "object" in kinds)
    extra = schema.get("additionalProperties")
    typed_map = isinstance(extra, dict)  # a map: its values are checked below
    if schema == {} or extra is True or (is_object and "properties" not in schema and not typed_map):
        found.add(where)
    for name, prop in schema.get("properties", {}).items():
        found |= _open_objects(prop, components, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found |= _open_objects(schema["items"], components, f"{where}[]", seen)
    if typed_map:
        found |= _open_objects(extra, components, f"{where}{{}}", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found |= _open_objects(option, components, where, seen)
    return found


def test_no_success_response_is_a_free_form_object(committed: dict[str, Any]) -> None:
    components = committed["components"]["schemas"]
    found: dict[str, set[str]] = {}
    for (method, path), op in api_operations(committed).items():
        for status, response in op["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if status.startswith("2") and schema is not None:
                where = f"{method} {path} {status}"
                found[where] = _open_objects(schema, components, where, frozenset()) - OPEN_FIELDS
    bad = {k: sorted(v) for k, v in found.items() if v}
    assert not bad, f"free-form response objects (declare their shape in services/view_types.py): {bad}"
    paths = committed["paths"]

    def ok(path: str, method: str) -> Any:
        responses = paths[path][method]["responses"]
        success = next(r for s, r in responses.items() if s.startswith("2"))
        return success["content"]["application/json"]["schema"]

    ref = "#/components/schemas/{}".format
    for path, method, item in [
        ("/notifications", "get", "NotificationView"),
        ("/automations/{rule_id}/runs", "get", "AutomationRunView"),
        ("/ai/reviews", "get", "AiReviewView"),
    ]:
        assert ok(path, method)["properties"]["items"]["items"] == {"$ref": ref(item)}
    for path, method, view in [
        ("/automations/{rule_id}/test", "post", "DryRunView"),
        ("/ai/reviews/{review_id}", "post", "AiReviewView"),
        ("/ai/reviews/stats", "get", "AiReviewStats"),
        ("/reports/sla", "get", "SlaReportView"),
        ("/reports/time", "get", "TimeReportView"),
    ]:
        assert ok(path, method) == {"$ref": ref(view)}
    upload = ok("/tickets/{ticket_id}/attachments", "post")["allOf"][1]["properties"]["upload"]
    assert upload == {"$ref": ref("UploadForm")}
    assert components["UploadForm"]["properties"]["fields"]["additionalProperties"] == {"type": "string"}


def test_local_routes_in_the_document(committed: dict[str, Any]) -> None:
    token = committed["paths"]["/_local/token"]["post"]
    assert token["x-local-only"] is True and token["security"] == []
    assert token["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "tenant_id",
        "role",
        "user_id",
    ]


# --- the generator on handlers written for the test -------------------------------------------------

HANDLER = '''
"""POST /widgets/{id}/parts — add a part to a widget."""
from pydantic import BaseModel, ConfigDict
from typing_extensions import TypedDict

from regentra.api.http import header, json_response, lambda_handler, make_app
from regentra.api.http import parse_body, parse_query, principal
from regentra.errors import Conflict


class AddPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int = 1


class PartQuery(BaseModel):
    dry_run: bool = False


class PartView(TypedDict):
    id: str
    name: str


def add_part(principal, widget_id: str, name: str) -> PartView:
    principal.require_staff_writer()
    if name == "taken":
        raise Conflict("taken")
    return {"id": "p1", "name": name}


app = make_app()


@app.post("/widgets/<widget_id>/parts")
def create_part(widget_id: str):
    caller = principal(app)
    req = parse_body(app, AddPart)
    parse_query(app, PartQuery)
    header(app, "X-Trace")
    body = add_part(caller, widget_id, req.name)
    if req.size > 1:
        body["bulk"] = True
    return json_response(201, {**body, "widget_id": widget_id})


handler = lambda_handler(app)
'''

PUBLIC = '''
"""GET /widgets — the public catalogue."""
from regentra.api.http import json_response, lambda_handler, make_app

app = make_app()


@app.get("/widgets")
def widgets():
    return json_response(200, {"items": [], "next_cursor": None})


handler = lambda_handler(app)
'''


def _repo(tmp_path: Path, handlers: dict[str, str]) -> Path:
    for name, source in handlers.items():
        folder = tmp_path / "functions" / "http" / name
        folder.mkdir(parents=True)
        (folder / "app.py").write_text(textwrap.dedent(source))
    return tmp_path


def test_generator_reads_what_a_handler_uses(tmp_path: Path) -> None:
    doc = build_document(_repo(tmp_path, {"create_part": HANDLER, "list_widgets": PUBLIC}))
    op = doc["paths"]["/widgets/{widget_id}/parts"]["post"]
    assert op["operationId"] == "create_part"
    assert op["summary"] == "Add a part to a widget"
    assert op["tags"] == ["widgets"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AddPart"
    }
    assert doc["components"]["schemas"]["AddPart"]["additionalProperties"] is False
    params = {p["name"]: p for p in op["parameters"]}
    assert params["widget_id"]["in"] == "path" and params["widget_id"]["required"] is True
    assert params["dry_run"]["in"] == "query" and params["dry_run"]["schema"]["type"] == "boolean"
    assert params["X-Trace"]["in"] == "header"
    assert "PartQuery" not in doc["components"]["schemas"]  # a query model lives in parameters only
    assert op["x-roles"] == ["admin", "lead", "technician"]
    # 409 from the Conflict the service raises; 403 from its role check; 400/413 from parse_body.
    assert {"400", "401", "403", "404", "409", "413", "201", "default"} == set(op["responses"])
    schema = op["responses"]["201"]["content"]["application/json"]["schema"]
    assert schema["allOf"][0] == {"$ref": "#/components/schemas/PartView"}
    extra = schema["allOf"][1]
    assert extra["properties"] == {"bulk": {"type": "boolean"}, "widget_id": {"type": "string"}}
    assert extra["required"] == ["widget_id"]  # bulk is set only sometimes
    public = doc["paths"]["/widgets"]["get"]
    assert public["security"] == [] and "401" not in public["responses"]
    page = public["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["required"] == ["items", "next_cursor"]


def test_a_handler_the_generator_cannot_read_is_an_error(tmp_path: Path) -> None:
    broken = HANDLER.replace("parse_body(app, AddPart)", "parse_body(app, models[0])")
    with pytest.raises(OpenApiError, match="parse_body"):
        build_document(_repo(tmp_path, {"create_part": broken}))


def test_two_routes_in_one_handler_are_an_error(tmp_path: Path) -> None:
    two = PUBLIC.replace(
        "handler = lambda_handler(app)",
        '@app.get("/other")\ndef other():\n    return json_response(200, {})\n',
    )
    with pytest.raises(OpenApiError, match="one route"):
        build_document(_repo(tmp_path, {"list_widgets": two}))


def test_cli_writes_the_file_whole_and_only_when_it_changed(
    tmp_path: Path, fresh: str, tpl: Template
) -> None:
    from regentra.cli import main

    out = tmp_path / "openapi.json"
    root = ["--root", str(tpl.root)]
    assert main(["openapi", "--check", str(out), *root]) == 1  # missing
    assert main(["openapi", "--output", str(out), *root]) == 0
    assert out.read_text() == fresh
    assert main(["openapi", "--check", str(out), *root]) == 0
    before = out.stat().st_mtime_ns
    assert main(["openapi", "--output", str(out), *root]) == 0
    assert out.stat().st_mtime_ns == before  # unchanged: make sees nothing new
    out.write_text(fresh.replace('"3.1.0"', '"3.0.0"'))
    assert main(["openapi", "--check", str(out), *root]) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["openapi.json"]  # no temporary file left behind
