"""Live chat through the real `regentra local` process: a visitor's chat (public routes) and a
customer's idle chat (the local clock replays the schedule) each end as one CHAT ticket."""

from __future__ import annotations


def test_chats_end_as_chat_tickets_through_the_local_stack(local_stack):
    s = local_stack
    tech = s.token(tenant_id="demo-msp", role="technician", user_id="tom-tech")

    status, chat = s.request(
        "POST",
        "/chat/visitor/sessions",
        {
            "tenant_id": "demo-msp",
            "email": "sam@acme-dental.test",
            "name": "Sam",
            "message": "VPN login fails",
        },
    )
    assert status == 201, chat
    vt = {"X-Chat-Token": chat["visitor_token"]}
    path = f"/chat/visitor/sessions/{chat['id']}"
    assert s.request("POST", f"/chat/sessions/{chat['id']}/messages", {"body": "On it"}, token=tech)[0] == 201
    assert s.request("POST", f"{path}/messages", {"body": "Thanks"}, headers=vt)[0] == 201
    assert s.request("GET", path)[0] == 401  # no token, no chat
    status, ended = s.request("POST", f"{path}/end", headers=vt)
    assert status == 200 and ended["ticket_id"]
    assert (
        s.request("POST", f"/chat/sessions/{chat['id']}/end", token=tech)[1]["ticket_id"]
        == ended["ticket_id"]
    )
    ticket = s.request("GET", f"/tickets/{ended['ticket_id']}", token=tech)[1]
    assert ticket["channel"] == "CHAT" and ticket["subject"] == "VPN login fails"
    assert "Visitor Sam: Thanks" in ticket["description"]

    cust = s.token(
        tenant_id="demo-msp",
        role="customer",
        user_id="dana",
        client_id=ticket["client_id"],
        contact_id=s.request("GET", "/contacts?client_id=" + ticket["client_id"], token=tech)[1]["items"][0][
            "id"
        ],
    )
    status, mine = s.request("POST", "/chat/sessions", {"message": "Printer offline"}, token=cust)
    assert status == 201, mine
    s.request("POST", "/_local/clock", {"advance_minutes": 31})
    idle = s.request("GET", f"/chat/sessions/{mine['id']}", token=cust)[1]
    assert idle["state"] == "ended" and idle["end_reason"] == "idle" and idle["ticket_id"]
    chats = s.request("GET", "/tickets?channel=CHAT", token=tech)[1]["items"]
    assert sorted(t["id"] for t in chats) == sorted([ended["ticket_id"], idle["ticket_id"]])
