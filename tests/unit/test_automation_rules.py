"""Automation rules, pure: validation (400 details), conditions (all must match), actions in order,
and the event plumbing that keeps a rule from re-triggering itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from regentra.domain.automation import (
    RuleBody,
    apply_actions,
    evaluate,
    event_changes,
    facts_of,
    rule_problems,
)
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.events import (
    MAX_CHAIN_DEPTH,
    STATUS_CHANGED,
    TICKET_UPDATED,
    BusEvent,
    Cause,
    change_events,
    ticket_created,
)
from regentra.domain.tickets import Ticket

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ticket(**kw: Any) -> Ticket:
    base: dict[str, Any] = {
        "tenant_id": "t",
        "id": "01J0000000000000000000000A",
        "number": 7,
        "subject": "VPN down at HQ",
        "description": "Nobody can connect since 8am",
        "status": Status.OPEN,
        "priority": Priority.MEDIUM,
        "channel": Channel.EMAIL,
        "client_id": "acme",
        "created_at": NOW,
        "updated_at": NOW,
        "analysis": {"category": "network"},
        "version": 2,
    }
    return Ticket(**(base | kw))


def rule(**kw: Any) -> RuleBody:
    body: dict[str, Any] = {
        "name": "r",
        "trigger": "ticket.created",
        "conditions": [],
        "actions": [{"type": "add_tag", "value": "seen"}],
    }
    return RuleBody.model_validate(body | kw)


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trigger": "ticket.deleted"}, "trigger"),
        ({"actions": []}, "actions"),
        ({"actions": [{"type": "reboot_server", "value": "x"}]}, "actions"),
        ({"conditions": [{"field": "mood", "operator": "equals", "value": "x"}]}, "conditions"),
        ({"conditions": [{"field": "priority", "operator": "like", "value": "HIGH"}]}, "conditions"),
        ({"order": "first"}, "order"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_ill_typed_rules_fail_validation(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        rule(**body)
    assert any(str(e["loc"][0]) == field for e in info.value.errors())


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (
            {"conditions": [{"field": "priority", "operator": "equals", "value": "URGENT"}]},
            "conditions.0.value",
        ),
        ({"conditions": [{"field": "status", "operator": "in", "value": "OPEN"}]}, "conditions.0.value"),
        ({"conditions": [{"field": "status", "operator": "in", "value": []}]}, "conditions.0.value"),
        (
            {"conditions": [{"field": "priority", "operator": "contains", "value": "HI"}]},
            "conditions.0.operator",
        ),
        (
            {"conditions": [{"field": "status", "operator": "changed_to", "value": "OPEN"}]},
            "conditions.0.operator",
        ),
        ({"conditions": [{"field": "subject", "operator": "equals", "value": None}]}, "conditions.0.value"),
        (
            {"conditions": [{"field": "category", "operator": "equals", "value": "weather"}]},
            "conditions.0.value",
        ),
        ({"actions": [{"type": "change_priority", "value": "URGENT"}]}, "actions.0.value"),
        ({"actions": [{"type": "set_status", "value": "DONE"}]}, "actions.0.value"),
        ({"actions": [{"type": "add_note", "value": "  "}]}, "actions.0.value"),
        ({"actions": [{"type": "add_tag", "value": "not a tag!"}]}, "actions.0.value"),
        ({"actions": [{"type": "assign", "value": "bad id with spaces"}]}, "actions.0.value"),
        ({"actions": [{"type": "send_notification", "value": {"message": "hi"}}]}, "actions.0.value"),
        ({"actions": [{"type": "send_notification", "value": "tom"}]}, "actions.0.value"),
    ],
)
def test_semantically_invalid_rules_have_details(body: dict[str, Any], where: str) -> None:
    problems = rule_problems(rule(**body))
    assert [p["field"] for p in problems] == [where], problems


def test_changed_to_is_valid_on_the_trigger_that_reports_the_field() -> None:
    ok = rule(
        trigger="ticket.status_changed",
        conditions=[{"field": "status", "operator": "changed_to", "value": "ESCALATED"}],
    )
    assert rule_problems(ok) == []
    ok2 = rule(
        trigger="ticket.updated",
        conditions=[{"field": "priority", "operator": "changed_to", "value": "HIGH"}],
    )
    assert rule_problems(ok2) == []


# --- conditions -----------------------------------------------------------------------------------


FACTS = facts_of(ticket(assignee_id=None), "dana@acme.test")


@pytest.mark.parametrize(
    ("condition", "matched"),
    [
        ({"field": "priority", "operator": "equals", "value": "MEDIUM"}, True),
        ({"field": "priority", "operator": "equals", "value": "medium"}, True),
        ({"field": "priority", "operator": "equals", "value": "HIGH"}, False),
        ({"field": "status", "operator": "in", "value": ["OPEN", "IN_PROGRESS"]}, True),
        ({"field": "status", "operator": "in", "value": ["RESOLVED"]}, False),
        ({"field": "subject", "operator": "contains", "value": "vpn"}, True),
        ({"field": "description", "operator": "contains", "value": "printer"}, False),
        ({"field": "contact_email", "operator": "contains", "value": "@acme.test"}, True),
        ({"field": "channel", "operator": "not", "value": "EMAIL"}, False),
        ({"field": "channel", "operator": "not", "value": ["SMS", "CHAT"]}, True),
        ({"field": "category", "operator": "equals", "value": "network"}, True),
        ({"field": "client", "operator": "equals", "value": "acme"}, True),
        ({"field": "assignee", "operator": "equals", "value": None}, True),
        ({"field": "assignee", "operator": "not", "value": None}, False),
    ],
)
def test_condition_operators(condition: dict[str, Any], matched: bool) -> None:
    [result] = evaluate(rule(conditions=[condition]), FACTS, {})
    assert result.matched is matched


def test_changed_to_looks_at_what_the_event_changed() -> None:
    r = rule(
        trigger="ticket.updated",
        conditions=[{"field": "priority", "operator": "changed_to", "value": "HIGH"}],
    )
    high_now = facts_of(ticket(priority=Priority.HIGH), None)
    [yes] = evaluate(r, high_now, event_changes({"priority": "HIGH"}))
    [no] = evaluate(r, high_now, event_changes({"assignee_id": "tom"}))  # HIGH already, not changed now
    [dry] = evaluate(r, high_now, None)
    assert (yes.matched, no.matched, dry.matched) == (True, False, True)
    assert dry.note and "dry run" in dry.note


def test_all_conditions_are_evaluated_and_logged() -> None:
    r = rule(
        conditions=[
            {"field": "priority", "operator": "equals", "value": "LOW"},
            {"field": "subject", "operator": "contains", "value": "VPN"},
        ]
    )
    results = evaluate(r, FACTS, {})
    assert [c.matched for c in results] == [False, True]
    assert results[0].as_dict() == {
        "field": "priority",
        "operator": "equals",
        "value": "LOW",
        "actual": "MEDIUM",
        "matched": False,
    }


# --- actions --------------------------------------------------------------------------------------


def test_actions_run_in_order_as_one_change() -> None:
    r = rule(
        actions=[
            {"type": "assign", "value": "tom"},
            {"type": "change_priority", "value": "HIGH"},
            {"type": "set_status", "value": "ESCALATED"},
            {"type": "add_note", "value": "Escalated by rule"},
            {"type": "add_tag", "value": "VIP-Desk"},
            {"type": "send_notification", "value": {"email": "Lead@MSP.test", "message": "look"}},
        ]
    )
    out = apply_actions(ticket(), "R1", r, NOW)
    t = out.ticket
    assert (t.assignee_id, t.priority, t.status, t.tags) == (
        "tom",
        Priority.HIGH,
        Status.ESCALATED,
        ("vip-desk",),
    )
    assert [n.body for n in out.notes] == ["Escalated by rule"]
    assert [(n.email, n.message) for n in out.notifications] == [("lead@msp.test", "look")]
    assert {a.source for a in out.activity} == {"automation:R1"}
    assert out.priority_change is not None and out.priority_change.source == "automation:R1"
    assert [r["outcome"] for r in out.results] == ["done"] * 6


def test_a_forbidden_status_move_fails_alone() -> None:
    r = rule(
        actions=[{"type": "set_status", "value": "WAITING_ON_CUSTOMER"}, {"type": "add_tag", "value": "x"}]
    )
    out = apply_actions(ticket(status=Status.CLOSED), "R1", r, NOW)
    assert out.results[0]["outcome"] == "failed" and "invalid_transition" in out.results[0]["detail"]
    assert out.results[1]["outcome"] == "done" and out.ticket.status == Status.CLOSED


def test_no_change_actions_say_so() -> None:
    r = rule(
        actions=[{"type": "change_priority", "value": "MEDIUM"}, {"type": "set_status", "value": "OPEN"}]
    )
    out = apply_actions(ticket(), "R1", r, NOW)
    assert [x["outcome"] for x in out.results] == ["no_change", "no_change"]
    assert out.ticket == ticket() and out.priority_change is None


# --- events: a rule's own change, chain depth ------------------------------------------------------


def test_change_events_carry_the_chain_and_are_keyed_by_version() -> None:
    before = ticket()
    after = ticket(status=Status.ESCALATED, priority=Priority.HIGH)
    events = change_events(before, after, source="automation:R1", at=NOW, cause=Cause().then("R1"))
    assert [(e.type, e.key) for e in events] == [
        (STATUS_CHANGED, "StatusChanged#v3"),
        (TICKET_UPDATED, "TicketUpdated#v3"),
    ]
    assert events[0].detail["from"] == "OPEN" and events[0].detail["to"] == "ESCALATED"
    assert events[1].detail["changes"] == {"priority": {"from": "MEDIUM", "to": "HIGH"}}
    bus = BusEvent(id="e", type=TICKET_UPDATED, at=NOW, detail=events[1].detail)
    assert bus.cause == Cause(rules=("R1",), depth=1)
    assert bus.changes() == {"priority": "HIGH"}


def test_a_plain_change_has_no_cause() -> None:
    events = change_events(ticket(), ticket(subject="x"), source="staff:u1", at=NOW)
    assert "cause" not in events[0].detail
    assert BusEvent(id="e", type=TICKET_UPDATED, at=NOW, detail=events[0].detail).cause == Cause()


def test_chain_depth_limit() -> None:
    cause = Cause()
    for rule_id in ("A", "B", "C"):
        cause = cause.then(rule_id)
    assert cause.depth == MAX_CHAIN_DEPTH == 3 and cause.rules == ("A", "B", "C")


def test_ticket_created_event_is_keyed_once() -> None:
    event = ticket_created(ticket(), "customer:c1")
    assert (event.type, event.key, event.detail["source"]) == (
        "TicketCreated",
        "TicketCreated",
        "customer:c1",
    )
