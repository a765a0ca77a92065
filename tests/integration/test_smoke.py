def test_create_and_get(api, tech, client_id):
    r = api.call("POST", "/tickets", tech, {"subject": "VPN down", "priority": "HIGH", "client_id": client_id})
    assert r.status == 201, r.body
    t = r.body
    g = api.call("GET", f"/tickets/{t['id']}", tech)
    assert g.status == 200, g.body
    print(g.body)
