"""A staff reply reaches the customer exactly once: driven by the stored reply (table stream),
retried on failure, never sent twice, and a failed send never loses the reply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regentra.adapters.delivery_errors import PermanentSendError, TransientSendError
from regentra.local.sinks import LocalMailer
from regentra.services.conversation import Author, add_reply
from regentra.services.delivery import DeliveryBusy, deliver_reply
from regentra.services.deps import default_deps, mailer, sms_sender


@pytest.fixture()
def ticket(api, tech, client_id, contact_id):
    return api.call(
        "POST", "/tickets", tech, {"subject": "Mail down", "client_id": client_id, "contact_id": contact_id}
    ).body


def staff_reply_without_sending(tenant, ticket_id, body="Stored, not sent yet"):
    """Store a reply the way the API does, but stop before anything reads the stream (a crash)."""
    return add_reply(default_deps(), tenant, ticket_id, Author("staff", "tech-1", "staff:tech-1"), body).reply


def delivery_of(tenant, ticket_id, reply_id):
    return default_deps().tickets.get_reply(tenant, ticket_id, reply_id).delivery


def test_a_crash_between_storing_and_sending_still_sends_exactly_once(api, ticket, tenant, gateway):
    stored = staff_reply_without_sending(tenant, ticket["id"])
    assert api.outbox(ticket["id"]) == []  # the "process" died before sending
    assert delivery_of(tenant, ticket["id"], stored.id)["state"] == "pending"
    gateway.streams.drain()  # the stream still holds the record: it is delivered now
    assert [m["body"] for m in api.outbox(ticket["id"])] == ["Stored, not sent yet"]
    gateway.streams.drain()
    assert len(api.outbox(ticket["id"])) == 1
    assert delivery_of(tenant, ticket["id"], stored.id)["state"] == "sent"


def test_a_redelivered_record_never_sends_twice(api, tech, ticket, tenant):
    r = api.call("POST", f"/tickets/{ticket['id']}/replies", tech, {"body": "Once"}).body
    assert len(api.outbox(ticket["id"])) == 1
    for _ in range(3):  # the same stream record again, as Lambda may deliver it
        assert deliver_reply(default_deps(), mailer(), sms_sender(), tenant, ticket["id"], r["id"]) == "sent"
    assert len(api.outbox(ticket["id"])) == 1


def test_a_transient_failure_is_retried_and_sent_once(api, tech, ticket, tenant, monkeypatch):
    real = LocalMailer.send_raw
    calls = []

    def flaky(self, raw, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise TransientSendError("SES throttled")
        return real(self, raw, **kw)

    monkeypatch.setattr(LocalMailer, "send_raw", flaky)
    r = api.call("POST", f"/tickets/{ticket['id']}/replies", tech, {"body": "Retry me"}).body
    assert len(calls) == 2
    assert [m["body"] for m in api.outbox(ticket["id"])] == ["Retry me"]
    d = delivery_of(tenant, ticket["id"], r["id"])
    assert d["state"] == "sent" and d["attempts"] == 2


def test_a_permanent_failure_keeps_the_reply_and_says_why(api, tech, ticket, tenant, monkeypatch):
    def reject(self, raw, **kw):
        raise PermanentSendError("Email address is not verified")

    monkeypatch.setattr(LocalMailer, "send_raw", reject)
    r = api.call("POST", f"/tickets/{ticket['id']}/replies", tech, {"body": "Lost?"})
    assert r.status == 201
    detail = api.call("GET", f"/tickets/{ticket['id']}", tech).body
    assert detail["replies"][0]["body"] == "Lost?"
    assert detail["replies"][0]["delivery"]["state"] == "rejected"
    assert "not verified" in detail["replies"][0]["delivery"]["error"]


def test_a_live_claim_blocks_a_second_sender_and_a_stale_one_is_taken_over(api, ticket, tenant, clock):
    stored = staff_reply_without_sending(tenant, ticket["id"])
    repo = default_deps().tickets
    claimed = {"state": "claimed:dead-sender", "claimed_at": "2026-11-23T09:00:00.000Z", "attempts": 1}
    assert repo.update_delivery(tenant, ticket["id"], stored.id, claimed, ["pending"])
    with pytest.raises(DeliveryBusy):
        deliver_reply(default_deps(), mailer(), sms_sender(), tenant, ticket["id"], stored.id)
    assert api.outbox(ticket["id"]) == []
    clock.advance(timedelta(minutes=6))  # the dead sender's lease ran out
    assert deliver_reply(default_deps(), mailer(), sms_sender(), tenant, ticket["id"], stored.id) == "sent"
    assert len(api.outbox(ticket["id"])) == 1
