"""Replies, notes, time, activity and outbound delivery — through the handlers and the table
stream, on DynamoDB Local, as `regentra local` runs them."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest

M = timedelta(minutes=1)


@pytest.fixture()
def customer(api, client_id, contact_id):
    return api.token("customer", "dana", client_id=client_id, contact_id=contact_id)


@pytest.fixture()
def ticket(api, tech, client_id, contact_id):
    r = api.call(
        "POST",
        "/tickets",
        tech,
        {"subject": "VPN down", "priority": "HIGH", "client_id": client_id, "contact_id": contact_id},
    )
    assert r.status == 201, r.body
    return r.body


def reply(api, token, ticket_id, body="Hello", **extra):
    return api.call("POST", f"/tickets/{ticket_id}/replies", token, {"body": body, **extra})


def detail(api, token, ticket_id):
    r = api.call("GET", f"/tickets/{ticket_id}", token)
    assert r.status == 200, r.body
    return r.body


def test_staff_reply_moves_open_to_in_progress_stamps_first_response_and_emails_the_customer(
    api, tech, ticket, clock
):
    clock.advance(20 * M)
    r = reply(api, tech, ticket["id"], "We are on it. Please restart the VPN client.")
    assert r.status == 201, r.body
    assert r.body["author_type"] == "staff" and r.body["channel"] == "MANUAL"
    d = detail(api, tech, ticket["id"])
    assert d["status"] == "IN_PROGRESS"
    assert d["first_response_at"] == "2026-11-23T09:20:00.000Z"
    assert d["sla"]["response"]["status"] == "MET"
    assert [x["body"] for x in d["replies"]] == ["We are on it. Please restart the VPN client."]
    assert d["replies"][0]["delivery"]["state"] == "sent"
    [mail] = api.outbox(ticket["id"])
    assert mail["channel"] == "EMAIL" and mail["to"].endswith("@acme.test")
    assert f"[#{ticket['number']}]" in mail["subject"] and "VPN down" in mail["subject"]
    msg = email.message_from_string(mail["raw"], policy=email.policy.default)
    assert str(msg["Message-ID"]).strip() == d["replies"][0]["message_id"] == mail["message_id"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert {p.get_content_type() for p in msg.walk()} >= {"text/plain", "text/html"}
    # a second staff reply does not move first_response_at
    clock.advance(M)
    reply(api, tech, ticket["id"], "Any luck?")
    assert detail(api, tech, ticket["id"])["first_response_at"] == "2026-11-23T09:20:00.000Z"


def test_set_status_with_a_reply_and_illegal_ones(api, tech, ticket):
    r = reply(api, tech, ticket["id"], "Can you send a screenshot?", set_status="WAITING_ON_CUSTOMER")
    assert r.status == 201
    assert detail(api, tech, ticket["id"])["status"] == "WAITING_ON_CUSTOMER"
    api.call("PATCH", f"/tickets/{ticket['id']}", tech, {"status": "RESOLVED"})
    bad = reply(api, tech, ticket["id"], "x", set_status="ESCALATED")
    assert bad.status == 409 and bad.body["error"]["code"] == "invalid_transition"
    assert len(detail(api, tech, ticket["id"])["replies"]) == 1  # the refused reply wrote nothing


def test_customer_replies_reopen_waiting_and_resolved(api, tech, customer, ticket):
    path = f"/tickets/{ticket['id']}"
    api.call("PATCH", path, tech, {"status": "WAITING_ON_CUSTOMER"})
    r = reply(api, customer, ticket["id"], "Here is the screenshot")
    assert r.status == 201 and r.body["author_type"] == "customer" and r.body["channel"] == "PORTAL"
    assert "delivery" not in r.body
    assert detail(api, tech, ticket["id"])["status"] == "IN_PROGRESS"
    api.call("PATCH", path, tech, {"status": "RESOLVED"})
    reply(api, customer, ticket["id"], "Still broken")
    d = detail(api, tech, ticket["id"])
    assert d["status"] == "IN_PROGRESS" and d["first_response_at"] is None  # customers never stop it
    assert api.outbox(ticket["id"]) == []  # customer replies are not mailed back to them
    assert reply(api, customer, ticket["id"], "x", set_status="CLOSED").status == 403


def test_customer_reply_on_closed_creates_a_linked_follow_up(api, tech, customer, ticket, clock):
    path = f"/tickets/{ticket['id']}"
    api.call("PATCH", path, tech, {"status": "CLOSED"})
    clock.advance(M)
    r = reply(api, customer, ticket["id"], "It broke again this morning")
    assert r.status == 201, r.body
    follow_id = r.body["follow_up_ticket_id"]
    assert follow_id != ticket["id"]
    closed = detail(api, tech, ticket["id"])
    assert closed["status"] == "CLOSED" and closed["version"] == ticket["version"] + 1
    assert closed["links"]["follow_ups"] == [follow_id]
    assert closed["activity"][-1]["change"] == {"event": "follow_up_created", "ticket_id": follow_id}
    new = detail(api, tech, follow_id)
    assert new["status"] == "OPEN" and new["follow_up_of"] == ticket["id"]
    assert new["links"]["follow_up_of"] == ticket["id"]
    assert (new["client_id"], new["contact_id"], new["priority"]) == (
        ticket["client_id"],
        ticket["contact_id"],
        ticket["priority"],
    )
    assert new["description"] == "It broke again this morning"
    assert [x["body"] for x in new["replies"]] == ["It broke again this morning"]
    assert new["number"] == ticket["number"] + 1
    # the customer sees the follow-up too (same client)
    assert detail(api, customer, follow_id)["follow_up_of"] == ticket["id"]


def test_staff_reply_on_closed_is_409_until_reopened(api, tech, ticket):
    api.call("PATCH", f"/tickets/{ticket['id']}", tech, {"status": "CLOSED"})
    r = reply(api, tech, ticket["id"], "One more thing")
    assert r.status == 409
    api.call("PATCH", f"/tickets/{ticket['id']}", tech, {"status": "IN_PROGRESS"})
    assert reply(api, tech, ticket["id"], "One more thing").status == 201


def test_notes_are_internal(api, tech, customer, ticket):
    r = api.call("POST", f"/tickets/{ticket['id']}/notes", tech, {"body": "Customer's firewall is a mess"})
    assert r.status == 201 and r.body["body"] == "Customer's firewall is a mess"
    assert [n["body"] for n in detail(api, tech, ticket["id"])["notes"]] == ["Customer's firewall is a mess"]
    seen = detail(api, customer, ticket["id"])
    assert "notes" not in seen and "time_entries" not in seen and "activity" not in seen
    assert "firewall" not in str(seen)
    assert api.outbox(ticket["id"]) == []  # notes never leave
    assert api.call("POST", f"/tickets/{ticket['id']}/notes", customer, {"body": "x"}).status == 403
    ro = api.token("readonly", "rita")
    assert api.call("POST", f"/tickets/{ticket['id']}/notes", ro, {"body": "x"}).status == 403
    for bad in ({}, {"body": ""}, {"body": "   "}, {"body": 5}, {"body": "x", "public": True}):
        assert api.call("POST", f"/tickets/{ticket['id']}/notes", tech, bad).status == 400, bad
    assert detail(api, tech, ticket["id"])["status"] == "OPEN"  # a note moves nothing


def test_replies_are_scoped_like_tickets(api, admin, tech, customer, ticket, tenant):
    other_client = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    theirs = api.call("POST", "/tickets", tech, {"subject": "x", "client_id": other_client}).body
    assert reply(api, customer, theirs["id"]).status == 404
    intruder = api.token("admin", "eve", tenant_id="x-" + tenant)
    assert reply(api, intruder, ticket["id"]).status == 404
    assert api.call("POST", f"/tickets/{ticket['id']}/notes", intruder, {"body": "x"}).status == 404
    assert reply(api, tech, "not-an-id").status == 404


def test_time_entries_totals_and_report(api, admin, tech, ticket, clock):
    other = api.token("technician", "tech-2")
    entries = [(tech, 30, True), (tech, 15, False), (other, 45, True)]
    for token, minutes, billable in entries:
        r = api.call(
            "POST",
            f"/tickets/{ticket['id']}/time-entries",
            token,
            {"minutes": minutes, "billable": billable, "note": "remote session"},
        )
        assert r.status == 201, r.body
    d = detail(api, tech, ticket["id"])
    assert d["time_totals"] == {"billable_minutes": 75, "non_billable_minutes": 15}
    assert [(e["minutes"], e["billable"], e["technician_id"]) for e in d["time_entries"]] == [
        (30, True, "tech-1"),
        (15, False, "tech-1"),
        (45, True, "tech-2"),
    ]
    dated = api.call(
        "POST",
        f"/tickets/{ticket['id']}/time-entries",
        tech,
        {"minutes": 60, "billable": True, "work_date": "2026-11-20"},
    )
    assert dated.body["work_date"] == "2026-11-20"
    report = api.call("GET", "/reports/time?from=2026-11-23&to=2026-11-23", tech).body
    assert report["by_client"][ticket["client_id"]] == {"billable_minutes": 75, "non_billable_minutes": 15}
    assert report["by_technician"] == {
        "tech-1": {"billable_minutes": 30, "non_billable_minutes": 15},
        "tech-2": {"billable_minutes": 45, "non_billable_minutes": 0},
    }
    wider = api.call("GET", "/reports/time?from=2026-11-01&to=2026-11-30", tech).body
    assert wider["total"] == {"billable_minutes": 135, "non_billable_minutes": 15}
    nobody = api.call(
        "GET", "/reports/time?from=2026-11-01&to=2026-11-30&client_id=01NOSUCHCLIENT000000000000", tech
    )
    assert nobody.body["total"] == {"billable_minutes": 0, "non_billable_minutes": 0}
    for bad in (
        {"minutes": 0, "billable": True},
        {"minutes": -5, "billable": True},
        {"minutes": 1.5, "billable": True},
        {"minutes": 30},
        {"minutes": "30", "billable": True},
        {"minutes": 2000, "billable": True},
        {"minutes": 30, "billable": True, "work_date": "yesterday"},
    ):
        assert api.call("POST", f"/tickets/{ticket['id']}/time-entries", tech, bad).status == 400, bad
    cust = api.token("customer", "c", client_id=ticket["client_id"])
    assert (
        api.call(
            "POST", f"/tickets/{ticket['id']}/time-entries", cust, {"minutes": 5, "billable": True}
        ).status
        == 403
    )
    assert api.call("GET", "/reports/time", cust).status == 403


def test_activity_records_every_change_with_its_source(api, tech, customer, ticket):
    tid = ticket["id"]
    reply(api, tech, tid, "On it")
    api.call("POST", f"/tickets/{tid}/notes", tech, {"body": "n"})
    api.call("POST", f"/tickets/{tid}/time-entries", tech, {"minutes": 5, "billable": True})
    api.call(
        "PATCH",
        f"/tickets/{tid}",
        tech,
        {"status": "WAITING_ON_CUSTOMER", "priority": "LOW", "assignee_id": "t9"},
    )
    reply(api, customer, tid, "Thanks")
    rows = [
        (a["source"], a["change"].get("event") or a["change"].get("field"), a["change"].get("to"))
        for a in detail(api, tech, tid)["activity"]
    ]
    contact = ticket["contact_id"]
    assert rows == [
        ("staff:tech-1", "created", None),
        ("staff:tech-1", "reply_added", None),
        ("staff:tech-1", "status", "IN_PROGRESS"),
        ("staff:tech-1", "note_added", None),
        ("staff:tech-1", "time_added", None),
        ("staff:tech-1", "status", "WAITING_ON_CUSTOMER"),
        ("staff:tech-1", "priority", "LOW"),
        ("staff:tech-1", "assignee_id", "t9"),
        (f"customer:{contact}", "reply_added", None),
        (f"customer:{contact}", "status", "IN_PROGRESS"),
    ]


def test_email_reply_threads_to_the_customers_last_message(api, tech, ticket, tenant):
    from regentra.services.conversation import Author, add_reply
    from regentra.services.deps import default_deps

    customer_msg = "<CAF=abc123@mail.gmail.com>"
    add_reply(
        default_deps(),
        tenant,
        ticket["id"],
        Author("customer", ticket["contact_id"], "customer:x"),
        "Any news?",
        message_id=customer_msg,
    )
    reply(api, tech, ticket["id"], "First answer")
    reply(api, tech, ticket["id"], "Second answer")
    first, second = api.outbox(ticket["id"])
    assert first["in_reply_to"] == customer_msg
    assert second["in_reply_to"] == customer_msg
    assert customer_msg in second["references"] and first["message_id"] in second["references"]
    assert first["message_id"] != second["message_id"]
    # our outbound Message-IDs point back at the ticket, for the customer's replies to thread
    from regentra.adapters.dynamo.repository import DynamoTicketRepository

    assert DynamoTicketRepository().ticket_for_message_id(tenant, first["message_id"]) == ticket["id"]


def test_no_header_injection_from_ticket_fields(api, tech, client_id, admin):
    contact = api.call(
        "POST",
        "/contacts",
        admin,
        {"client_id": client_id, "name": "Eve\r\nBcc: x@evil.test", "email": "eve@acme.test"},
    ).body
    t = api.call(
        "POST",
        "/tickets",
        tech,
        {"subject": "Hi\r\nBcc: boss@evil.test", "client_id": client_id, "contact_id": contact["id"]},
    ).body
    reply(api, tech, t["id"], "Body\r\nBcc: body@evil.test")
    [mail] = api.outbox(t["id"])
    head = mail["raw"].replace("\r\n", "\n").split("\n\n", 1)[0]
    assert [line for line in head.splitlines() if line.lower().startswith("bcc")] == []
    msg = email.message_from_string(mail["raw"], policy=email.policy.default)
    assert msg["Bcc"] is None


def test_sms_ticket_replies_go_by_sms(api, admin, tech, client_id, tenant):
    from regentra.domain.enums import Channel, Priority
    from regentra.services.deps import default_deps
    from regentra.services.tickets import build_ticket

    api.call("PUT", "/settings/channels", admin, {"support_emails": [], "sms_numbers": ["+15550100999"]})
    contact = api.call(
        "POST", "/contacts", admin, {"client_id": client_id, "name": "Sam", "phone": "+15550123456"}
    ).body
    deps = default_deps()
    sms_ticket = build_ticket(
        deps,
        tenant,
        client_id,
        None,
        contact_id=contact["id"],
        subject="Printer",
        description="printer offline",
        priority=Priority.MEDIUM,
        channel=Channel.SMS,
        now=deps.clock.now(),
    )
    deps.tickets.insert(sms_ticket, [])
    assert reply(api, tech, sms_ticket.id, "Try turning it off and on").status == 201
    [sms] = api.outbox(sms_ticket.id)
    assert (sms["channel"], sms["to"], sms["from"], sms["body"]) == (
        "SMS",
        "+15550123456",
        "+15550100999",
        "Try turning it off and on",
    )


def test_no_address_means_skipped_not_lost(api, tech, client_id):
    t = api.call("POST", "/tickets", tech, {"subject": "no contact", "client_id": client_id}).body
    assert reply(api, tech, t["id"], "hello?").status == 201
    d = detail(api, tech, t["id"])
    assert d["replies"][0]["body"] == "hello?"
    assert d["replies"][0]["delivery"]["state"] == "skipped"
    assert api.outbox(t["id"]) == []
