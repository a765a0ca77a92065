"""Automation rules through the local stack: CRUD and validation, triggers from bus events, all
conditions, ordered actions, stop_after_match, no self-triggering, chains stopped at depth 3,
the evaluation log, the dry run, and in-app / email notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

M = timedelta(minutes=1)


def rule(trigger: str = "ticket.created", **kw: Any) -> dict[str, Any]:
    return {
        "name": kw.pop("name", f"rule on {trigger}"),
        "trigger": trigger,
        "conditions": kw.pop("conditions", []),
        "actions": kw.pop("actions", [{"type": "add_tag", "value": "seen"}]),
        **kw,
    }


def add_rule(api, admin, body: dict[str, Any]) -> str:
    r = api.call("POST", "/automations", admin, body)
    assert r.status == 201, r.body
    return str(r.body["id"])


def create(api, token, client_id, **body: Any) -> dict[str, Any]:
    r = api.call(
        "POST",
        "/tickets",
        token,
        {"subject": "VPN down", "priority": "MEDIUM", "client_id": client_id} | body,
    )
    assert r.status == 201, r.body
    return r.body


def detail(api, token, ticket_id: str) -> dict[str, Any]:
    r = api.call("GET", f"/tickets/{ticket_id}", token)
    assert r.status == 200, r.body
    return r.body


def runs(api, admin, rule_id: str) -> list[dict[str, Any]]:
    r = api.call("GET", f"/automations/{rule_id}/runs", admin)
    assert r.status == 200, r.body
    return list(r.body["items"])


# --- rules: CRUD, validation, roles ----------------------------------------------------------------


def test_crud_round_trip_in_run_order(api, admin):
    late = add_rule(api, admin, rule(name="late", order=20))
    early = add_rule(api, admin, rule(name="early", order=5, stop_after_match=True, enabled=False))
    listed = api.call("GET", "/automations", admin).body["items"]
    assert [r["name"] for r in listed] == ["early", "late"]
    assert listed[0] | {} == api.call("GET", f"/automations/{early}", admin).body
    assert listed[0]["stop_after_match"] is True and listed[0]["enabled"] is False
    changed = rule(
        trigger="reply.added", name="late v2", order=1, actions=[{"type": "add_note", "value": "hi"}]
    )
    r = api.call("PUT", f"/automations/{late}", admin, changed)
    assert r.status == 200 and r.body["trigger"] == "reply.added" and r.body["order"] == 1
    assert [x["name"] for x in api.call("GET", "/automations", admin).body["items"]] == ["late v2", "early"]
    assert api.call("DELETE", f"/automations/{late}", admin).status == 204
    assert api.call("GET", f"/automations/{late}", admin).status == 404
    assert api.call("DELETE", f"/automations/{late}", admin).status == 404
    assert api.call("PUT", f"/automations/{late}", admin, changed).status == 404


def test_rules_are_admin_only(api, admin, tech, client_id, contact_id):
    rule_id = add_rule(api, admin, rule())
    cust = api.token("customer", "c", client_id=client_id, contact_id=contact_id)
    for token in (tech, cust, api.token("lead", "lead-1")):
        for method, path, body in [
            ("POST", "/automations", rule()),
            ("GET", "/automations", None),
            ("GET", f"/automations/{rule_id}", None),
            ("PUT", f"/automations/{rule_id}", rule()),
            ("DELETE", f"/automations/{rule_id}", None),
            ("GET", f"/automations/{rule_id}/runs", None),
            ("POST", f"/automations/{rule_id}/test", {"ticket_id": rule_id}),
        ]:
            assert api.call(method, path, token, body).status == 403, (method, path)


PRIORITY_URGENT = {"field": "priority", "operator": "equals", "value": "URGENT"}
STATUS_CHANGED_TO = {"field": "status", "operator": "changed_to", "value": "OPEN"}  # wrong trigger
BAD_STATUS_AND_TAG = [{"type": "set_status", "value": "DONE"}, {"type": "add_tag", "value": "no spaces!"}]
NOBODY = {"type": "send_notification", "value": {"message": "to nobody"}}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (rule(trigger="ticket.deleted"), {"trigger"}),
        (rule(actions=[]), {"actions"}),
        (rule(actions=[{"type": "reboot", "value": "x"}]), {"actions.0.type"}),
        (rule(conditions=[PRIORITY_URGENT]), {"conditions.0.value"}),
        (rule(conditions=[STATUS_CHANGED_TO]), {"conditions.0.operator"}),
        (rule(actions=BAD_STATUS_AND_TAG), {"actions.0.value", "actions.1.value"}),
        (rule(actions=[NOBODY]), {"actions.0.value"}),
        (rule() | {"surprise": 1}, {"surprise"}),
    ],
)
def test_invalid_rules_are_400_with_details(api, admin, body, fields):
    r = api.call("POST", "/automations", admin, body)
    assert r.status == 400, r.body
    assert r.body["error"]["code"] == "validation_error"
    assert {d["field"] for d in r.body["error"]["details"]} == fields
    assert api.call("GET", "/automations", admin).body["items"] == []


# --- running on events ----------------------------------------------------------------------------


def test_when_sla_at_risk_set_status_escalated(api, admin, tech, client_id, clock):
    rule_id = add_rule(
        api,
        admin,
        rule("sla.at_risk", name="escalate at risk", actions=[{"type": "set_status", "value": "ESCALATED"}]),
    )
    t = create(api, tech, client_id, priority="CRITICAL")  # response at risk after 22.5 min (24x7)
    assert detail(api, tech, t["id"])["status"] == "OPEN"
    clock.advance(23 * M)
    api.run_schedule("SlaSweepFunction")
    d = detail(api, tech, t["id"])
    assert d["status"] == "ESCALATED"
    assert {"field": "status", "from": "OPEN", "to": "ESCALATED"} in [
        a["change"] for a in d["activity"] if a["source"] == f"automation:{rule_id}"
    ]
    [run] = runs(api, admin, rule_id)
    assert run["matched"] is True and run["event_type"] == "SlaAtRisk" and run["ticket_id"] == t["id"]
    assert run["actions"] == [{"type": "set_status", "value": "ESCALATED", "outcome": "done"}]


def test_all_conditions_must_match_and_every_evaluation_is_logged(api, admin, tech, client_id):
    rule_id = add_rule(
        api,
        admin,
        rule(
            conditions=[
                {"field": "priority", "operator": "in", "value": ["HIGH", "CRITICAL"]},
                {"field": "subject", "operator": "contains", "value": "vpn"},
            ],
            actions=[
                {"type": "assign", "value": "net-team"},
                {"type": "add_note", "value": "Network on call"},
            ],
        ),
    )
    miss = create(api, tech, client_id, priority="LOW")
    hit = create(api, tech, client_id, priority="HIGH")
    assert detail(api, tech, miss["id"])["assignee_id"] is None
    d = detail(api, tech, hit["id"])
    assert d["assignee_id"] == "net-team" and [n["body"] for n in d["notes"]] == ["Network on call"]
    by_ticket = {r["ticket_id"]: r for r in runs(api, admin, rule_id)}
    assert by_ticket[miss["id"]]["matched"] is False and by_ticket[miss["id"]]["actions"] == []
    assert [c["matched"] for c in by_ticket[miss["id"]]["conditions"]] == [False, True]
    assert [a["type"] for a in by_ticket[hit["id"]]["actions"]] == ["assign", "add_note"]


def test_rules_run_by_order_and_stop_after_match(api, admin, tech, client_id):
    second = add_rule(
        api, admin, rule(name="second", order=2, actions=[{"type": "add_tag", "value": "second"}])
    )
    first = add_rule(
        api,
        admin,
        rule(name="first", order=1, stop_after_match=True, actions=[{"type": "add_tag", "value": "first"}]),
    )
    t = create(api, tech, client_id)
    assert detail(api, tech, t["id"])["tags"] == ["first"]
    assert len(runs(api, admin, first)) == 1 and runs(api, admin, second) == []
    body = api.call("GET", f"/automations/{first}", admin).body
    api.call(
        "PUT",
        f"/automations/{first}",
        admin,
        {k: body[k] for k in rule()} | {"order": 1, "stop_after_match": False},
    )
    t2 = create(api, tech, client_id)
    assert detail(api, tech, t2["id"])["tags"] == ["first", "second"]


def test_changed_to_on_status_and_reply_triggers(api, admin, tech, client_id, contact_id, clock):
    escalated = add_rule(
        api,
        admin,
        rule(
            "ticket.status_changed",
            conditions=[{"field": "status", "operator": "changed_to", "value": "ESCALATED"}],
            actions=[{"type": "change_priority", "value": "CRITICAL"}],
        ),
    )
    reply = add_rule(
        api,
        admin,
        rule(
            "reply.added",
            conditions=[{"field": "contact_email", "operator": "contains", "value": "@acme.test"}],
        ),
    )
    t = create(api, tech, client_id, contact_id=contact_id)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": "IN_PROGRESS"})
    assert detail(api, tech, t["id"])["priority"] == "MEDIUM"
    clock.advance(M)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": "ESCALATED"})
    d = detail(api, tech, t["id"])
    assert d["priority"] == "CRITICAL"
    assert ("automation:" + escalated, "MEDIUM", "CRITICAL") in [
        (a["source"], a["change"]["from"], a["change"]["to"])
        for a in d["activity"]
        if a["change"].get("field") == "priority"
    ]
    assert [r["matched"] for r in runs(api, admin, escalated)] == [True, False]  # newest first
    cust = api.token("customer", "c", client_id=client_id, contact_id=contact_id)
    api.call("POST", f"/tickets/{t['id']}/replies", cust, {"body": "any news?"})
    assert "seen" in detail(api, tech, t["id"])["tags"]
    assert runs(api, admin, reply)[0]["event_type"] == "ReplyAdded"


def test_a_rule_never_retriggers_itself(api, admin, tech, client_id):
    # On any update, (re)assign to the lead: its own assignment is an update too, and would loop.
    rule_id = add_rule(
        api,
        admin,
        rule(
            "ticket.updated",
            actions=[{"type": "assign", "value": "lead-1"}, {"type": "add_note", "value": "routed"}],
        ),
    )
    t = create(api, tech, client_id)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"subject": "VPN down (HQ)"})
    d = detail(api, tech, t["id"])
    assert d["assignee_id"] == "lead-1" and [n["body"] for n in d["notes"]] == ["routed"]
    logged = runs(api, admin, rule_id)
    assert [(r["matched"], r.get("skipped")) for r in logged] == [
        (False, "the change was made by this rule"),
        (True, None),
    ]


def test_chains_stop_at_depth_three(api, admin, tech, client_id):
    def step(name: str, when: str, then: dict[str, Any]) -> str:
        return add_rule(
            api,
            admin,
            rule(
                "ticket.updated",
                name=name,
                conditions=[{"field": "priority", "operator": "changed_to", "value": when}],
                actions=[then],
            ),
        )

    a = step("a", "LOW", {"type": "change_priority", "value": "MEDIUM"})
    b = step("b", "MEDIUM", {"type": "change_priority", "value": "HIGH"})
    c = step("c", "HIGH", {"type": "change_priority", "value": "CRITICAL"})
    d = step("d", "CRITICAL", {"type": "add_tag", "value": "too-deep"})
    t = create(api, tech, client_id)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"priority": "LOW"})
    got = detail(api, tech, t["id"])
    assert got["priority"] == "CRITICAL" and got["tags"] == []
    sources = [a["source"] for a in got["activity"] if a["change"].get("field") == "priority"]
    assert sources == ["staff:tech-1", f"automation:{a}", f"automation:{b}", f"automation:{c}"]
    assert runs(api, admin, d)[0]["skipped"] == "automation chain depth 3 reached"


def test_redelivered_events_run_a_rule_once(api, admin, tech, client_id):
    from regentra.local.bus import router

    rule_id = add_rule(api, admin, rule(actions=[{"type": "add_note", "value": "once"}]))
    t = create(api, tech, client_id)
    created = [e for e in api.events(t["id"]) if e["type"] == "TicketCreated"]
    for _ in range(3):
        router().route(created)
    assert [n["body"] for n in detail(api, tech, t["id"])["notes"]] == ["once"]
    assert len(runs(api, admin, rule_id)) == 1


def test_dry_run_says_what_would_happen_and_writes_nothing(api, admin, tech, client_id):
    rule_id = add_rule(
        api,
        admin,
        rule(
            "ticket.updated",
            enabled=False,
            conditions=[{"field": "priority", "operator": "equals", "value": "HIGH"}],
            actions=[
                {"type": "set_status", "value": "ESCALATED"},
                {"type": "send_notification", "value": {"user_id": "lead-1", "message": "look"}},
            ],
        ),
    )
    high = create(api, tech, client_id, priority="HIGH")
    low = create(api, tech, client_id, priority="LOW")
    r = api.call("POST", f"/automations/{rule_id}/test", admin, {"ticket_id": high["id"]})
    assert r.status == 200, r.body
    assert r.body["would_execute"] is True and r.body["result"] == "would execute"
    assert r.body["conditions"][0]["matched"] is True
    assert [(a["type"], a["would"]) for a in r.body["actions"]] == [
        ("set_status", "done"),
        ("send_notification", "notify"),
    ]
    no = api.call("POST", f"/automations/{rule_id}/test", admin, {"ticket_id": low["id"]}).body
    assert no["would_execute"] is False and no["conditions"][0]["actual"] == "LOW"
    # nothing written: the ticket, the log and the notifications are as they were
    d = detail(api, tech, high["id"])
    assert (d["status"], d["version"]) == ("OPEN", high["version"])
    assert runs(api, admin, rule_id) == []
    assert api.call("GET", "/notifications", api.token("lead", "lead-1")).body["items"] == []
    assert (
        api.call(
            "POST", f"/automations/{rule_id}/test", admin, {"ticket_id": "01J0000000000000000000000Z"}
        ).status
        == 404
    )
    assert api.call("POST", f"/automations/{rule_id}/test", admin, {}).status == 400


def test_send_notification_in_app_and_by_email(api, admin, tech, client_id):
    add_rule(
        api,
        admin,
        rule(
            actions=[
                {
                    "type": "send_notification",
                    # the same person by id and by email: one notification in the app
                    "value": {
                        "user_id": "lead-1",
                        "email": "lead-1@local.regentra",
                        "message": "New ticket to triage",
                    },
                },
                {"type": "send_notification", "value": {"email": "Duty@MSP.test"}},
            ]
        ),
    )
    t = create(api, tech, client_id)
    lead = api.call("GET", "/notifications", api.token("lead", "lead-1")).body["items"]
    assert [(n["message"], n["ticket_id"], n["reason"]) for n in lead] == [
        ("New ticket to triage", t["id"], "automation")
    ]
    duty = api.call("GET", "/notifications", api.token("technician", "duty-7", email="duty@msp.test")).body[
        "items"
    ]
    assert len(duty) == 1 and "VPN down" in duty[0]["message"]
    mail = [m for m in api.outbox(t["id"]) if m["to"] == "duty@msp.test"]
    assert len(mail) == 1 and f"[#{t['number']}]" in mail[0]["subject"]
    assert api.call("GET", "/notifications", tech).body["items"] == []  # only the caller's own


def test_sla_alerts_reach_the_assignee(api, tech, client_id, contact_id, clock):
    t = create(api, tech, client_id, priority="CRITICAL", assignee_id="tom")
    clock.advance(23 * M)
    api.run_schedule("SlaSweepFunction")
    items = api.call("GET", "/notifications", api.token("technician", "tom")).body["items"]
    assert [(n["reason"], n["ticket_id"]) for n in items] == [("sla_at_risk", t["id"])]
    cust = api.token("customer", "c", client_id=client_id, contact_id=contact_id)
    assert api.call("GET", "/notifications", cust).status == 403
