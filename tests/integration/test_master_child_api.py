"""Master and child tickets (API.md "Master and child tickets") through the handlers, the local
Step Functions interpreter and the table stream, on DynamoDB Local, as `regentra local` runs them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

M = timedelta(minutes=1)


def create(api, token, client_id, contact_id=None, subject="Internet down", priority="HIGH"):
    body = {"subject": subject, "priority": priority, "client_id": client_id}
    if contact_id:
        body["contact_id"] = contact_id
    r = api.call("POST", "/tickets", token, body)
    assert r.status == 201, r.body
    return r.body


def get(api, token, ticket_id):
    r = api.call("GET", f"/tickets/{ticket_id}", token)
    assert r.status == 200, r.body
    return r.body


def contact(api, admin, client_id, name):
    r = api.call(
        "POST",
        "/contacts",
        admin,
        {"client_id": client_id, "name": name, "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@acme.test"},
    )
    assert r.status == 201, r.body
    return r.body["id"]


@pytest.fixture()
def master(api, tech, client_id):
    t = create(api, tech, client_id, subject="ISP outage (master)")
    r = api.call("POST", f"/tickets/{t['id']}/master", tech)
    assert r.status == 200 and r.body["is_master"] is True, r.body
    return r.body


def link(api, token, master_id, ids):
    return api.call("POST", f"/tickets/{master_id}/children", token, {"child_ids": ids})


# --- promote / demote ----------------------------------------------------------------------------


def test_promote_and_demote(api, tech, client_id, master):
    d = get(api, tech, master["id"])
    assert d["is_master"] and d["child_count"] == 0 and d["links"]["children"] == []
    assert {"field": "is_master", "from": False, "to": True} in [a["change"] for a in d["activity"]]
    again = api.call("POST", f"/tickets/{master['id']}/master", tech)
    assert again.status == 200 and again.body["version"] == d["version"]  # already a master: no write

    child = create(api, tech, client_id)
    assert link(api, tech, master["id"], [child["id"]]).status == 200
    refused = api.call("POST", f"/tickets/{child['id']}/master", tech)
    assert refused.status == 409 and refused.body["error"]["code"] == "conflict"
    busy = api.call("DELETE", f"/tickets/{master['id']}/master", tech)
    assert busy.status == 409 and busy.body["error"]["code"] == "conflict"

    assert api.call("DELETE", f"/tickets/{master['id']}/children/{child['id']}", tech).status == 204
    demoted = api.call("DELETE", f"/tickets/{master['id']}/master", tech)
    assert demoted.status == 200 and demoted.body["is_master"] is False


def test_roles_and_tenants(api, tech, client_id, contact_id, master):
    child = create(api, tech, client_id)
    readonly = api.token("readonly", "rita")
    customer = api.token("customer", "dana", client_id=client_id, contact_id=contact_id)
    for token, status in ((readonly, 403), (customer, 403)):
        assert api.call("POST", f"/tickets/{child['id']}/master", token).status == status
        assert link(api, token, master["id"], [child["id"]]).status == status
        assert (
            api.call("POST", f"/tickets/{master['id']}/cascade", token, {"status": "RESOLVED"}).status
            == status
        )
    other = api.token("admin", "eve", tenant_id=f"other-{uuid.uuid4().hex[:8]}")
    assert api.call("POST", f"/tickets/{master['id']}/master", other).status == 404
    assert link(api, other, master["id"], [child["id"]]).status == 404
    assert api.call("POST", f"/tickets/{master['id']}/cascade", other, {"status": "RESOLVED"}).status == 404


# --- link / unlink -------------------------------------------------------------------------------


def test_link_rules_and_both_sides(api, tech, client_id, master):
    a, b = create(api, tech, client_id), create(api, tech, client_id)
    other_master = create(api, tech, client_id, subject="another master")
    api.call("POST", f"/tickets/{other_master['id']}/master", tech)
    taken = create(api, tech, client_id)
    assert link(api, tech, other_master["id"], [taken["id"]]).body["linked"] == [taken["id"]]
    unknown = "01JZZZZZZZZZZZZZZZZZZZZZZZ"

    r = link(
        api,
        tech,
        master["id"],
        [a["id"], b["id"], master["id"], other_master["id"], taken["id"], unknown, "x!"],
    )
    assert r.status == 200, r.body
    assert r.body["linked"] == [a["id"], b["id"]]
    assert [(x["id"], x["reason"]) for x in r.body["rejected"]] == [
        (master["id"], "self"),
        (other_master["id"], "is_master"),
        (taken["id"], "has_master"),
        (unknown, "not_found"),
        ("x!", "not_found"),
    ]

    m = get(api, tech, master["id"])
    assert m["child_count"] == 2 and sorted(m["links"]["children"]) == sorted([a["id"], b["id"]])
    assert any(x["change"].get("event") == "children_linked" for x in m["activity"])
    c = get(api, tech, a["id"])
    assert c["master_id"] == master["id"] and c["links"]["master"] == master["id"]
    assert {"event": "linked_to_master", "master_id": master["id"]} in [x["change"] for x in c["activity"]]

    # linking again is a no-op (no write, nothing counted twice)
    again = link(api, tech, master["id"], [a["id"]])
    assert again.body == {"linked": [a["id"]], "rejected": []}
    assert get(api, tech, master["id"])["child_count"] == 2
    # a master can't be a child, even of another master
    assert link(api, tech, other_master["id"], [master["id"]]).body["rejected"][0]["reason"] == "is_master"
    # an ordinary ticket has no children until promoted
    plain = create(api, tech, client_id)
    refused = link(api, tech, plain["id"], [b["id"]])
    assert refused.status == 409 and refused.body["error"]["code"] == "conflict"


def test_cross_tenant_ids_are_not_found(api, tech, client_id, master, gateway):
    elsewhere = type(api)(gateway, f"t-{uuid.uuid4().hex[:12]}")  # the same Api, another tenant
    admin2 = elsewhere.token("admin", "admin-2")
    c2 = elsewhere.call("POST", "/clients", admin2, {"name": "Beta"}).body["id"]
    theirs = create(elsewhere, admin2, c2)
    r = link(api, tech, master["id"], [theirs["id"]])
    assert r.body == {
        "linked": [],
        "rejected": [{"id": theirs["id"], "reason": "not_found", "message": "no such ticket"}],
    }
    assert get(elsewhere, admin2, theirs["id"])["master_id"] is None


def test_unlink(api, tech, client_id, master):
    a, b = create(api, tech, client_id), create(api, tech, client_id)
    link(api, tech, master["id"], [a["id"], b["id"]])
    r = api.call("DELETE", f"/tickets/{master['id']}/children/{a['id']}", tech)
    assert r.status == 204 and r.body is None
    m = get(api, tech, master["id"])
    assert m["child_count"] == 1 and m["links"]["children"] == [b["id"]]
    assert {"event": "child_unlinked", "child_id": a["id"]} in [x["change"] for x in m["activity"]]
    c = get(api, tech, a["id"])
    assert c["master_id"] is None and c["links"]["master"] is None
    assert any(x["change"].get("event") == "unlinked_from_master" for x in c["activity"])
    assert api.call("DELETE", f"/tickets/{master['id']}/children/{a['id']}", tech).status == 404
    # ...and it can be linked again
    assert link(api, tech, master["id"], [a["id"]]).body["linked"] == [a["id"]]


def _bulk_tickets(tenant: str, client_id: str, n: int) -> list[str]:
    """n ordinary tickets written straight to the table (fast), as the create path shapes them."""
    from datetime import UTC, datetime

    from regentra.adapters.dynamo.items import TicketItem
    from regentra.adapters.dynamo.repository import ticket_to_item
    from regentra.domain.enums import Channel, Priority, Status
    from regentra.domain.ids import new_id
    from regentra.domain.tickets import Ticket

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    ids = []
    with TicketItem.batch_write() as batch:
        for i in range(n):
            t = Ticket(
                tenant_id=tenant, id=new_id(now), number=10_000 + i, subject=f"Outage {i}", description="",
                status=Status.OPEN, priority=Priority.MEDIUM, channel=Channel.MANUAL, client_id=client_id,
                created_at=now, updated_at=now,
            )  # fmt: skip
            item = ticket_to_item(t)
            item.version = 1
            batch.save(item)
            ids.append(t.id)
    return ids


def test_linking_500_children_in_one_call(api, tech, tenant, client_id, master):
    ids = _bulk_tickets(tenant, client_id, 500)
    r = link(api, tech, master["id"], ids)
    assert r.status == 200, r.body
    assert r.body["linked"] == ids and r.body["rejected"] == []
    m = get(api, tech, master["id"])
    assert m["child_count"] == 500 and sorted(m["links"]["children"]) == sorted(ids)
    for child_id in (ids[0], ids[250], ids[-1]):
        assert get(api, tech, child_id)["master_id"] == master["id"]
    too_many = link(api, tech, master["id"], [*_bulk_tickets(tenant, client_id, 1), *ids])
    assert too_many.status == 400 and too_many.body["error"]["code"] == "validation_error"
    assert get(api, tech, master["id"])["child_count"] == 500


def test_children_are_ordinary_tickets(api, tech, client_id, master):
    child = create(api, tech, client_id, subject="Child in the list")
    link(api, tech, master["id"], [child["id"]])
    listed = api.call("GET", "/tickets?limit=100", tech)
    assert listed.status == 200
    row = next(t for t in listed.body["items"] if t["id"] == child["id"])
    assert row["master_id"] == master["id"] and row["sla"]["response"]["status"] == "ON_TRACK"
    by_status = api.call("GET", "/tickets?status=OPEN&limit=100", tech)
    assert child["id"] in [t["id"] for t in by_status.body["items"]]


def test_customers_do_not_see_a_masters_children(api, tech, client_id, contact_id, master):
    child = create(api, tech, client_id)
    link(api, tech, master["id"], [child["id"]])
    customer = api.token("customer", "dana", client_id=client_id, contact_id=contact_id)
    assert get(api, customer, master["id"])["links"]["children"] == []
    assert get(api, tech, master["id"])["links"]["children"] == [child["id"]]


# --- the cascade prompt --------------------------------------------------------------------------


def test_patch_moving_a_master_to_resolved_or_closed_prompts(api, tech, client_id, master):
    kids = [create(api, tech, client_id) for _ in range(3)]
    link(api, tech, master["id"], [k["id"] for k in kids])
    api.call("PATCH", f"/tickets/{kids[0]['id']}", tech, {"status": "RESOLVED"})

    priority = api.call("PATCH", f"/tickets/{master['id']}", tech, {"priority": "CRITICAL"})
    assert priority.status == 200 and "cascade_prompt" not in priority.body
    r = api.call("PATCH", f"/tickets/{master['id']}", tech, {"status": "RESOLVED"})
    assert r.status == 200 and r.body["status"] == "RESOLVED"
    assert r.body["cascade_prompt"] == {"status": "RESOLVED", "eligible_children": 2, "skipped_children": 1}
    later = api.call("PATCH", f"/tickets/{master['id']}", tech, {"priority": "HIGH"})
    assert "cascade_prompt" not in later.body
    closed = api.call("PATCH", f"/tickets/{master['id']}", tech, {"status": "CLOSED"})
    assert closed.body["cascade_prompt"] == {
        "status": "CLOSED",
        "eligible_children": 2,
        "skipped_children": 1,
    }
    # an ordinary ticket never prompts
    plain = create(api, tech, client_id)
    assert (
        "cascade_prompt"
        not in api.call("PATCH", f"/tickets/{plain['id']}", tech, {"status": "RESOLVED"}).body
    )


# --- the cascade ---------------------------------------------------------------------------------


def test_vendor_outage_cascade_resolves_open_children_and_replies_to_each_customer(
    api, admin, tech, client_id, clock
):
    """The issue's 'done when': 5 children, one already resolved; the master is resolved with a
    reply; 4 children become RESOLVED and their customers each get the reply; the resolved one is
    untouched; re-posting the cascade changes nothing."""
    master = create(api, tech, client_id, subject="Vendor outage: mail relay down")
    api.call("POST", f"/tickets/{master['id']}/master", tech)
    kids = [create(api, tech, client_id, contact(api, admin, client_id, f"Cust{i}")) for i in range(5)]
    done = kids[4]
    api.call("PATCH", f"/tickets/{done['id']}", tech, {"status": "RESOLVED"})
    assert link(api, tech, master["id"], [k["id"] for k in kids]).body["rejected"] == []
    done_before = get(api, tech, done["id"])
    clock.advance(10 * M)

    patched = api.call("PATCH", f"/tickets/{master['id']}", tech, {"status": "RESOLVED"})
    assert patched.body["cascade_prompt"] == {
        "status": "RESOLVED",
        "eligible_children": 4,
        "skipped_children": 1,
    }

    body = {
        "status": "RESOLVED",
        "assignee_id": "tom-tech",
        "resolution": "Vendor restored the relay at 09:08.",
        "reply": {"body": "The mail relay is back. Sorry for the trouble."},
    }
    r = api.call("POST", f"/tickets/{master['id']}/cascade", tech, body)
    assert r.status == 202, r.body
    cascade_id = r.body["cascade_id"]
    progress = api.call("GET", f"/cascades/{cascade_id}", tech)
    assert progress.status == 200
    assert {k: progress.body[k] for k in ("state", "total", "applied", "skipped", "failed")} == {
        "state": "SUCCEEDED", "total": 5, "applied": 4, "skipped": 1, "failed": 0,
    }  # fmt: skip

    for kid in kids[:4]:
        d = get(api, tech, kid["id"])
        assert d["status"] == "RESOLVED" and d["assignee_id"] == "tom-tech"
        assert d["first_response_at"] == "2026-11-23T09:10:00.000Z"  # a cascaded reply counts
        assert d["sla"]["response"]["status"] == "MET"
        [reply] = d["replies"]
        assert reply["body"] == body["reply"]["body"] and reply["source"] == f"cascade:{cascade_id}"
        assert reply["delivery"]["state"] == "sent"
        assert [n["body"] for n in d["notes"]] == [body["resolution"]]
        sources = {a["source"] for a in d["activity"] if a["change"].get("event") != "linked_to_master"}
        assert f"cascade:{cascade_id}" in sources
        assert {"field": "status", "from": "OPEN", "to": "RESOLVED"} in [a["change"] for a in d["activity"]]
        [mail] = api.outbox(kid["id"])
        assert mail["channel"] == "EMAIL" and "The mail relay is back." in mail["body"]
        assert mail["to"] == _contact_email(api, admin, kid["contact_id"])

    after = get(api, tech, done["id"])
    assert (
        after["version"] == done_before["version"] and after["replies"] == [] and api.outbox(done["id"]) == []
    )

    m = get(api, tech, master["id"])
    events = [a["change"].get("event") for a in m["activity"]]
    assert "cascade_started" in events and "cascade_finished" in events

    # Re-posting the same cascade is the same cascade: nothing applied twice, nothing sent twice.
    versions = {k["id"]: get(api, tech, k["id"])["version"] for k in kids}
    again = api.call("POST", f"/tickets/{master['id']}/cascade", tech, body)
    assert again.status == 202 and again.body["cascade_id"] == cascade_id
    assert {k["id"]: get(api, tech, k["id"])["version"] for k in kids} == versions
    assert all(len(api.outbox(k["id"])) == 1 for k in kids[:4])
    # a different cascade later touches nobody either: every child is finished now
    other = api.call(
        "POST", f"/tickets/{master['id']}/cascade", tech, {"reply": {"body": "Post-mortem attached."}}
    )
    assert other.status == 202 and other.body["cascade_id"] != cascade_id
    o = api.call("GET", f"/cascades/{other.body['cascade_id']}", tech).body
    assert (o["state"], o["applied"], o["skipped"]) == ("SUCCEEDED", 0, 5)
    assert {k["id"]: get(api, tech, k["id"])["version"] for k in kids} == versions


def _contact_email(api, admin, contact_id):
    return api.call("GET", f"/contacts/{contact_id}", admin).body["email"]


def test_cascade_without_reply_changes_status_and_assignee(api, tech, client_id, master):
    kids = [create(api, tech, client_id) for _ in range(2)]
    link(api, tech, master["id"], [k["id"] for k in kids])
    r = api.call(
        "POST", f"/tickets/{master['id']}/cascade", tech, {"status": "ESCALATED", "assignee_id": "lead-1"}
    )
    assert r.status == 202
    c = api.call("GET", f"/cascades/{r.body['cascade_id']}", tech).body
    assert (c["state"], c["applied"], c["skipped"], c["failed"]) == ("SUCCEEDED", 2, 0, 0)
    for kid in kids:
        d = get(api, tech, kid["id"])
        assert d["status"] == "ESCALATED" and d["assignee_id"] == "lead-1" and d["replies"] == []
        assert d["first_response_at"] is None  # no reply, no response
        cascaded = [a for a in d["activity"] if a["source"] == f"cascade:{r.body['cascade_id']}"]
        assert {a["change"].get("field") for a in cascaded} == {"status", "assignee_id"}
        assert api.outbox(kid["id"]) == []


def test_cascade_validation(api, tech, client_id, master):
    path = f"/tickets/{master['id']}/cascade"
    for body in (
        {},
        {"status": "OPEN"},
        {"status": "DONE"},
        {"reply": {"body": "  "}},
        {"reply": "hi"},
        {"x": 1},
    ):
        r = api.call("POST", path, tech, body)
        assert r.status == 400 and r.body["error"]["code"] == "validation_error", (body, r.body)
    plain = create(api, tech, client_id)
    r = api.call("POST", f"/tickets/{plain['id']}/cascade", tech, {"status": "RESOLVED"})
    assert r.status == 409
    assert api.call("GET", "/cascades/nope", tech).status == 404
    assert api.call("GET", "/cascades/" + "0" * 32, tech).status == 404


def test_cascade_is_per_tenant_and_staff_only(api, tech, client_id, contact_id, master):
    kid = create(api, tech, client_id)
    link(api, tech, master["id"], [kid["id"]])
    cascade_id = api.call("POST", f"/tickets/{master['id']}/cascade", tech, {"status": "RESOLVED"}).body[
        "cascade_id"
    ]
    readonly = api.token("readonly", "rita")
    assert api.call("GET", f"/cascades/{cascade_id}", readonly).status == 200
    customer = api.token("customer", "dana", client_id=client_id, contact_id=contact_id)
    assert api.call("GET", f"/cascades/{cascade_id}", customer).status == 403
    other = api.token("admin", "eve", tenant_id=f"other-{uuid.uuid4().hex[:8]}")
    assert api.call("GET", f"/cascades/{cascade_id}", other).status == 404


# --- the steps, as the state machine calls them ----------------------------------------------------


def test_a_retried_apply_step_applies_once_and_a_child_finished_meanwhile_is_skipped(
    api, gateway, tech, admin, tenant, client_id, master
):
    kids = [create(api, tech, client_id, contact(api, admin, client_id, f"P{i}")) for i in range(2)]
    link(api, tech, master["id"], [k["id"] for k in kids])
    cascade_id = api.call(
        "POST", f"/tickets/{master['id']}/cascade", tech, {"reply": {"body": "Working on it."}}
    ).body["cascade_id"]
    assert get(api, tech, kids[0]["id"])["status"] == "IN_PROGRESS"  # staff reply on OPEN

    # Step Functions retries a step whose response was lost: the same input again changes nothing.
    step = {"tenant_id": tenant, "cascade_id": cascade_id, "child_id": kids[0]["id"]}
    before = get(api, tech, kids[0]["id"])
    out = gateway.invoke("CascadeApplyToChildFunction", step)
    assert out == {"child_id": kids[0]["id"], "outcome": "applied", "repeated": True}
    assert get(api, tech, kids[0]["id"])["version"] == before["version"]
    assert len(api.outbox(kids[0]["id"])) == 1

    # A new cascade's step meets a child resolved since the listing: left alone, counted skipped.
    api.call("PATCH", f"/tickets/{kids[1]['id']}", tech, {"status": "RESOLVED"})
    resolved = get(api, tech, kids[1]["id"])
    start = {"tenant_id": tenant, "cascade_id": "f" * 32, "child_id": kids[1]["id"]}
    from regentra.adapters.dynamo.cascades import DynamoCascadeStore
    from regentra.clock import get_clock
    from regentra.domain.cascade import Cascade, CascadeChange
    from regentra.domain.tickets import Activity

    store = DynamoCascadeStore()
    now = get_clock().now()
    store.create(
        Cascade(tenant, "f" * 32, master["id"], CascadeChange(reply_body="Again"), "tech-1", now),
        Activity(now, "tech-1", "staff:tech-1", {"event": "cascade_started"}),
    )
    assert gateway.invoke("CascadeApplyToChildFunction", start) == {
        "child_id": kids[1]["id"],
        "outcome": "skipped",
    }
    assert get(api, tech, kids[1]["id"])["version"] == resolved["version"]
    # the Catch's step counts a failure once, and never over an outcome already recorded
    failed = gateway.invoke(
        "CascadeRecordFailureFunction", {**start, "error": {"Error": "States.Timeout", "Cause": "x"}}
    )
    assert failed["outcome"] == "skipped"
    gateway.invoke("CascadeFinalizeFunction", {"tenant_id": tenant, "cascade_id": "f" * 32})
    c = api.call("GET", f"/cascades/{'f' * 32}", tech).body
    assert (c["state"], c["applied"], c["skipped"], c["failed"]) == ("SUCCEEDED", 0, 1, 0)


def test_children_are_listed_in_pages_and_each_page_fans_out(api, tech, client_id, master, monkeypatch):
    from regentra.local.workflows import executions
    from regentra.services import cascades

    monkeypatch.setattr(cascades, "CHILD_PAGE", 2)  # the task handlers run in this process
    kids = [create(api, tech, client_id) for _ in range(5)]
    link(api, tech, master["id"], [k["id"] for k in kids])
    api.call("PATCH", f"/tickets/{kids[2]['id']}", tech, {"status": "CLOSED"})
    r = api.call("POST", f"/tickets/{master['id']}/cascade", tech, {"status": "WAITING_ON_CUSTOMER"})
    c = api.call("GET", f"/cascades/{r.body['cascade_id']}", tech).body
    assert (c["total"], c["applied"], c["skipped"], c["failed"]) == (5, 4, 1, 0)
    [run] = [e for e in executions() if e.name == r.body["cascade_id"]]
    assert run.status == "SUCCEEDED"
    assert [s for s in run.steps if s in ("ListChildren", "ApplyToChild", "NextPage", "Finalize")] == [
        "ListChildren", "ApplyToChild", "ApplyToChild", "NextPage",
        "ListChildren", "ApplyToChild", "NextPage",  # the CLOSED child is skipped at listing
        "ListChildren", "ApplyToChild", "Finalize",
    ]  # fmt: skip
    assert [get(api, tech, k["id"])["status"] for k in kids] == [
        "WAITING_ON_CUSTOMER", "WAITING_ON_CUSTOMER", "CLOSED", "WAITING_ON_CUSTOMER", "WAITING_ON_CUSTOMER",
    ]  # fmt: skip
