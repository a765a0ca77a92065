"""Clients, contacts and the tenant's inbound channels."""

from __future__ import annotations


def test_client_crud_and_list(api, admin):
    made = [
        api.call("POST", "/clients", admin, {"name": f"Client {i}", "email_domains": ["EXAMPLE.test"]}).body
        for i in range(3)
    ]
    assert made[0]["email_domains"] == ["example.test"] and made[0]["vip"] is False
    page = api.call("GET", "/clients?limit=2", admin).body
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = api.call("GET", f"/clients?limit=2&cursor={page['next_cursor']}", admin).body
    assert {c["id"] for c in page["items"] + rest["items"]} == {c["id"] for c in made}
    r = api.call("PATCH", f"/clients/{made[0]['id']}", admin, {"vip": True, "name": "Renamed"})
    assert r.status == 200 and r.body["vip"] is True and r.body["name"] == "Renamed"
    assert r.body["version"] == 2
    assert api.call("GET", f"/clients/{made[0]['id']}", admin).body["vip"] is True


def test_client_validation_and_isolation(api, admin, tenant):
    for body in (
        {},
        {"name": ""},
        {"name": "x", "vip": "yes"},
        {"name": "x", "email_domains": ["not a domain"]},
        {"name": "x", "extra": 1},
    ):
        assert api.call("POST", "/clients", admin, body).status == 400, body
    c = api.call("POST", "/clients", admin, {"name": "Acme"}).body
    other = api.token("admin", "x", tenant_id=tenant + "-other")
    assert api.call("GET", f"/clients/{c['id']}", other).status == 404
    assert api.call("PATCH", f"/clients/{c['id']}", other, {"name": "pwned"}).status == 404
    assert api.call("PATCH", f"/clients/{c['id']}", admin, {"name": None}).status == 400
    assert api.call("GET", "/clients/nope", admin).status == 404


def test_customers_cannot_use_the_directory(api, client_id, contact_id):
    cust = api.token("customer", "c1", client_id=client_id, contact_id=contact_id)
    assert api.call("GET", "/clients", cust).status == 403
    assert api.call("GET", f"/contacts/{contact_id}", cust).status == 403


def test_contacts_unique_email_per_tenant_and_filters(api, admin, client_id, tenant):
    a = api.call(
        "POST",
        "/contacts",
        admin,
        {"client_id": client_id, "name": "Dana", "email": "Dana@Acme.test", "phone": "+15550100201"},
    )
    assert a.status == 201 and a.body["email"] == "dana@acme.test"
    dup = api.call(
        "POST", "/contacts", admin, {"client_id": client_id, "name": "Other", "email": "dana@acme.test"}
    )
    assert dup.status == 409 and dup.body["error"]["code"] == "conflict"
    other_client = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    b = api.call(
        "POST", "/contacts", admin, {"client_id": other_client, "name": "Erik", "email": "erik@birch.test"}
    )
    assert b.status == 201
    only_a = api.call("GET", f"/contacts?client_id={client_id}", admin).body["items"]
    assert [c["name"] for c in only_a] == ["Dana"]
    # the same email in another tenant is fine
    other_admin = api.token("admin", "x", tenant_id=tenant + "-2")
    oc = api.call("POST", "/clients", other_admin, {"name": "Z"}).body["id"]
    assert (
        api.call(
            "POST", "/contacts", other_admin, {"client_id": oc, "name": "D", "email": "dana@acme.test"}
        ).status
        == 201
    )


def test_contact_email_change_moves_the_unique_lookup(api, admin, client_id):
    a = api.call(
        "POST", "/contacts", admin, {"client_id": client_id, "name": "A", "email": "a@acme.test"}
    ).body
    b = api.call(
        "POST", "/contacts", admin, {"client_id": client_id, "name": "B", "email": "b@acme.test"}
    ).body
    assert api.call("PATCH", f"/contacts/{b['id']}", admin, {"email": "a@acme.test"}).status == 409
    moved = api.call("PATCH", f"/contacts/{a['id']}", admin, {"email": "a2@acme.test"})
    assert moved.status == 200 and moved.body["email"] == "a2@acme.test"
    # the old address is free again; the new one is taken
    assert api.call("PATCH", f"/contacts/{b['id']}", admin, {"email": "a@acme.test"}).status == 200
    assert (
        api.call(
            "POST", "/contacts", admin, {"client_id": client_id, "name": "C", "email": "a2@acme.test"}
        ).status
        == 409
    )


def test_contact_validation(api, admin, client_id):
    for body in (
        {"client_id": client_id},
        {"client_id": client_id, "name": "x", "phone": "0170 123"},
        {"client_id": client_id, "name": "x", "email": "nope"},
        {"client_id": "missing", "name": "x"},
    ):
        assert api.call("POST", "/contacts", admin, body).status == 400, body


def test_channels_admin_only_and_one_tenant_per_address(api, admin, tech, tenant):
    assert api.call("GET", "/settings/channels", admin).body == {"support_emails": [], "sms_numbers": []}
    body = {"support_emails": ["Help@acme-msp.test"], "sms_numbers": ["+15550100100"]}
    r = api.call("PUT", "/settings/channels", admin, body)
    assert r.status == 200 and r.body["support_emails"] == ["help@acme-msp.test"]
    assert api.call("GET", "/settings/channels", admin).body == r.body
    assert api.call("GET", "/settings/channels", tech).status == 403
    assert api.call("PUT", "/settings/channels", tech, body).status == 403
    rival = api.token("admin", "r", tenant_id=tenant + "-rival")
    taken = api.call("PUT", "/settings/channels", rival, {"support_emails": ["help@acme-msp.test"]})
    assert taken.status == 409
    assert api.call("GET", "/settings/channels", rival).body == {"support_emails": [], "sms_numbers": []}
    # giving an address up frees it for another tenant
    assert (
        api.call("PUT", "/settings/channels", admin, {"support_emails": [], "sms_numbers": []}).status == 200
    )
    assert (
        api.call("PUT", "/settings/channels", rival, {"support_emails": ["help@acme-msp.test"]}).status == 200
    )
    for bad in (
        {"support_emails": ["x"]},
        {"sms_numbers": ["555"]},
        {"support_emails": ["a@b.test", "a@b.test"]},
        {"support_emails": "a@b.test"},
    ):
        assert api.call("PUT", "/settings/channels", admin, bad).status == 400, bad


def test_channel_lookup_finds_the_tenant(api, admin, tenant, ddb_endpoint):
    from regentra.adapters.dynamo.repository import DynamoSettingsRepository

    api.call(
        "PUT", "/settings/channels", admin, {"support_emails": [f"desk@{tenant}.test"], "sms_numbers": []}
    )
    repo = DynamoSettingsRepository()
    assert repo.tenant_for_channel("EMAIL", f"DESK@{tenant}.test") == tenant
    assert repo.tenant_for_channel("EMAIL", "nobody@nowhere.test") is None
