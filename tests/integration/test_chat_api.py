"""Live chat through the handlers (as `regentra local` runs them) on DynamoDB Local: customers and
visitors talk with staff; an ended or idle chat becomes exactly one CHAT ticket."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

M = timedelta(minutes=1)


@pytest.fixture()
def customer(api, client_id, contact_id):
    return api.token("customer", "dana", client_id=client_id, contact_id=contact_id)


@pytest.fixture()
def channels(api, admin):
    """Visitors may chat with a tenant once it has set up its inbound channels."""
    r = api.call("PUT", "/settings/channels", admin, {"support_emails": [f"help@{api.tenant_id}.test"]})
    assert r.status == 200, r.body


def start(api, token, message="My printer is on fire"):
    body = {} if message is None else {"message": message}
    r = api.call("POST", "/chat/sessions", token, body)
    assert r.status == 201, r.body
    return r.body


def say(api, token, session_id, body):
    r = api.call("POST", f"/chat/sessions/{session_id}/messages", token, {"body": body})
    assert r.status == 201, r.body
    return r.body


def end(api, token, session_id):
    r = api.call("POST", f"/chat/sessions/{session_id}/end", token)
    assert r.status == 200, r.body
    return r.body


def ticket(api, token, ticket_id):
    r = api.call("GET", f"/tickets/{ticket_id}", token)
    assert r.status == 200, r.body
    return r.body


def chat_tickets(api, token):
    r = api.call("GET", "/tickets?channel=CHAT", token)
    assert r.status == 200, r.body
    return r.body["items"]


def start_visitor(api, email, message="Hello, is anyone there?", name=None):
    body = {"tenant_id": api.tenant_id, "email": email, "message": message}
    if name:
        body["name"] = name
    r = api.call("POST", "/chat/visitor/sessions", None, body)
    assert r.status == 201, r.body
    return r.body


def visitor_call(api, method, path, token, body=None):
    return api.call(method, path, None, body, headers={"X-Chat-Token": token} if token else None)


# --- a customer's chat ------------------------------------------------------------------------------


def test_customer_chat_with_staff_becomes_a_chat_ticket(api, customer, tech, client_id, contact_id, clock):
    s = start(api, customer, "  My printer\n is on fire  ")
    assert s["state"] == "active" and s["started_by"] == "customer"
    assert (s["client_id"], s["contact_id"], s["message_count"]) == (client_id, contact_id, 1)
    assert s["idle_at"] == "2026-11-23T09:30:00.000Z"

    listed = api.call("GET", "/chat/sessions?state=active", tech)
    assert listed.status == 200 and [x["id"] for x in listed.body["items"]] == [s["id"]]

    clock.advance(2 * M)
    say(api, tech, s["id"], "Hi Dana, please unplug it.")
    clock.advance(M)
    say(api, customer, s["id"], "Done, thanks!")
    seen = api.call("GET", f"/chat/sessions/{s['id']}", customer).body
    assert [(m["author_type"], m["body"]) for m in seen["messages"]] == [
        ("customer", "  My printer\n is on fire  "),
        ("staff", "Hi Dana, please unplug it."),
        ("customer", "Done, thanks!"),
    ]
    assert seen["participants"] == sorted([f"customer:{contact_id}", "staff:tech-1"])
    assert "ended_by" not in seen  # staff business

    clock.advance(M)
    out = end(api, customer, s["id"])
    assert out["state"] == "ended" and out["end_reason"] == "customer" and out["ticket_id"]
    assert out["ended_at"] == "2026-11-23T09:04:00.000Z"

    t = ticket(api, tech, out["ticket_id"])
    assert t["channel"] == "CHAT" and t["subject"] == "My printer is on fire"
    assert (t["client_id"], t["contact_id"]) == (client_id, contact_id)
    # As of the start of the chat; the first staff chat message is the first response.
    assert t["created_at"] == "2026-11-23T09:00:00.000Z"
    assert t["first_response_at"] == "2026-11-23T09:02:00.000Z"
    assert t["status"] == "IN_PROGRESS" and t["sla"]["response"]["status"] == "MET"
    lines = t["description"].splitlines()
    assert lines[0].startswith(f"Live chat {s['id']}, started 2026-11-23T09:00:00.000Z")
    assert "[2026-11-23T09:00:00.000Z] Customer Dana: My printer" in t["description"]
    assert "[2026-11-23T09:02:00.000Z] Staff tech-1: Hi Dana, please unplug it." in lines
    assert "[2026-11-23T09:03:00.000Z] Customer Dana: Done, thanks!" in lines
    created = t["activity"][0]
    assert created["change"]["event"] == "created" and created["change"]["chat_session_id"] == s["id"]
    assert created["source"] == f"customer:{contact_id}"

    # The customer sees the ticket too; the session has left the active list.
    assert ticket(api, customer, out["ticket_id"])["channel"] == "CHAT"
    assert api.call("GET", "/chat/sessions", tech).body["items"] == []
    ended = api.call("GET", "/chat/sessions?state=ended", tech).body["items"]
    assert [(x["id"], x["ticket_id"], x["ended_by"]) for x in ended] == [
        (s["id"], out["ticket_id"], f"customer:{contact_id}")
    ]


def test_a_chat_nobody_answered_is_an_open_ticket_with_its_response_timer_running(api, customer, tech):
    s = start(api, customer, "VPN down")
    out = end(api, tech, s["id"])  # staff may end it too
    t = ticket(api, tech, out["ticket_id"])
    assert t["status"] == "OPEN" and t["first_response_at"] is None
    assert t["sla"]["response"]["stopped_at"] is None
    assert out["end_reason"] == "staff"
    assert "(by staff)" in t["description"].splitlines()[0]


def test_ending_twice_returns_the_same_ticket_and_the_chat_takes_no_more_messages(api, customer, tech):
    s = start(api, customer)
    first = end(api, customer, s["id"])
    again = end(api, tech, s["id"])
    assert again["ticket_id"] == first["ticket_id"] and again["end_reason"] == "customer"
    late = api.call("POST", f"/chat/sessions/{s['id']}/messages", customer, {"body": "one more thing"})
    assert late.status == 409 and late.body["error"]["code"] == "conflict"
    assert late.body["error"]["details"][0]["ticket_id"] == first["ticket_id"]
    assert [x["id"] for x in chat_tickets(api, tech)] == [first["ticket_id"]]


def test_concurrent_ends_create_one_ticket(api, customer, tech, tenant):
    from regentra.services.chat import end_session
    from regentra.services.deps import default_deps

    s = start(api, customer)
    say(api, tech, s["id"], "Looking")
    barrier = threading.Barrier(4)
    results: list[str | None] = []

    def run(i: int) -> None:
        barrier.wait()
        ended = end_session(
            default_deps(), tenant, s["id"], actor=f"u{i}", source=f"staff:u{i}", reason="staff"
        )
        results.append(ended.ticket_id if ended else None)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == 4 and len(set(results)) == 1 and results[0] is not None
    assert [x["id"] for x in chat_tickets(api, tech)] == [results[0]]
    # and through the routes, from both sides at once
    s2 = start(api, customer, "second chat")
    replies: list[int] = []
    ids: list[str] = []

    def route(token: str) -> None:
        r = api.call("POST", f"/chat/sessions/{s2['id']}/end", token)
        replies.append(r.status)
        ids.append(r.body["ticket_id"])

    pair = [threading.Thread(target=route, args=(t,)) for t in (customer, tech)]
    for th in pair:
        th.start()
    for th in pair:
        th.join()
    assert replies == [200, 200] and ids[0] == ids[1]
    assert len(chat_tickets(api, tech)) == 2


def test_a_message_racing_an_end_is_either_in_the_transcript_or_refused(api, customer, tech, tenant):
    from regentra.errors import Conflict
    from regentra.identity import principal_from_claims
    from regentra.services.chat import ChatCaller, end_session, post_message
    from regentra.services.deps import default_deps

    s = start(api, customer, "racing")
    caller = ChatCaller.of(
        principal_from_claims({"sub": "tech-1", "custom:tenant_id": tenant, "cognito:groups": "[technician]"})
    )
    outcome: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def speak() -> None:
        barrier.wait()
        try:
            outcome["message"] = post_message(caller, s["id"], "last words", default_deps())
        except Conflict:
            outcome["message"] = None

    def finish() -> None:
        barrier.wait()
        outcome["ended"] = end_session(
            default_deps(), tenant, s["id"], actor="x", source="staff:x", reason="staff"
        )

    threads = [threading.Thread(target=speak), threading.Thread(target=finish)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t = ticket(api, tech, outcome["ended"].ticket_id)  # type: ignore[union-attr]
    assert ("last words" in t["description"]) == (outcome["message"] is not None)


# --- idle -------------------------------------------------------------------------------------------


def test_idle_for_30_minutes_the_schedule_ends_the_chat_as_a_ticket(api, customer, tech, clock):
    s = start(api, customer, "Outlook keeps crashing")
    clock.advance(20 * M)
    say(api, tech, s["id"], "Which version?")  # activity moves the idle moment to 09:50
    clock.advance(29 * M)
    api.run_schedule("EndIdleChatsFunction")
    assert api.call("GET", f"/chat/sessions/{s['id']}", tech).body["state"] == "active"
    clock.advance(2 * M)
    result = api.run_schedule("EndIdleChatsFunction")
    assert result["ended"] >= 1 and result["tickets"] >= 1
    got = api.call("GET", f"/chat/sessions/{s['id']}", tech).body
    assert got["state"] == "ended" and got["end_reason"] == "idle"
    assert got["ended_at"] == "2026-11-23T09:50:00.000Z" and got["ended_by"] == "schedule:end_idle_chats"
    t = ticket(api, tech, got["ticket_id"])
    assert t["channel"] == "CHAT" and t["subject"] == "Outlook keeps crashing"
    assert "idle for 30 minutes" in t["description"].splitlines()[0]
    assert t["activity"][0]["source"] == "schedule:end_idle_chats"
    # it is out of the due index: later runs change nothing
    clock.advance(60 * M)
    api.run_schedule("EndIdleChatsFunction")
    assert api.call("GET", f"/chat/sessions/{s['id']}", tech).body == got
    assert [x["id"] for x in chat_tickets(api, tech)] == [got["ticket_id"]]


def test_an_idle_end_from_a_stale_index_entry_leaves_a_live_chat_alone(api, customer, tech, tenant, clock):
    """The due index is read eventually consistently: the job re-checks the session itself."""
    from regentra.services.chat import IDLE, IDLE_SOURCE, end_session
    from regentra.services.deps import default_deps

    s = start(api, customer, "Hello")
    clock.advance(29 * M)
    same = end_session(default_deps(), tenant, s["id"], actor="schedule", source=IDLE_SOURCE, reason=IDLE)
    assert same is not None and same.state == "active" and same.ticket_id is None
    assert api.call("GET", f"/chat/sessions/{s['id']}", tech).body["state"] == "active"
    assert chat_tickets(api, tech) == []


def test_a_message_to_an_idle_chat_the_schedule_has_not_reached_is_refused(api, customer, tech, clock):
    s = start(api, customer, "Hello")
    clock.advance(31 * M)
    r = api.call("POST", f"/chat/sessions/{s['id']}/messages", customer, {"body": "still there?"})
    assert r.status == 409
    got = api.call("GET", f"/chat/sessions/{s['id']}", tech).body
    assert got["end_reason"] == "idle" and got["ticket_id"]
    assert "still there?" not in ticket(api, tech, got["ticket_id"])["description"]


def test_a_chat_without_a_customer_message_ends_without_a_ticket(api, customer, tech, clock):
    s = start(api, customer, None)
    say(api, tech, s["id"], "Hi, how can I help?")
    clock.advance(31 * M)
    api.run_schedule("EndIdleChatsFunction")
    got = api.call("GET", f"/chat/sessions/{s['id']}", tech).body
    assert got["state"] == "ended" and got["ticket_id"] is None
    assert chat_tickets(api, tech) == []


# --- visitors ---------------------------------------------------------------------------------------


def test_visitor_chat_files_the_ticket_under_the_client_of_their_email_domain(
    api, admin, tech, client_id, channels
):
    email = f"sam-{uuid.uuid4().hex[:6]}@acme.test"  # acme.test is the client's email domain
    s = start_visitor(api, email, "Cannot log in", name="Sam")
    token = s.pop("visitor_token")
    assert s["started_by"] == "visitor" and s["client_id"] is None and s["email"] == email
    staff_view = api.call("GET", f"/chat/sessions/{s['id']}", tech).body
    assert staff_view["name"] == "Sam"
    say(api, tech, s["id"], "Resetting your password")
    r = visitor_call(api, "POST", f"/chat/visitor/sessions/{s['id']}/messages", token, {"body": "Thanks"})
    assert r.status == 201 and r.body["author_type"] == "visitor"
    seen = visitor_call(api, "GET", f"/chat/visitor/sessions/{s['id']}", token).body
    assert [m["body"] for m in seen["messages"]] == ["Cannot log in", "Resetting your password", "Thanks"]
    out = visitor_call(api, "POST", f"/chat/visitor/sessions/{s['id']}/end", token)
    assert out.status == 200 and out.body["end_reason"] == "visitor"
    t = ticket(api, tech, out.body["ticket_id"])
    assert t["channel"] == "CHAT" and t["client_id"] == client_id and t["subject"] == "Cannot log in"
    assert "Visitor Sam: Thanks" in t["description"]
    contact = api.call("GET", f"/contacts/{t['contact_id']}", admin).body
    assert contact["email"] == email and contact["client_id"] == client_id and contact["name"] == "Sam"
    # The visitor still reads the ended session (for its ticket) but cannot write to it.
    assert visitor_call(api, "GET", f"/chat/visitor/sessions/{s['id']}", token).body["state"] == "ended"
    again = visitor_call(api, "POST", f"/chat/visitor/sessions/{s['id']}/messages", token, {"body": "x"})
    assert again.status == 409


def test_visitor_with_a_known_email_is_that_contact_and_an_unknown_domain_goes_to_unassigned(
    api, admin, tech, client_id, contact_id, channels
):
    known = api.call("GET", f"/contacts/{contact_id}", admin).body["email"]
    s = start_visitor(api, known)
    t = ticket(
        api,
        tech,
        visitor_call(api, "POST", f"/chat/visitor/sessions/{s['id']}/end", s["visitor_token"]).body[
            "ticket_id"
        ],
    )
    assert (t["client_id"], t["contact_id"]) == (client_id, contact_id)

    ids = []
    for n in range(2):
        v = start_visitor(api, f"stranger{n}@nowhere.test")
        ended = visitor_call(api, "POST", f"/chat/visitor/sessions/{v['id']}/end", v["visitor_token"]).body
        ids.append(ticket(api, tech, ended["ticket_id"])["client_id"])
    assert ids[0] == ids[1] != client_id  # one "Unassigned" client, created once
    assert api.call("GET", f"/clients/{ids[0]}", admin).body["name"] == "Unassigned"


def test_visitor_tokens_open_their_own_session_only(api, tech, channels, clock):
    a = start_visitor(api, "a@nowhere.test")
    b = start_visitor(api, "b@nowhere.test")
    path_b = f"/chat/visitor/sessions/{b['id']}"
    assert visitor_call(api, "GET", path_b, a["visitor_token"]).status == 404
    assert visitor_call(api, "GET", path_b, None).status == 401
    assert visitor_call(api, "GET", path_b, "garbage").status == 404
    assert visitor_call(api, "POST", f"{path_b}/end", a["visitor_token"]).status == 404
    # a visitor token is no bearer token, and a staff token opens no visitor route
    assert api.call("GET", f"/chat/sessions/{b['id']}", a["visitor_token"]).status == 401
    assert api.call("GET", path_b, tech).status == 401
    # an hour after the end the token is spent
    visitor_call(api, "POST", f"{path_b}/end", b["visitor_token"])
    clock.advance(61 * M)
    assert visitor_call(api, "GET", path_b, b["visitor_token"]).status == 404


def test_visitor_needs_a_known_tenant_and_a_valid_email(api, channels):
    ok = {"tenant_id": api.tenant_id, "email": "v@x.test"}
    unknown = api.call(
        "POST", "/chat/visitor/sessions", None, {**ok, "tenant_id": f"nope-{uuid.uuid4().hex[:6]}"}
    )
    assert unknown.status == 404
    for bad in (
        {**ok, "email": "not-an-email"},
        {"tenant_id": api.tenant_id},
        {**ok, "message": " "},
        {**ok, "x": 1},
    ):
        r = api.call("POST", "/chat/visitor/sessions", None, bad)
        assert r.status == 400 and r.body["error"]["code"] == "validation_error", bad


# --- who may see and do what -------------------------------------------------------------------------


def test_other_tenants_and_other_clients_get_404(api, admin, customer, tech):
    s = start(api, customer)
    path = f"/chat/sessions/{s['id']}"
    other_tenant = api.token("admin", "eve", tenant_id=f"t-{uuid.uuid4().hex[:12]}")
    other_client = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    neighbour = api.token("customer", "ned", client_id=other_client)
    for token in (other_tenant, neighbour):
        assert api.call("GET", path, token).status == 404
        assert api.call("POST", f"{path}/messages", token, {"body": "hi"}).status == 404
        assert api.call("POST", f"{path}/end", token).status == 404
    assert api.call("GET", "/chat/sessions", other_tenant).body["items"] == []
    assert api.call("GET", "/chat/sessions/01JAAAAAAAAAAAAAAAAAAAAAAA", tech).status == 404
    assert api.call("GET", "/chat/sessions/not-an-id", tech).status == 404
    assert api.call("GET", path, tech).body["state"] == "active"  # nothing above changed it


def test_roles_and_bad_input(api, customer, tech):
    readonly = api.token("readonly", "rita")
    s = start(api, customer)
    path = f"/chat/sessions/{s['id']}"
    assert api.call("POST", "/chat/sessions", tech, {}).status == 403  # staff answer chats
    assert api.call("POST", f"{path}/messages", readonly, {"body": "hi"}).status == 403
    assert api.call("POST", f"{path}/end", readonly).status == 403
    assert api.call("GET", path, readonly).status == 200
    assert api.call("GET", "/chat/sessions", customer).status == 403
    assert api.call("GET", "/chat/sessions", None).status == 401
    for body in (
        None,
        {},
        {"body": ""},
        {"body": "   "},
        {"body": 5},
        {"body": "x" * 5001},
        {"body": "x", "y": 1},
    ):
        r = api.call("POST", f"{path}/messages", customer, body)
        assert r.status == 400 and r.body["error"]["code"] == "validation_error", body
    assert api.call("POST", "/chat/sessions", customer, {"message": ""}).status == 400
    assert api.call("POST", "/chat/sessions", customer, {"subject": "x"}).status == 400
    for query in ("state=closed", "limit=0", "limit=101", "cursor=forged"):
        r = api.call("GET", f"/chat/sessions?{query}", tech)
        assert r.status == 400, query
    assert api.call("GET", path, tech).body["message_count"] == 1


def test_staff_list_of_active_sessions_pages_newest_activity_first(api, customer, tech, clock):
    made = []
    for i in range(3):
        made.append(start(api, customer, f"chat {i}")["id"])
        clock.advance(M)
    say(api, tech, made[0], "bumped")  # the oldest chat has the newest activity
    first = api.call("GET", "/chat/sessions?state=active&limit=2", tech).body
    assert [x["id"] for x in first["items"]] == [made[0], made[2]] and first["next_cursor"]
    rest = api.call("GET", f"/chat/sessions?state=active&limit=2&cursor={first['next_cursor']}", tech).body
    assert [x["id"] for x in rest["items"]] == [made[1]] and rest["next_cursor"] is None
    end(api, tech, made[2])
    assert [x["id"] for x in api.call("GET", "/chat/sessions", tech).body["items"]] == [made[0], made[1]]
