"""openapi.json describes what the API really answers: a walk through the main routes (through the
same gateway `regentra local` uses, on DynamoDB Local) checks every status against the documented
ones and every body against its documented schema, strictly: a key the document does not declare
is a failure, so a view that grows a field without its shape (services/view_types.py) is caught."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from regentra.api.openapi import generate

SLA = {
    "timezone": "Europe/Berlin",
    "business_hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [], "sun": []},
    "holidays": ["2026-12-25"],
    "at_risk_percent": 75,
    "targets": {
        p: {"response_minutes": 60, "resolution_minutes": 480, "hours": "business"}
        for p in ("CRITICAL", "HIGH", "MEDIUM", "LOW")
    },
}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return dict(json.loads(generate()))


def strict(schema: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """The schema with $refs inlined, allOf merged, and every object closed to undeclared keys."""
    assert depth < 40, "runaway $ref"
    if isinstance(schema, list):
        return [strict(s, components, depth + 1) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return strict(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in (strict(p, components, depth + 1) for p in schema["allOf"]):
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
            if part.get("additionalProperties") not in (None, False):
                merged["additionalProperties"] = part["additionalProperties"]
        merged.setdefault("additionalProperties", False)
        return merged
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: strict(s, components, depth + 1) for name, s in value.items()}
        elif key in ("items", "additionalProperties", "anyOf", "oneOf"):
            out[key] = strict(value, components, depth + 1)
        else:
            out[key] = copy.deepcopy(value)
    if "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


class Checked:
    """api.call, and each answer checked against the document."""

    def __init__(self, api: Any, doc: dict[str, Any]) -> None:
        self.api = api
        self.doc = doc
        self.seen: set[tuple[str, str, int]] = set()
        self.routes = sorted(
            (
                (p.count("{"), re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", p) + "$"), p)
                for p in doc["paths"]
            ),
            key=lambda r: r[0],
        )

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        bare = path.split("?", 1)[0]
        for _, pattern, template in self.routes:
            if pattern.match(bare) and method.lower() in self.doc["paths"][template]:
                return template, self.doc["paths"][template][method.lower()]
        raise AssertionError(f"{method} {bare} is not in openapi.json")

    def __call__(
        self, method: str, path: str, token: str | None, body: Any = None, status: int = 200, **kw: Any
    ) -> Any:
        reply = self.api.call(method, path, token, body, **kw)
        assert reply.status == status, (method, path, reply.status, reply.body)
        template, op = self.operation(method, path)
        documented = op["responses"].get(str(status)) or op["responses"].get("default")
        assert str(status) in op["responses"], f"{method} {template} answered {status}, not documented"
        if "$ref" in documented:
            documented = self.doc["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        content = documented.get("content", {}).get("application/json")
        if content is None:
            assert reply.body is None, f"{method} {template} {status}: a body where none is documented"
        else:
            schema = strict(content["schema"], self.doc["components"]["schemas"])
            errors = sorted(Draft202012Validator(schema).iter_errors(reply.body), key=str)
            assert not errors, f"{method} {template} {status}: " + "; ".join(
                f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
            )
        self.seen.add((method, template, status))
        return reply.body


def test_strict_schemas_reject_undeclared_keys(doc: dict[str, Any]) -> None:
    schema = strict({"$ref": "#/components/schemas/NoteView"}, doc["components"]["schemas"])
    note = {"id": "n", "author_id": "a", "body": "b", "created_at": "2026-11-23T09:00:00.000Z"}
    assert Draft202012Validator(schema).is_valid(note)
    assert not Draft202012Validator(schema).is_valid(note | {"secret": 1})
    assert not Draft202012Validator(schema).is_valid({k: v for k, v in note.items() if k != "body"})


def test_responses_match_the_document(api: Any, doc: dict[str, Any], admin: str, tech: str) -> None:
    call = Checked(api, doc)
    # Directory.
    client = call("POST", "/clients", admin, {"name": "Acme Dental", "email_domains": ["acme.test"]}, 201)
    cid = client["id"]
    call("GET", "/clients", tech)
    call("GET", f"/clients/{cid}", tech)
    call("PATCH", f"/clients/{cid}", admin, {"vip": True})
    contact = call(
        "POST", "/contacts", admin, {"client_id": cid, "name": "Dana", "email": "dana@acme.test"}, 201
    )
    call("GET", "/contacts?client_id=" + cid, tech)
    call("GET", f"/contacts/{contact['id']}", tech)
    customer = api.token("customer", "dana", client_id=cid, contact_id=contact["id"])

    # Tickets, as staff and as the customer.
    ticket = call(
        "POST", "/tickets", tech, {"subject": "VPN down", "priority": "HIGH", "client_id": cid}, 201
    )
    tid = ticket["id"]
    call("POST", "/tickets", customer, {"subject": "Printer", "description": "jams"}, 201)
    call("POST", f"/tickets/{tid}/replies", tech, {"body": "On it", "set_status": "WAITING_ON_CUSTOMER"}, 201)
    call("POST", f"/tickets/{tid}/replies", customer, {"body": "Still down"}, 201)
    call("POST", f"/tickets/{tid}/notes", tech, {"body": "Firewall rule 12"}, 201)
    call(
        "POST", f"/tickets/{tid}/time-entries", tech, {"minutes": 25, "billable": True, "note": "remote"}, 201
    )
    call(
        "POST",
        f"/tickets/{tid}/attachments",
        customer,
        {"filename": "a.png", "content_type": "image/png", "size": 10},
        201,
    )
    call("GET", f"/tickets/{tid}", tech)
    call("GET", f"/tickets/{tid}", customer)
    call("GET", "/tickets?status=OPEN,IN_PROGRESS&limit=5", tech)
    call("GET", "/tickets", customer)
    call("GET", "/tickets/board", tech)
    call("PATCH", f"/tickets/{tid}", tech, {"priority": "CRITICAL"}, headers={"If-Match": "3"}, status=412)
    call("PATCH", f"/tickets/{tid}", tech, {"status": "RESOLVED"})

    # Master and children, the cascade prompt, a cascade.
    children = [
        call("POST", "/tickets", tech, {"subject": f"child {i}", "client_id": cid}, 201)["id"]
        for i in range(2)
    ]
    master = call("POST", "/tickets", tech, {"subject": "Outage", "client_id": cid}, 201)["id"]
    call("POST", f"/tickets/{master}/master", tech)
    call("POST", f"/tickets/{master}/children", tech, {"child_ids": children})
    patched = call("PATCH", f"/tickets/{master}", tech, {"status": "RESOLVED"})
    assert patched["cascade_prompt"]["eligible_children"] == 2
    cascade = call(
        "POST", f"/tickets/{master}/cascade", tech, {"status": "RESOLVED", "reply": {"body": "Fixed"}}, 202
    )
    call("GET", f"/cascades/{cascade['cascade_id']}", tech)
    call("DELETE", f"/tickets/{master}/children/{children[0]}", tech, status=204)

    # Settings, policies, automations.
    call("GET", "/settings/sla", admin)
    call("PUT", "/settings/sla", admin, SLA)
    policy = call("POST", "/sla-policies", admin, SLA | {"name": "Berlin"}, 201)
    call("GET", "/sla-policies", admin)
    call("GET", f"/sla-policies/{policy['id']}", admin)
    call("GET", "/settings/policies", admin)
    call(
        "PUT",
        "/settings/channels",
        admin,
        {"support_emails": [f"help@{api.tenant_id}.test"], "sms_numbers": []},
    )
    call("GET", "/settings/channels", admin)
    rule = {"name": "tag", "trigger": "ticket.created", "actions": [{"type": "add_tag", "value": "seen"}]}
    rid = call("POST", "/automations", admin, rule, 201)["id"]
    call("GET", "/automations", admin)
    call("GET", f"/automations/{rid}", admin)
    call("GET", f"/automations/{rid}/runs", admin)

    # Knowledge base and a draft.
    article = {"title": "VPN", "body": "# VPN\n\n- restart the client\n- sign in again", "tags": ["vpn"]}
    aid = call("POST", "/kb/articles", tech, article, 201)["id"]
    call("GET", "/kb/articles", tech)
    call("GET", f"/kb/articles/{aid}", tech)
    call("POST", f"/tickets/{children[1]}/ai-draft", tech)

    # Live chat: a customer's and a visitor's.
    session = call("POST", "/chat/sessions", customer, {"message": "Hello?"}, 201)["id"]
    call("POST", f"/chat/sessions/{session}/messages", tech, {"body": "Hi Dana"}, 201)
    call("GET", f"/chat/sessions/{session}", tech)
    call("GET", "/chat/sessions?state=active", tech)
    call("POST", f"/chat/sessions/{session}/end", customer)
    visitor = call(
        "POST",
        "/chat/visitor/sessions",
        None,
        {"tenant_id": api.tenant_id, "email": "v@x.test", "message": "Hi"},
        201,
    )
    call(
        "GET",
        f"/chat/visitor/sessions/{visitor['id']}",
        None,
        headers={"X-Chat-Token": visitor["visitor_token"]},
    )

    # Reports and notifications (open shapes, still checked for status), and errors in their one shape.
    call("GET", "/reports/sla?from=2026-11-01&to=2026-11-30", tech)
    call("GET", "/reports/time?from=2026-11-01&to=2026-11-30", tech)
    call("GET", "/notifications", tech)
    call("GET", "/tickets/01NOSUCHTICKET00000000000", tech, status=404)
    call("POST", "/tickets", tech, {"subject": "x", "priority": "URGENT"}, 400)
    call("PATCH", f"/tickets/{tid}", customer, {"priority": "LOW"}, 403)
    call("GET", "/tickets", None, status=401)
    call("POST", f"/tickets/{tid}/replies", tech, {"body": "x", "set_status": "WAITING_ON_CUSTOMER"}, 409)

    # The walk covered the shapes the web app leans on.
    covered = {(m, t) for m, t, _ in call.seen}
    for route in [
        ("GET", "/tickets/{ticket_id}"), ("GET", "/tickets"), ("GET", "/tickets/board"),
        ("PATCH", "/tickets/{ticket_id}"), ("POST", "/tickets/{ticket_id}/replies"),
        ("GET", "/chat/sessions/{session_id}"), ("GET", "/cascades/{cascade_id}"),
    ]:  # fmt: skip
        assert route in covered, route
