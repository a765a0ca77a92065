"""Two-way SMS through the SNS-subscribed function: tickets, appends, keywords, opt-out."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from regentra.local.events import sns_event

NUMBER = "+15550100777"


@pytest.fixture()
def line(api, admin, tenant):
    number = f"+1555{abs(hash(tenant)) % 10_000_000:07d}"
    assert (
        api.call("PUT", "/settings/channels", admin, {"support_emails": [], "sms_numbers": [number]}).status
        == 200
    )
    return number


def sms(api, line, body, sender=NUMBER, message_id=None):
    from regentra.clock import get_clock

    payload = {
        "originationNumber": sender,
        "destinationNumber": line,
        "messageKeyword": body.split()[0].upper() if body.split() else "",
        "messageBody": body,
        "inboundMessageId": message_id or str(uuid.uuid4()),
        "previousPublishedMessageId": None,
    }
    event = sns_event(
        "arn:aws:sns:us-east-1:000000000000:InboundSmsTopic",
        json.dumps(payload),
        str(uuid.uuid4()),
        get_clock().now(),
    )
    return api.gateway.invoke("InboundSmsFunction", event)["outcomes"][0]


def sms_tickets(api, tech):
    return api.call("GET", "/tickets?channel=SMS", tech).body["items"]


def test_an_sms_starts_a_ticket_and_the_next_appends(api, tech, line, clock):
    assert sms(api, line, "Laptop will not boot") == "ticket_created"
    [t] = sms_tickets(api, tech)
    assert (t["subject"], t["channel"], t["status"]) == ("Laptop will not boot", "SMS", "OPEN")
    clock.advance(timedelta(hours=2))
    assert sms(api, line, "It shows a blue screen") == "reply_added"
    d = api.call("GET", f"/tickets/{t['id']}", tech).body
    assert [r["body"] for r in d["replies"]] == ["It shows a blue screen"]
    assert len(sms_tickets(api, tech)) == 1
    # the technician's reply goes back by SMS
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Hold the power button 10s"})
    [out] = api.outbox(t["id"])
    assert (out["channel"], out["to"], out["from"]) == ("SMS", NUMBER, line)


def test_after_seven_days_or_a_closed_ticket_a_new_ticket_starts(api, tech, line, clock):
    sms(api, line, "first")
    clock.advance(timedelta(days=8))
    assert sms(api, line, "second, much later") == "ticket_created"
    [newest, _] = sms_tickets(api, tech)
    api.call("PATCH", f"/tickets/{newest['id']}", tech, {"status": "CLOSED"})
    assert sms(api, line, "third") == "ticket_created"
    assert len(sms_tickets(api, tech)) == 3


def test_duplicates_unknown_numbers_and_contacts(api, tech, line, admin):
    assert sms(api, line, "hello", message_id="in-1") == "ticket_created"
    assert sms(api, line, "hello", message_id="in-1") == "duplicate"
    assert len(sms_tickets(api, tech)) == 1
    assert sms(api, "+15559999999", "hi") == "unknown_recipient"
    [t] = sms_tickets(api, tech)
    contact = api.call("GET", f"/contacts/{t['contact_id']}", tech).body
    clients = {c["id"]: c["name"] for c in api.call("GET", "/clients", admin).body["items"]}
    assert contact["phone"] == NUMBER and clients[contact["client_id"]] == "Unassigned"


def test_stop_blocks_outbound_sms_and_help_is_answered_once(api, tech, line):
    from regentra.local.sinks import sink

    sms(api, line, "printer broken")
    [t] = sms_tickets(api, tech)
    assert sms(api, line, "HELP") == "help_answered"
    assert sms(api, line, "help") == "help_already_answered"
    helps = [
        m
        for m in sink("outbox").items()
        if m["to"] == NUMBER and m["from"] == line and m["ticket_id"] is None
    ]
    assert len(helps) == 1 and "STOP" in helps[0]["body"]
    assert sms(api, line, "STOP") == "opted_out"
    assert len(sms_tickets(api, tech)) == 1  # keywords make no ticket
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Fixed?"})
    assert api.outbox(t["id"]) == []
    reply = api.call("GET", f"/tickets/{t['id']}", tech).body["replies"][-1]
    assert reply["delivery"]["state"] == "skipped" and "opted out" in reply["delivery"]["reason"]
    assert sms(api, line, "START") == "opted_in"
    api.call("POST", f"/tickets/{t['id']}/replies", tech, {"body": "Fixed now?"})
    assert len(api.outbox(t["id"])) == 1


def test_malformed_sns_messages_are_dropped(api, line):
    from regentra.clock import get_clock

    event = sns_event("arn:aws:sns:us-east-1:000000000000:t", "not json", "m1", get_clock().now())
    assert api.gateway.invoke("InboundSmsFunction", event)["outcomes"] == ["malformed"]
    event = sns_event(
        "arn:aws:sns:us-east-1:000000000000:t", json.dumps({"messageBody": "x"}), "m2", get_clock().now()
    )
    assert api.gateway.invoke("InboundSmsFunction", event)["outcomes"] == ["malformed"]
