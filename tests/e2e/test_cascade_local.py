"""Issue 7's 'done when', against the real `regentra local` process over HTTP: a vendor-outage
master with 5 children (one already resolved) is resolved with a reply through the cascade."""

from __future__ import annotations


def test_vendor_outage_cascade_over_http(local_stack):
    s = local_stack
    admin = s.token(tenant_id="cascade-msp", role="admin", user_id="ada")
    tech = s.token(tenant_id="cascade-msp", role="technician", user_id="tom")
    status, client = s.request("POST", "/clients", {"name": "Harbor Dental"}, token=admin)
    assert status == 201, client
    contacts = []
    for i in range(5):
        status, c = s.request(
            "POST",
            "/contacts",
            {"client_id": client["id"], "name": f"Pat {i}", "email": f"pat{i}@harbor.test"},
            token=admin,
        )
        assert status == 201, c
        contacts.append(c["id"])

    def ticket(subject, contact_id=None):
        body = {"subject": subject, "priority": "HIGH", "client_id": client["id"]}
        if contact_id:
            body["contact_id"] = contact_id
        status, t = s.request("POST", "/tickets", body, token=tech)
        assert status == 201, t
        return t["id"]

    master = ticket("Vendor outage: hosted PBX down")
    assert s.request("POST", f"/tickets/{master}/master", token=tech)[0] == 200
    kids = [ticket(f"Phones dead {i}", contacts[i]) for i in range(5)]
    assert s.request("PATCH", f"/tickets/{kids[4]}", {"status": "RESOLVED"}, token=tech)[0] == 200
    status, linked = s.request("POST", f"/tickets/{master}/children", {"child_ids": kids}, token=tech)
    assert status == 200 and linked == {"linked": kids, "rejected": []}
    untouched = s.request("GET", f"/tickets/{kids[4]}", token=tech)[1]

    status, resolved = s.request("PATCH", f"/tickets/{master}", {"status": "RESOLVED"}, token=tech)
    assert status == 200
    assert resolved["cascade_prompt"] == {"status": "RESOLVED", "eligible_children": 4, "skipped_children": 1}

    body = {
        "status": "RESOLVED",
        "reply": {"body": "The PBX vendor fixed the outage; your phones work again."},
    }
    status, started = s.request("POST", f"/tickets/{master}/cascade", body, token=tech)
    assert status == 202, started
    status, progress = s.request("GET", f"/cascades/{started['cascade_id']}", token=tech)
    assert status == 200
    assert [progress[k] for k in ("state", "total", "applied", "skipped", "failed")] == [
        "SUCCEEDED",
        5,
        4,
        1,
        0,
    ]

    outbox = s.request("GET", "/_local/outbox")[1]["items"]
    for i, kid in enumerate(kids[:4]):
        detail = s.request("GET", f"/tickets/{kid}", token=tech)[1]
        assert detail["status"] == "RESOLVED" and detail["first_response_at"] is not None
        mails = [m for m in outbox if m["ticket_id"] == kid]
        assert len(mails) == 1 and mails[0]["to"] == f"pat{i}@harbor.test"
        assert "your phones work again" in mails[0]["body"]
    assert s.request("GET", f"/tickets/{kids[4]}", token=tech)[1]["version"] == untouched["version"]
    assert [m for m in outbox if m["ticket_id"] == kids[4]] == []

    versions = [s.request("GET", f"/tickets/{k}", token=tech)[1]["version"] for k in kids]
    status, again = s.request("POST", f"/tickets/{master}/cascade", body, token=tech)
    assert status == 202 and again == started
    assert [s.request("GET", f"/tickets/{k}", token=tech)[1]["version"] for k in kids] == versions
    assert len(s.request("GET", "/_local/outbox")[1]["items"]) == len(outbox)
