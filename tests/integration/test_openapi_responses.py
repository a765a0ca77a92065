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

    # Reports and notifications (their items are checked in the next test), and errors in their one shape.
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


def closed(doc: dict[str, Any], component: str, sample: dict[str, Any]) -> None:
    """A real body of a component passes its strict schema, and fails it with a key added or with
    any required key taken away: the schema declares exactly this shape."""
    schema = strict({"$ref": f"#/components/schemas/{component}"}, doc["components"]["schemas"])
    check = Draft202012Validator(schema)
    assert check.is_valid(sample), component
    assert not check.is_valid(sample | {"undeclared": 1}), component
    required = doc["components"]["schemas"][component].get("required", [])
    assert required, component
    for key in required:
        assert not check.is_valid({k: v for k, v in sample.items() if k != key}), (component, key)


def test_automation_ai_upload_and_report_responses_match_the_document(
    api: Any, doc: dict[str, Any], admin: str, tech: str
) -> None:
    """The responses that once were free-form objects, each with real data in it (run logs of every
    kind, notifications, dry runs, AI reviews pending, rated and decided, an upload form, reports),
    so that every item is checked, not just an empty list."""
    call = Checked(api, doc)
    cid = call("POST", "/clients", admin, {"name": "Acme Dental", "email_domains": ["acme.test"]}, 201)["id"]
    contact = call(
        "POST", "/contacts", admin, {"client_id": cid, "name": "Dana", "email": "dana@acme.test"}, 201
    )
    customer = api.token("customer", "dana", client_id=cid, contact_id=contact["id"])
    article = {"title": "VPN token", "body": "# VPN token\n\n- reset the VPN token\n- sign in again"}
    aid = call("POST", "/kb/articles", tech, article | {"tags": ["vpn"]}, 201)["id"]

    # Rules: one that matches new HIGH tickets (actions, in-app and email notifications), one that
    # never matches, one that changes the priority (its own change is then logged as skipped), one
    # whose action fails on a resolved ticket.
    notify = {"user_id": "tech-1", "message": "High priority ticket"}
    rules = {
        "high": {
            "name": "high",
            "trigger": "ticket.created",
            "conditions": [{"field": "priority", "operator": "equals", "value": "HIGH"}],
            "actions": [
                {"type": "add_tag", "value": "vip"},
                {"type": "send_notification", "value": notify},
                {"type": "send_notification", "value": {"email": "duty@msp.test"}},
            ],
        },
        "never": {
            "name": "never",
            "trigger": "ticket.created",
            "conditions": [{"field": "subject", "operator": "contains", "value": "no such words"}],
            "actions": [{"type": "send_notification", "value": notify}],
        },
        "bump": {
            "name": "bump",
            "trigger": "ticket.updated",
            "conditions": [{"field": "priority", "operator": "in", "value": ["LOW", "MEDIUM"]}],
            "actions": [{"type": "change_priority", "value": "CRITICAL"}],
        },
        "reopen": {
            "name": "reopen",
            "trigger": "ticket.status_changed",
            "conditions": [{"field": "status", "operator": "changed_to", "value": "RESOLVED"}],
            "actions": [{"type": "set_status", "value": "WAITING_ON_CUSTOMER"}],
        },
    }
    ids = {name: call("POST", "/automations", admin, body, 201)["id"] for name, body in rules.items()}
    tid = call(
        "POST",
        "/tickets",
        tech,
        {"subject": "VPN token broken", "description": "The VPN token stopped working", "priority": "HIGH"}
        | {"client_id": cid, "contact_id": contact["id"]},
        201,
    )["id"]
    hit = call("POST", f"/automations/{ids['high']}/test", admin, {"ticket_id": tid})
    assert [a["would"] for a in hit["actions"]] == ["no_change", "notify", "notify"]  # tagged already
    closed(doc, "DryRunActionView", hit["actions"][1])
    call("PATCH", f"/tickets/{tid}", tech, {"priority": "LOW"})
    call("PATCH", f"/tickets/{tid}", tech, {"status": "RESOLVED"})

    runs = {name: call("GET", f"/automations/{rid}/runs", admin)["items"] for name, rid in ids.items()}
    assert all(runs.values()), runs
    every_run = [r for items in runs.values() for r in items]
    assert {"conditions", "actions", "skipped"} <= {k for r in every_run for k in r}
    actions = [a for r in every_run for a in r.get("actions", [])]
    assert {"type", "value", "outcome", "detail", "to", "email"} <= {k for a in actions for k in a}
    closed(doc, "AutomationRunView", runs["high"][0])
    closed(doc, "ConditionResultView", runs["high"][0]["conditions"][0])

    notes = call("GET", "/notifications", tech)["items"]
    assert [n["message"] for n in notes] == ["High priority ticket"]
    closed(doc, "NotificationView", notes[0])

    # Dry runs: one that would execute (a failing action, a notification, changed_to's note), one
    # that would not (its actions listed with their values).
    would = call("POST", f"/automations/{ids['reopen']}/test", admin, {"ticket_id": tid})
    assert would["would_execute"] is True and "note" in would["conditions"][0]
    assert "detail" in would["actions"][0]
    closed(doc, "DryRunView", would)
    wont = call("POST", f"/automations/{ids['never']}/test", admin, {"ticket_id": tid})
    assert wont["would_execute"] is False and wont["actions"][0]["value"]["user_id"] == "tech-1"

    # AI reviews: the analyzer's priority and category, a draft (with sources), decided by a reply.
    call("PATCH", f"/tickets/{tid}", tech, {"status": "IN_PROGRESS"})
    draft = call("POST", f"/tickets/{tid}/ai-draft", tech)
    assert draft["sources"] and draft["sources"][0]["article_id"] == aid
    call("POST", f"/tickets/{tid}/replies", tech, {"body": draft["draft"]}, 201)
    pending = call("GET", "/ai/reviews?state=pending&limit=100", admin)["items"]
    assert {r["kind"] for r in pending} == {"draft", "priority", "category"}
    kinds = {r["kind"]: r for r in pending}
    assert kinds["draft"]["outcome"] == "accepted" and kinds["draft"]["sources"]
    assert {"kb_section", "signal"} <= {reason["type"] for reason in kinds["draft"]["reasons"]}
    closed(doc, "AiReviewView", kinds["draft"])
    prio = kinds["priority"]
    wrong = next(p for p in ("LOW", "MEDIUM", "HIGH", "CRITICAL") if p != prio["value"])
    rated = call("POST", f"/ai/reviews/{prio['id']}", admin, {"rating": "wrong", "override": wrong})
    assert rated["state"] == "rated" and rated["override"] == wrong
    call("POST", f"/ai/reviews/{kinds['category']['id']}", admin, {"rating": "correct"})
    assert len(call("GET", "/ai/reviews?state=rated&order=asc", admin)["items"]) == 2
    stats = call("GET", "/ai/reviews/stats", admin)
    assert stats["drafts"]["accepted"] == 1 and stats["ratings"]["priority"] == {"correct": 0, "wrong": 1}
    closed(doc, "AiReviewStats", stats)

    # An upload form.
    started = call(
        "POST",
        f"/tickets/{tid}/attachments",
        customer,
        {"filename": "screen.png", "content_type": "image/png", "size": 2048},
        201,
    )
    assert started["upload"]["fields"] and started["upload"]["method"] == "POST"
    closed(doc, "UploadForm", started["upload"])

    # Reports, with a client's figures in them.
    call("POST", f"/tickets/{tid}/time-entries", tech, {"minutes": 30, "billable": True}, 201)
    call("POST", f"/tickets/{tid}/time-entries", tech, {"minutes": 10, "billable": False}, 201)
    sla = call("GET", "/reports/sla?from=2026-11-01&to=2026-11-30", tech)
    assert cid in sla["by_client"] and len(sla["breaches_per_day"]) == 30
    closed(doc, "SlaReportView", sla)
    time = call("GET", f"/reports/time?from=2026-11-01&to=2026-11-30&client_id={cid}", tech)
    assert time["by_client"][cid] == {"billable_minutes": 30, "non_billable_minutes": 10}
    assert time["by_technician"]["tech-1"] == time["total"]
    closed(doc, "TimeReportView", time)

    covered = {(m, t) for m, t, _ in call.seen}
    for route in [
        ("GET", "/notifications"), ("GET", "/automations/{rule_id}/runs"),
        ("POST", "/automations/{rule_id}/test"), ("GET", "/ai/reviews"), ("POST", "/ai/reviews/{review_id}"),
        ("GET", "/ai/reviews/stats"), ("POST", "/tickets/{ticket_id}/attachments"), ("GET", "/reports/sla"),
        ("GET", "/reports/time"),
    ]:  # fmt: skip
        assert route in covered, route
