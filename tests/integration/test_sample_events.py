"""The sample payloads in events/ go through their handlers as AWS would deliver them."""

from __future__ import annotations

import json
from pathlib import Path

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def test_http_sample_reaches_its_handler(api, tenant, client_id):
    event = load("http_create_ticket.json")
    event["requestContext"]["authorizer"]["jwt"]["claims"]["custom:tenant_id"] = tenant
    event["body"] = json.dumps({"subject": "VPN down", "priority": "HIGH", "client_id": client_id})
    result = api.gateway.invoke("CreateTicketFunction", event)
    assert result["statusCode"] == 201
    assert json.loads(result["body"])["channel"] == "MANUAL"


def test_ses_sample_for_an_unknown_recipient_is_dropped(api):
    from regentra.services.deps import blob_store

    event = load("ses_receipt_rule.json")
    message_id = event["Records"][0]["ses"]["mail"]["messageId"]
    blob_store().put(
        f"inbound/{message_id}",
        b"From: janedoe@example.com\r\nTo: johndoe@example.com\r\nSubject: Test Subject\r\n\r\nHello\r\n",
        "message/rfc822",
    )
    assert api.gateway.invoke("InboundEmailFunction", event) == {"outcomes": ["unknown_recipient"]}


def test_sns_sms_sample_for_an_unknown_number_is_dropped(api):
    assert api.gateway.invoke("InboundSmsFunction", load("sns_two_way_sms.json")) == {
        "outcomes": ["unknown_recipient"]
    }


def test_schedule_sample_runs_the_sweep_and_auto_close(api):
    for function in ("SlaSweepFunction", "AutoCloseFunction"):
        result = api.gateway.invoke(function, load("schedule_sla_sweep.json"))
        assert set(result) == {"read", "changed", "events"}
