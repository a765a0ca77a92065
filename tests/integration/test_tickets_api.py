"""The ticket core through the handlers, on DynamoDB Local (conditions, transactions, indexes)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest


def create(api, token, client_id, **fields):
    body = {
        "subject": "VPN down",
        "description": "Nobody can connect",
        "priority": "HIGH",
        "client_id": client_id,
    }
    body.update(fields)
    r = api.call("POST", "/tickets", token, body)
    assert r.status == 201, r.body
    return r.body


# --- create -----------------------------------------------------------------------------------------


def test_staff_creates_a_manual_ticket_with_number_and_version(api, tech, client_id, contact_id):
    t = create(api, tech, client_id, contact_id=contact_id, assignee_id="tech-1")
    assert t["channel"] == "MANUAL"
    assert t["status"] == "OPEN"
    assert t["priority"] == "HIGH"
    assert t["number"] == 1
    assert t["version"] == 1
    assert t["client_id"] == client_id and t["contact_id"] == contact_id and t["assignee_id"] == "tech-1"
    assert t["created_at"] == "2026-11-23T09:00:00.000Z"
    assert t["sla"]["status"] == "ON_TRACK"
    assert create(api, tech, client_id)["number"] == 2


def test_customer_creates_a_portal_ticket_for_their_own_client(api, client_id, contact_id):
    cust = api.token("customer", "cust-1", client_id=client_id, contact_id=contact_id)
    r = api.call("POST", "/tickets", cust, {"subject": "Printer jam", "priority": "LOW"})
    assert r.status == 201, r.body
    assert r.body["channel"] == "PORTAL"
    assert r.body["client_id"] == client_id and r.body["contact_id"] == contact_id
    assert r.body["suggested_priority"] is None


def test_customer_may_not_name_a_client(api, client_id, contact_id):
    cust = api.token("customer", "cust-1", client_id=client_id, contact_id=contact_id)
    r = api.call("POST", "/tickets", cust, {"subject": "x", "client_id": "someone-else"})
    assert r.status == 400
    assert r.body["error"]["code"] == "validation_error"


def test_ticket_numbers_are_unique_under_concurrent_creates(api, tech, client_id):
    numbers: list[int] = []
    errors: list[object] = []

    def worker() -> None:
        for _ in range(5):
            r = api.call("POST", "/tickets", tech, {"subject": "s", "client_id": client_id})
            (numbers.append(r.body["number"]) if r.status == 201 else errors.append(r.body))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 21))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": "HIGH"}, "subject"),
        ({"subject": "", "client_id": "c"}, "subject"),
        ({"subject": "x", "priority": "URGENT", "client_id": "c"}, "priority"),
        ({"subject": "x", "client_id": 42}, "client_id"),
        ({"subject": "x", "client_id": "c", "colour": "red"}, "colour"),
        ({"subject": "x" * 201, "client_id": "c"}, "subject"),
    ],
)
def test_bad_create_bodies_are_400_with_details(api, tech, body, field):
    r = api.call("POST", "/tickets", tech, body)
    assert r.status == 400, r.body
    assert r.body["error"]["code"] == "validation_error"
    assert any(d["field"].startswith(field) for d in r.body["error"]["details"]), r.body


def test_malformed_json_and_non_object_bodies_are_400(api, tech):
    for raw in (b"{not json", b"[1,2]", b"", b"\xff\xfe"):
        r = api.call("POST", "/tickets", tech, raw=raw)
        assert r.status == 400, (raw, r.body)
        assert set(r.body["error"]) == {"code", "message", "details"}


def test_oversize_body_is_413(api, tech, client_id):
    r = api.call(
        "POST", "/tickets", tech, {"subject": "x", "client_id": client_id, "description": "a" * 300_000}
    )
    assert r.status == 413
    assert r.body["error"]["code"] == "payload_too_large"


def test_unknown_client_is_400_and_writes_nothing(api, tech, client_id):
    r = api.call("POST", "/tickets", tech, {"subject": "x", "client_id": "01NOSUCHCLIENT000000000000"})
    assert r.status == 400
    assert api.call("GET", "/tickets", tech).body["items"] == []


def test_no_or_bad_token_is_401(api):
    assert api.call("GET", "/tickets", None).status == 401
    r = api.call("GET", "/tickets", "not-a-token")
    assert r.status == 401 and r.body["error"]["code"] == "unauthorized"


def test_idempotency_key_makes_a_retry_return_the_first_result(api, tech, client_id):
    body = {"subject": "Laptop", "client_id": client_id}
    first = api.call("POST", "/tickets", tech, body, headers={"Idempotency-Key": "abc-1"})
    again = api.call("POST", "/tickets", tech, body, headers={"Idempotency-Key": "abc-1"})
    assert first.status == 201 and again.status == 201
    assert again.body == first.body
    assert len(api.call("GET", "/tickets", tech).body["items"]) == 1
    other = api.call(
        "POST", "/tickets", tech, {**body, "subject": "Other"}, headers={"Idempotency-Key": "abc-1"}
    )
    assert other.status == 409 and other.body["error"]["code"] == "conflict"
    fresh = api.call("POST", "/tickets", tech, body, headers={"Idempotency-Key": "abc-2"})
    assert fresh.body["id"] != first.body["id"]


def test_idempotency_keys_are_per_tenant(api, tech, client_id, gateway, tenant):
    body = {"subject": "Laptop", "client_id": client_id}
    api.call("POST", "/tickets", tech, body, headers={"Idempotency-Key": "same"})
    other_admin = api.token("admin", "a2", tenant_id=tenant + "-b")
    other_client = api.call("POST", "/clients", other_admin, {"name": "B"}).body["id"]
    other_tech = api.token("technician", "tech-1", tenant_id=tenant + "-b")
    r = api.call(
        "POST",
        "/tickets",
        other_tech,
        {"subject": "Laptop", "client_id": other_client},
        headers={"Idempotency-Key": "same"},
    )
    assert r.status == 201 and r.body["client_id"] == other_client


# --- read and isolation ----------------------------------------------------------------------------


def test_another_tenants_ticket_is_404_on_every_route(api, tech, client_id, tenant):
    t = create(api, tech, client_id)
    intruder = api.token("admin", "evil", tenant_id="other-" + tenant)
    for method, body in (("GET", None), ("PATCH", {"status": "CLOSED"})):
        r = api.call(method, f"/tickets/{t['id']}", intruder, body)
        assert r.status == 404, (method, r.body)
        assert r.body["error"]["code"] == "not_found"
    assert api.call("GET", "/tickets", intruder).body["items"] == []
    assert api.call("GET", f"/tickets/{t['id']}", tech).body["status"] == "OPEN"


def test_customer_sees_only_their_clients_tickets(api, admin, tech, client_id, contact_id):
    other = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    mine = create(api, tech, client_id, subject="mine")
    theirs = create(api, tech, other, subject="theirs")
    cust = api.token("customer", "cust-1", client_id=client_id, contact_id=contact_id)
    listed = api.call("GET", "/tickets", cust).body["items"]
    assert [t["id"] for t in listed] == [mine["id"]]
    assert api.call("GET", f"/tickets/{theirs['id']}", cust).status == 404
    assert api.call("GET", f"/tickets?client_id={other}", cust).body["items"] == []
    detail = api.call("GET", f"/tickets/{mine['id']}", cust).body
    assert "notes" not in detail and "time_entries" not in detail and "activity" not in detail
    assert api.call("PATCH", f"/tickets/{mine['id']}", cust, {"subject": "x"}).status == 403


def test_readonly_reads_but_every_write_is_403(api, tech, client_id):
    t = create(api, tech, client_id)
    ro = api.token("readonly", "rita")
    assert api.call("GET", f"/tickets/{t['id']}", ro).status == 200
    assert api.call("GET", "/tickets", ro).status == 200
    for method, path, body in [
        ("POST", "/tickets", {"subject": "x", "client_id": client_id}),
        ("PATCH", f"/tickets/{t['id']}", {"status": "CLOSED"}),
        ("POST", "/clients", {"name": "x"}),
        ("PATCH", f"/clients/{client_id}", {"name": "x"}),
        ("POST", "/contacts", {"client_id": client_id, "name": "x"}),
        ("PUT", "/settings/channels", {"support_emails": []}),
    ]:
        r = api.call(method, path, ro, body)
        assert r.status == 403, (method, path, r.body)
        assert r.body["error"]["code"] == "forbidden"


def test_bad_ids_are_404_not_500(api, tech):
    for bad in ("nope", "01" + "Z" * 24, "%00", "a" * 300):
        r = api.call("GET", f"/tickets/{bad}", tech)
        assert r.status == 404, (bad, r.body)


def test_detail_shows_activity_for_staff(api, tech, client_id):
    t = create(api, tech, client_id)
    api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": "IN_PROGRESS", "assignee_id": "tech-2"})
    d = api.call("GET", f"/tickets/{t['id']}", tech).body
    changes = [a["change"] for a in d["activity"]]
    assert changes[0]["event"] == "created"
    assert {"field": "status", "from": "OPEN", "to": "IN_PROGRESS"} in changes
    assert {"field": "assignee_id", "from": None, "to": "tech-2"} in changes
    assert all(a["source"] == "staff:tech-1" for a in d["activity"])


# --- update ------------------------------------------------------------------------------------------


def test_lifecycle_through_patch_and_illegal_transition_is_409(api, tech, client_id, clock):
    t = create(api, tech, client_id)
    path = f"/tickets/{t['id']}"
    for status in ("IN_PROGRESS", "WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED"):
        clock.advance(timedelta(minutes=5))
        r = api.call("PATCH", path, tech, {"status": status})
        assert r.status == 200, r.body
        assert r.body["status"] == status
    assert r.body["resolved_at"] == "2026-11-23T09:20:00.000Z"
    bad = api.call("PATCH", path, tech, {"status": "WAITING_ON_CUSTOMER"})
    assert bad.status == 409 and bad.body["error"]["code"] == "invalid_transition"
    closed = api.call("PATCH", path, tech, {"status": "CLOSED"}).body
    assert closed["closed_at"] is not None
    reopened = api.call("PATCH", path, tech, {"status": "IN_PROGRESS"}).body
    assert (
        reopened["status"] == "IN_PROGRESS"
        and reopened["closed_at"] is None
        and reopened["resolved_at"] is None
    )


def test_same_status_is_a_no_op(api, tech, client_id):
    t = create(api, tech, client_id)
    r = api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": "OPEN"})
    assert r.status == 200 and r.body["version"] == t["version"]


def test_stale_if_match_is_412_and_changes_nothing(api, tech, client_id):
    t = create(api, tech, client_id)
    path = f"/tickets/{t['id']}"
    ok = api.call("PATCH", path, tech, {"subject": "first"}, headers={"If-Match": "1"})
    assert ok.status == 200 and ok.body["version"] == 2
    stale = api.call("PATCH", path, tech, {"subject": "second"}, headers={"If-Match": "1"})
    assert stale.status == 412 and stale.body["error"]["code"] == "version_mismatch"
    assert api.call("GET", path, tech).body["subject"] == "first"
    assert api.call("PATCH", path, tech, {"subject": "x"}, headers={"If-Match": "abc"}).status == 400


def test_concurrent_writers_never_lose_an_update(api, tech, client_id):
    t = create(api, tech, client_id)
    path = f"/tickets/{t['id']}"
    fields = [
        {"subject": "new subject"},
        {"assignee_id": "tech-9"},
        {"priority": "CRITICAL"},
        {"status": "ESCALATED"},
    ]
    results: list[int] = []
    barrier = threading.Barrier(len(fields))

    def worker(body: dict) -> None:
        barrier.wait()
        results.append(api.call("PATCH", path, tech, body).status)

    threads = [threading.Thread(target=worker, args=(f,)) for f in fields]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [200] * 4
    final = api.call("GET", path, tech).body
    assert (final["subject"], final["assignee_id"], final["priority"], final["status"]) == (
        "new subject",
        "tech-9",
        "CRITICAL",
        "ESCALATED",
    )
    assert final["version"] == 5


def test_patch_validation(api, tech, client_id):
    t = create(api, tech, client_id)
    path = f"/tickets/{t['id']}"
    for body in ({}, {"status": "DONE"}, {"status": None}, {"channel": "SMS"}, {"priority": 3}):
        r = api.call("PATCH", path, tech, body)
        assert r.status == 400, (body, r.body)
    cleared = api.call("PATCH", path, tech, {"assignee_id": "x"})
    assert cleared.body["assignee_id"] == "x"
    assert api.call("PATCH", path, tech, {"assignee_id": None}).body["assignee_id"] is None
