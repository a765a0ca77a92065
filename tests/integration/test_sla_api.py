"""SLA policies, live SLA badges, the sweep, auto-close and the report — on DynamoDB Local."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

M = timedelta(minutes=1)
DEFAULT = {
    "timezone": "UTC",
    "business_hours": {
        "mon": [["09:00", "17:00"]],
        "tue": [["09:00", "17:00"]],
        "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]],
        "fri": [["09:00", "17:00"]],
        "sat": [],
        "sun": [],
    },
    "holidays": [],
    "at_risk_percent": 75,
    "targets": {
        "CRITICAL": {"response_minutes": 30, "resolution_minutes": 240, "hours": "24x7"},
        "HIGH": {"response_minutes": 60, "resolution_minutes": 480, "hours": "business"},
        "MEDIUM": {"response_minutes": 240, "resolution_minutes": 1440, "hours": "business"},
        "LOW": {"response_minutes": 480, "resolution_minutes": 2400, "hours": "business"},
    },
}


def new_ticket(api, token, client_id, priority="HIGH"):
    r = api.call(
        "POST", "/tickets", token, {"subject": "VPN down", "priority": priority, "client_id": client_id}
    )
    assert r.status == 201, r.body
    return r.body


def get(api, token, ticket_id):
    r = api.call("GET", f"/tickets/{ticket_id}", token)
    assert r.status == 200, r.body
    return r.body


# --- policies -------------------------------------------------------------------------------------


def test_default_policy_is_api_md_and_admin_only(api, admin, tech):
    r = api.call("GET", "/settings/sla", admin)
    assert r.status == 200 and r.body == DEFAULT
    assert api.call("GET", "/settings/sla", tech).status == 403
    assert api.call("PUT", "/settings/sla", tech, DEFAULT).status == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(timezone="Mars/Olympus"), "timezone"),
        (lambda b: b["business_hours"].update(mon=[["09:00", "25:00"]]), "business_hours"),
        (lambda b: b["business_hours"].update(tue=[["12:00", "09:00"]]), "business_hours"),
        (
            lambda b: b["business_hours"].update(wed=[["09:00", "12:00"], ["11:00", "14:00"]]),
            "business_hours",
        ),
        (lambda b: b["business_hours"].pop("sun"), "business_hours"),
        (lambda b: b.update(holidays=["2026-13-01"]), "holidays"),
        (lambda b: b.update(at_risk_percent=150), "at_risk_percent"),
        (lambda b: b["targets"].pop("LOW"), "targets"),
        (lambda b: b["targets"]["HIGH"].update(response_minutes=0), "targets"),
        (lambda b: b["targets"]["HIGH"].update(hours="office"), "targets"),
        (lambda b: b.update(surprise=1), "surprise"),
    ],
)
def test_bad_policies_are_400_with_details(api, admin, change, field):
    body = copy.deepcopy(DEFAULT)
    change(body)
    r = api.call("PUT", "/settings/sla", admin, body)
    assert r.status == 400, r.body
    assert any(d["field"].startswith(field) for d in r.body["error"]["details"]), r.body
    assert api.call("GET", "/settings/sla", admin).body == DEFAULT  # nothing half-written


def test_default_policy_change_applies_to_new_tickets_only(api, admin, tech, client_id):
    before = new_ticket(api, tech, client_id)
    body = copy.deepcopy(DEFAULT)
    body["targets"]["HIGH"]["response_minutes"] = 120
    assert api.call("PUT", "/settings/sla", admin, body).status == 200
    after = new_ticket(api, tech, client_id)
    assert before["sla"]["response"]["due_at"] == "2026-11-23T10:00:00.000Z"
    assert get(api, tech, before["id"])["sla"]["response"]["due_at"] == "2026-11-23T10:00:00.000Z"
    assert after["sla"]["response"]["due_at"] == "2026-11-23T11:00:00.000Z"


def test_named_policies_per_client(api, admin, tech, client_id):
    berlin = copy.deepcopy(DEFAULT) | {"name": "Berlin 24x7", "timezone": "Europe/Berlin"}
    for t in berlin["targets"].values():
        t["hours"] = "24x7"
    assert api.call("POST", "/sla-policies", admin, DEFAULT).status == 400  # a named policy needs a name
    created = api.call("POST", "/sla-policies", admin, berlin)
    assert created.status == 201, created.body
    pid = created.body["id"]
    assert api.call("GET", f"/sla-policies/{pid}", admin).body["name"] == "Berlin 24x7"
    assert [p["id"] for p in api.call("GET", "/sla-policies", admin).body["items"]] == [pid]
    assert (
        api.call(
            "PATCH", f"/clients/{client_id}", admin, {"sla_policy_id": "01NOSUCHPOLICY000000000000"}
        ).status
        == 400
    )
    assert api.call("PATCH", f"/clients/{client_id}", admin, {"sla_policy_id": pid}).status == 200
    t = new_ticket(api, tech, client_id)  # Monday 09:00 UTC, 24x7: due 10:00 whatever the hours
    assert t["sla"]["policy_id"] == pid
    assert t["sla"]["resolution"]["due_at"] == "2026-11-23T17:00:00.000Z"
    sat = new_ticket(api, tech, client_id)
    assert sat["sla"]["policy_id"] == pid
    assert api.call("DELETE", f"/sla-policies/{pid}", admin).status == 409  # still assigned
    api.call("PATCH", f"/clients/{client_id}", admin, {"sla_policy_id": None})
    assert api.call("DELETE", f"/sla-policies/{pid}", admin).status == 204
    assert api.call("GET", f"/sla-policies/{pid}", admin).status == 404
    assert get(api, tech, t["id"])["sla"]["policy_id"] == pid  # the ticket keeps its policy


# --- live badges ------------------------------------------------------------------------------------


def test_badge_is_computed_for_the_request_moment(api, tech, client_id, clock):
    t = new_ticket(api, tech, client_id)  # HIGH: response 60 min, at risk from 45 min
    clock.advance(44 * M)
    assert get(api, tech, t["id"])["sla"]["response"]["status"] == "ON_TRACK"
    clock.advance(M)
    view = get(api, tech, t["id"])["sla"]
    assert view["response"]["status"] == "AT_RISK" and view["status"] == "AT_RISK"
    clock.advance(15 * M)
    assert get(api, tech, t["id"])["sla"]["response"]["status"] == "AT_RISK"  # exactly due
    clock.advance(M)
    view = get(api, tech, t["id"])["sla"]
    assert view["response"]["status"] == "BREACHED" and view["status"] == "BREACHED"


def test_resolved_on_time_is_met_and_waiting_pauses(api, tech, client_id, clock):
    t = new_ticket(api, tech, client_id)
    path = f"/tickets/{t['id']}"
    clock.advance(30 * M)
    api.call("PATCH", path, tech, {"status": "WAITING_ON_CUSTOMER"})
    clock.advance(120 * M)
    paused = get(api, tech, t["id"])["sla"]["resolution"]
    assert paused["paused"] is True and paused["elapsed_minutes"] == 30
    api.call("PATCH", path, tech, {"status": "IN_PROGRESS"})
    assert get(api, tech, t["id"])["sla"]["resolution"]["due_at"] == "2026-11-24T11:00:00.000Z"
    clock.advance(10 * M)
    done = api.call("PATCH", path, tech, {"status": "RESOLVED"}).body["sla"]
    assert done["resolution"]["status"] == "MET" and done["resolution"]["stopped_at"] is not None


# --- the sweep ------------------------------------------------------------------------------------


def test_sweep_reads_only_due_tickets_and_emits_each_event_once(api, tech, client_id, clock, tenant):
    due = new_ticket(api, tech, client_id, "CRITICAL")  # response at risk after 22.5 min (24x7)
    clock.advance(10 * M)
    for _ in range(9):
        new_ticket(api, tech, client_id, "LOW")  # nothing due for hours
    clock.advance(13 * M)
    first = api.run_schedule("SlaSweepFunction")
    assert first["changed"] >= 1 and first["events"] >= 1
    mine = [a for a in get(api, tech, due["id"])["activity"] if a["source"] == "schedule:sla_sweep"]
    assert [a["change"] for a in mine] == [{"event": "sla_at_risk", "timer": "response"}]
    assert mine[0]["at"] == "2026-11-23T09:22:30.000Z"  # the moment it became true
    again = api.run_schedule("SlaSweepFunction")
    mine_again = [a for a in get(api, tech, due["id"])["activity"] if a["source"] == "schedule:sla_sweep"]
    assert mine_again == mine  # running twice changes nothing
    assert again["events"] == 0

    from regentra.adapters.dynamo.repository import DynamoTicketRepository
    from regentra.clock import get_clock

    repo = DynamoTicketRepository()
    entries = [tid for t_id, tid in repo.due("sla", get_clock().now()) if t_id == tenant]
    assert entries == []  # the due ticket moved on to its next moment (breach at 09:30), the others wait

    clock.advance(8 * M)  # 09:31, past the 30 min response target
    api.run_schedule("SlaSweepFunction")
    changes = [
        a["change"] for a in get(api, tech, due["id"])["activity"] if a["source"] == "schedule:sla_sweep"
    ]
    assert changes == [
        {"event": "sla_at_risk", "timer": "response"},
        {"event": "sla_breached", "timer": "response"},
    ]

    from regentra.adapters.dynamo.items import EventItem, ticket_pk

    events = sorted(
        e.sk for e in EventItem.query(ticket_pk(tenant, due["id"]), EventItem.sk.startswith("EVT#Sla"))
    )
    assert events == ["EVT#SlaAtRisk#response", "EVT#SlaBreached#response"]
    # published from the table stream to the bus, once each
    published = [e for e in api.events(due["id"]) if e["type"].startswith("Sla")]
    assert [(e["type"], e["detail"]["timer"]) for e in published] == [
        ("SlaAtRisk", "response"),
        ("SlaBreached", "response"),
    ]
    assert published[0]["at"].startswith("2026-11-23T09:22:30")


def test_overlapping_sweeps_emit_once(api, tech, client_id, clock, tenant):
    t = new_ticket(api, tech, client_id, "CRITICAL")
    clock.advance(31 * M)
    import threading

    from regentra.services.deps import default_deps
    from regentra.services.sla_jobs import sweep_ticket

    counts: list[int] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        counts.append(sweep_ticket(default_deps(), tenant, t["id"], clock.now()))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(counts) == [0, 0, 2]  # at risk + breached, once, whoever won
    sweeps = [a for a in get(api, tech, t["id"])["activity"] if a["source"] == "schedule:sla_sweep"]
    assert len(sweeps) == 2


# --- auto-close -------------------------------------------------------------------------------------


def test_auto_close_at_24_hours_and_not_before(api, tech, client_id, clock):
    t = new_ticket(api, tech, client_id)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": "RESOLVED"})
    clock.advance(24 * 60 * M - M)
    api.run_schedule("AutoCloseFunction")
    assert get(api, tech, t["id"])["status"] == "RESOLVED"
    clock.advance(M)
    result = api.run_schedule("AutoCloseFunction")
    assert result["changed"] >= 1
    closed = get(api, tech, t["id"])
    assert closed["status"] == "CLOSED" and closed["closed_at"] == "2026-11-24T09:00:00.000Z"
    last = closed["activity"][-1]
    assert last["source"] == "schedule:auto_close" and last["change"]["event"] == "auto_closed"
    assert api.run_schedule("AutoCloseFunction")["changed"] == 0


def test_a_reopen_racing_the_auto_close_loses_nothing(api, tech, client_id, clock, tenant):
    from regentra.services.deps import default_deps
    from regentra.services.sla_jobs import close_ticket

    t = new_ticket(api, tech, client_id)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": "RESOLVED"})
    clock.advance(24 * 60 * M)
    deps = default_deps()
    real_get = deps.tickets.get
    raced = []

    def get_then_reopen(tenant_id, ticket_id):
        ticket = real_get(tenant_id, ticket_id)
        if not raced:  # the technician reopens between the job's read and its write
            raced.append(api.call("PATCH", f"/tickets/{ticket_id}", tech, {"status": "IN_PROGRESS"}).status)
        return ticket

    deps.tickets = type("Racing", (), {"get": staticmethod(get_then_reopen), "save": deps.tickets.save})()
    assert close_ticket(deps, tenant, t["id"], clock.now()) is False
    assert raced == [200]
    final = get(api, tech, t["id"])
    assert final["status"] == "IN_PROGRESS"
    assert [a["change"].get("to") for a in final["activity"][1:]] == ["RESOLVED", "IN_PROGRESS"]


# --- report --------------------------------------------------------------------------------------


def test_sla_report_from_counters(api, admin, tech, client_id, clock):
    other = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    on_time = new_ticket(api, tech, client_id)
    late = new_ticket(api, tech, other)
    clock.advance(30 * M)
    api.call("PATCH", f"/tickets/{on_time['id']}", tech, {"status": "RESOLVED"})  # response+resolution met
    clock.advance(24 * 60 * M)  # Tuesday 09:30: late is past both HIGH targets
    api.run_schedule("SlaSweepFunction")
    api.call("PATCH", f"/tickets/{late['id']}", tech, {"status": "RESOLVED"})
    r = api.call("GET", "/reports/sla?from=2026-11-23&to=2026-11-24", tech)
    assert r.status == 200, r.body
    high = r.body["by_priority"]["HIGH"]
    assert high["resolution"] == {
        "met": 1,
        "breached": 1,
        "compliance_percent": 50.0,
        "average_business_minutes": pytest.approx((30 + 510) / 2, abs=0.1),
    }
    assert high["response"]["met"] == 1 and high["response"]["breached"] == 1
    assert r.body["by_client"][client_id]["resolution"]["compliance_percent"] == 100.0
    per_day = {d["date"]: d["breaches"] for d in r.body["breaches_per_day"]}
    assert per_day == {"2026-11-23": 0, "2026-11-24": 2}
    only = api.call("GET", f"/reports/sla?from=2026-11-23&to=2026-11-24&client_id={other}", tech).body
    assert only["overall"]["resolution"]["breached"] == 1 and only["overall"]["resolution"]["met"] == 0
    for bad in ("from=2026-11-30&to=2026-11-01", "from=yesterday", "from=2025-01-01&to=2026-11-01", "x=1"):
        assert api.call("GET", f"/reports/sla?{bad}", tech).status == 400, bad
    cust = api.token("customer", "c", client_id=client_id)
    assert api.call("GET", "/reports/sla", cust).status == 403
