"""Priority is customer-controlled (API.md "Priority"), through the local stack: the AI analyzer only
suggests; VIP, spike, AI security and AI frustration policies only raise LOW/MEDIUM to HIGH; every
change is in the activity log with its source; the repository refuses any other priority write."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from regentra.domain.analysis import Analysis
from regentra.domain.enums import Priority
from regentra.domain.events import TICKET_CREATED, BusEvent
from regentra.domain.priority import PriorityChange
from regentra.errors import ConcurrentUpdate, Forbidden

M = timedelta(minutes=1)
ALL = [p.value for p in Priority]


def create(api, token, body: dict[str, Any]) -> dict[str, Any]:
    r = api.call("POST", "/tickets", token, body)
    assert r.status == 201, r.body
    return r.body


def detail(api, token, ticket_id: str) -> dict[str, Any]:
    r = api.call("GET", f"/tickets/{ticket_id}", token)
    assert r.status == 200, r.body
    return r.body


def priority_changes(d: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    return [
        (a["source"], a["change"]["from"], a["change"]["to"], a["change"].get("why"))
        for a in d["activity"]
        if a["change"].get("field") == "priority"
    ]


@pytest.fixture()
def customer(api, client_id, contact_id) -> str:
    return api.token("customer", "cust-1", client_id=client_id, contact_id=contact_id)


def put_policies(api, admin, **changes: Any) -> dict[str, Any]:
    body = api.call("GET", "/settings/policies", admin).body | changes
    r = api.call("PUT", "/settings/policies", admin, body)
    assert r.status == 200, r.body
    return r.body


# --- the end-to-end cases of the issue ------------------------------------------------------------


def test_a_customers_critical_stays_critical_while_the_analyzer_suggests_low(api, tech, customer):
    t = create(
        api,
        customer,
        {
            "subject": "Email signature",
            "description": "How do I change my email signature? No rush.",
            "priority": "CRITICAL",
        },
    )
    d = detail(api, tech, t["id"])
    assert d["priority"] == "CRITICAL"
    assert d["suggested_priority"] == "LOW"
    assert d["analysis"]["suggested_priority"] == "LOW"
    assert d["analysis"]["provider"] == "offline:lexicon+vader"  # the provider in use is shown
    assert d["analysis"]["category"] == "request" and d["analysis"]["summary"]
    assert priority_changes(d) == []
    assert d["version"] == t["version"]  # advice is not an edit: a staff If-Match stays valid
    # Customers never see AI fields, and cannot change priority after creation.
    seen = detail(api, customer, t["id"])
    assert seen["suggested_priority"] is None and "analysis" not in seen and "activity" not in seen
    r = api.call("PATCH", f"/tickets/{t['id']}", customer, {"priority": "LOW"})
    assert r.status == 403 and r.body["error"]["code"] == "forbidden"
    assert detail(api, tech, t["id"])["priority"] == "CRITICAL"


def test_a_vip_clients_low_becomes_high_with_source_policy_vip(api, admin, tech):
    vip = api.call("POST", "/clients", admin, {"name": "Cobalt Law", "vip": True}).body["id"]
    low = create(api, tech, {"subject": "Printer jam", "priority": "LOW", "client_id": vip})
    d = detail(api, tech, low["id"])
    assert d["priority"] == "HIGH"
    assert priority_changes(d) == [("policy:vip", "LOW", "HIGH", "VIP client")]
    assert [a["actor"] for a in d["activity"] if a["source"] == "policy:vip"] == ["policy"]
    # The SLA follows the new priority (HIGH: 60 min response, business hours; Monday 09:00 UTC).
    assert d["sla"]["response"]["due_at"] == "2026-11-23T10:00:00.000Z"
    # A policy never touches HIGH or CRITICAL, and never lowers.
    crit = create(api, tech, {"subject": "Server down", "priority": "CRITICAL", "client_id": vip})
    assert detail(api, tech, crit["id"])["priority"] == "CRITICAL"
    assert priority_changes(detail(api, tech, crit["id"])) == []
    # Switched off, it does nothing.
    put_policies(api, admin, vip=False)
    off = create(api, tech, {"subject": "Mouse", "priority": "LOW", "client_id": vip})
    assert detail(api, tech, off["id"])["priority"] == "LOW"


def test_ransomware_raises_low_to_high_with_source_policy_ai_security(api, tech, customer):
    t = create(
        api,
        customer,
        {"subject": "File server", "description": "ransomware encrypted the file server", "priority": "LOW"},
    )
    d = detail(api, tech, t["id"])
    assert d["priority"] == "HIGH"  # raised to HIGH only, although the analyzer suggests CRITICAL
    assert d["suggested_priority"] == "CRITICAL"
    assert d["analysis"]["security_incident"] is True and d["analysis"]["category"] == "security"
    assert priority_changes(d) == [
        ("policy:ai_security", "LOW", "HIGH", "the analyzer reports a security incident")
    ]


def test_a_customer_reply_is_analyzed_too(api, admin, tech, customer):
    t = create(api, customer, {"subject": "Laptop", "description": "The fan is loud.", "priority": "MEDIUM"})
    assert detail(api, tech, t["id"])["priority"] == "MEDIUM"
    angry = "This is the third time I am asking!!! Nobody has fixed my laptop and it is unacceptable."
    assert api.call("POST", f"/tickets/{t['id']}/replies", customer, {"body": angry}).status == 201
    d = detail(api, tech, t["id"])
    assert d["analysis"]["trigger"] == "customer_reply" and d["analysis"]["frustration"] is True
    assert priority_changes(d) == [
        ("policy:ai_frustration", "MEDIUM", "HIGH", "the analyzer reports customer frustration")
    ]
    # A staff reply is not analyzed; a technician's own words never raise the priority.
    before = d["analysis"]["run_id"]
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Sorry!!! Unacceptable, we are on it."})
    assert detail(api, tech, t["id"])["analysis"]["run_id"] == before


def test_ai_policies_can_be_switched_off_but_the_suggestion_stays(api, admin, tech, customer):
    put_policies(api, admin, ai_security=False)
    t = create(
        api, customer, {"subject": "Phishing", "description": "I clicked a phishing link", "priority": "LOW"}
    )
    d = detail(api, tech, t["id"])
    assert d["priority"] == "LOW" and d["suggested_priority"] == "CRITICAL"
    assert d["analysis"]["security_incident"] is True and priority_changes(d) == []


def test_the_fifth_ticket_in_fifteen_minutes_from_one_client_is_raised(api, admin, tech, client_id, clock):
    other = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    made = []
    for i in range(5):
        made.append(create(api, tech, {"subject": f"Outage {i}", "priority": "LOW", "client_id": client_id}))
        if i < 4:  # another client's four tickets in the same minutes are counted apart
            create(api, tech, {"subject": f"Other {i}", "priority": "LOW", "client_id": other})
        clock.advance(3 * M)  # 09:00, 09:03, ... 09:12
    got = [detail(api, tech, t["id"]) for t in made]
    assert [d["priority"] for d in got] == ["LOW", "LOW", "LOW", "LOW", "HIGH"]
    assert priority_changes(got[4]) == [
        ("policy:spike", "LOW", "HIGH", "5 tickets from this client within 15 minutes")
    ]
    assert api.call("GET", f"/tickets?client_id={other}&priority=HIGH", tech).body["items"] == []


def test_tickets_spread_wider_than_the_window_are_no_spike(api, admin, tech, client_id, clock):
    made = []
    for _ in range(5):  # 09:00, 09:04, 09:08, 09:12, 09:16: never five within 15 minutes
        made.append(create(api, tech, {"subject": "s", "priority": "MEDIUM", "client_id": client_id}))
        clock.advance(4 * M)
    clock.advance(-3 * M)  # 09:17: 09:04 .. 09:17 holds five
    made.append(create(api, tech, {"subject": "s", "priority": "MEDIUM", "client_id": client_id}))
    assert [detail(api, tech, t["id"])["priority"] for t in made] == ["MEDIUM"] * 5 + ["HIGH"]
    # Switched off, even a burst is not raised.
    put_policies(api, admin, spike={"enabled": False, "threshold": 5, "window_minutes": 15})
    burst = [create(api, tech, {"subject": "s", "priority": "LOW", "client_id": client_id}) for _ in range(3)]
    assert {detail(api, tech, t["id"])["priority"] for t in burst} == {"LOW"}


def test_policy_settings_are_admin_only_with_api_md_defaults(api, admin, tech):
    assert api.call("GET", "/settings/policies", admin).body == {
        "vip": True,
        "spike": {"enabled": True, "threshold": 5, "window_minutes": 15},
        "ai_security": True,
        "ai_frustration": True,
    }
    assert api.call("GET", "/settings/policies", tech).status == 403
    assert api.call("PUT", "/settings/policies", tech, {"vip": False}).status == 403
    bad = api.call("PUT", "/settings/policies", admin, {"vip": "no", "spike": {"threshold": 0}})
    assert bad.status == 400
    assert {d["field"] for d in bad.body["error"]["details"]} == {"vip", "spike.threshold"}
    saved = put_policies(
        api, admin, ai_frustration=False, spike={"enabled": True, "threshold": 3, "window_minutes": 10}
    )
    assert api.call("GET", "/settings/policies", admin).body == saved
    assert (
        saved["spike"] == {"enabled": True, "threshold": 3, "window_minutes": 10}
        and not saved["ai_frustration"]
    )


# --- the analyzer can only suggest ----------------------------------------------------------------


class Suggests:
    """A model that answers with a fixed analysis."""

    def __init__(self, priority: str, *, security: bool = False, frustration: bool = False) -> None:
        self.provider = "stub:model"
        self.analysis = Analysis(
            suggested_priority=Priority(priority),
            category="other",
            security_incident=security,
            frustration=frustration,
            summary="stub",
        )

    def analyze(self, subject: str, body: str, *, is_reply: bool = False) -> tuple[Analysis, str]:
        return self.analysis, self.provider


def created_event(tenant: str, ticket_id: str, at, tag: str) -> BusEvent:
    detail = {"tenant_id": tenant, "ticket_id": ticket_id, "source": "customer:c"}
    return BusEvent(id=f"test|{ticket_id}|{tag}", type=TICKET_CREATED, at=at, detail=detail)


@pytest.mark.parametrize("initial", ALL)
def test_the_model_suggesting_every_other_value_never_changes_priority(
    api, tech, client_id, tenant, clock, initial
):
    from regentra.services.analyzer import analyze_event
    from regentra.services.deps import default_deps

    deps = default_deps()
    t = create(api, tech, {"subject": "Printer", "priority": initial, "client_id": client_id})
    for suggested in [p for p in ALL if p != initial]:
        analyze_event(
            deps, created_event(tenant, t["id"], clock.now(), suggested), analyzer=Suggests(suggested)
        )
        d = detail(api, tech, t["id"])
        assert (d["priority"], d["suggested_priority"]) == (initial, suggested)
        assert d["analysis"]["provider"] == "stub:model"
    assert priority_changes(detail(api, tech, t["id"])) == []


@pytest.mark.parametrize("initial", ALL)
def test_ai_policies_only_ever_raise_low_and_medium_to_high(api, tech, client_id, tenant, clock, initial):
    from regentra.services.analyzer import analyze_event
    from regentra.services.deps import default_deps

    t = create(api, tech, {"subject": "Printer", "priority": initial, "client_id": client_id})
    for i, suggested in enumerate(ALL):
        model = Suggests(suggested, security=True, frustration=True)
        analyze_event(default_deps(), created_event(tenant, t["id"], clock.now(), f"{i}"), analyzer=model)
    d = detail(api, tech, t["id"])
    expected = "HIGH" if initial in ("LOW", "MEDIUM") else initial
    assert d["priority"] == expected
    assert len(priority_changes(d)) == (1 if expected != initial else 0)


# --- idempotency and the guard --------------------------------------------------------------------


def test_redelivered_events_change_nothing_twice(api, tech, client_id, tenant):
    from regentra.local.bus import router

    first = [
        create(api, tech, {"subject": f"s{i}", "priority": "LOW", "client_id": client_id}) for i in range(4)
    ]
    created = [e for e in api.events(first[3]["id"]) if e["type"] == "TicketCreated"]
    assert len(created) == 1
    for _ in range(3):  # EventBridge may deliver an event more than once
        router().route(created)
    fifth = create(api, tech, {"subject": "s4", "priority": "LOW", "client_id": client_id})
    assert detail(api, tech, first[3]["id"])["priority"] == "LOW"  # still counted once: four, no spike
    raised = detail(api, tech, fifth["id"])
    assert raised["priority"] == "HIGH"
    for _ in range(2):
        router().route([e for e in api.events(fifth["id"]) if e["type"] == "TicketCreated"])
    again = detail(api, tech, fifth["id"])
    assert priority_changes(again) == priority_changes(raised) and again["version"] == raised["version"]


def test_the_repository_refuses_any_other_priority_write(api, tech, client_id, tenant):
    from regentra.services.deps import default_deps

    deps = default_deps()
    t = create(api, tech, {"subject": "s", "priority": "MEDIUM", "client_id": client_id})
    current = deps.tickets.get(tenant, t["id"])
    assert current is not None
    with pytest.raises(Forbidden):  # no PriorityChange: a plain save cannot move priority
        deps.tickets.save(replace(current, priority=Priority.HIGH), [])
    with pytest.raises(Forbidden):  # a policy never lowers
        deps.tickets.save(
            replace(current, priority=Priority.LOW),
            [],
            priority_change=PriorityChange(Priority.MEDIUM, "policy:vip"),
        )
    with pytest.raises(Forbidden):  # the AI never sets priority
        deps.tickets.save(
            replace(current, priority=Priority.LOW),
            [],
            priority_change=PriorityChange(Priority.MEDIUM, "ai:model"),
        )
    with pytest.raises(Forbidden):  # a PriorityChange must name the priority it was read with
        deps.tickets.save(
            replace(current, priority=Priority.HIGH),
            [],
            priority_change=PriorityChange(Priority.LOW, "staff:u1"),
        )
    saved = deps.tickets.save(
        replace(current, priority=Priority.HIGH),
        [],
        priority_change=PriorityChange(Priority.MEDIUM, "staff:u1"),
    )
    assert saved.priority == Priority.HIGH and detail(api, tech, t["id"])["priority"] == "HIGH"
    with pytest.raises(ConcurrentUpdate):  # a stale read loses the race (the caller re-reads)
        deps.tickets.save(
            replace(current, priority=Priority.LOW),
            [],
            priority_change=PriorityChange(Priority.MEDIUM, "staff:u1"),
        )
