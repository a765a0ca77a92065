"""GET /tickets: filters from table indexes (no Scan), newest activity first, signed cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture()
def board(api, admin, tech, client_id, clock):
    """Eight tickets over two clients, statuses, priorities, assignees and days."""
    other = api.call("POST", "/clients", admin, {"name": "Birch"}).body["id"]
    specs = [
        (client_id, "LOW", None, None),
        (client_id, "HIGH", "tech-1", "IN_PROGRESS"),
        (other, "HIGH", "tech-2", "IN_PROGRESS"),
        (other, "CRITICAL", "tech-1", "ESCALATED"),
        (client_id, "MEDIUM", None, "RESOLVED"),
        (other, "LOW", "tech-2", None),
        (client_id, "HIGH", "tech-2", "WAITING_ON_CUSTOMER"),
        (other, "MEDIUM", None, "CLOSED"),
    ]
    made = []
    for i, (cid, prio, assignee, status) in enumerate(specs):
        clock.advance(timedelta(days=1))
        body = {"subject": f"ticket {i}", "priority": prio, "client_id": cid}
        if assignee:
            body["assignee_id"] = assignee
        t = api.call("POST", "/tickets", tech, body).body
        if status:
            t = api.call("PATCH", f"/tickets/{t['id']}", tech, {"status": status}).body
        made.append(t)
    return {"tickets": made, "a": client_id, "b": other}


def ids(reply):
    assert reply.status == 200, reply.body
    return [t["subject"] for t in reply.body["items"]]


def test_newest_activity_first(api, tech, board, clock):
    assert ids(api.call("GET", "/tickets", tech)) == [f"ticket {i}" for i in range(7, -1, -1)]
    clock.advance(timedelta(hours=1))
    api.call("PATCH", f"/tickets/{board['tickets'][0]['id']}", tech, {"subject": "ticket 0 edited"})
    assert ids(api.call("GET", "/tickets", tech))[0] == "ticket 0 edited"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=IN_PROGRESS", [2, 1]),
        ("status=IN_PROGRESS,ESCALATED", [3, 2, 1]),
        ("priority=HIGH", [6, 2, 1]),
        ("assignee_id=tech-1", [3, 1]),
        ("assignee_id=tech-2&status=IN_PROGRESS", [2]),
        ("priority=LOW&status=OPEN", [5, 0]),
        ("channel=MANUAL&priority=CRITICAL", [3]),
        ("channel=PORTAL", []),
        ("created_from=2026-11-26&created_to=2026-11-28", [4, 3, 2]),
        ("created_from=2026-11-26T09:00:00Z&created_to=2026-11-26T09:00:00Z", [2]),
    ],
)
def test_filters_combine(api, tech, board, query, expected):
    assert ids(api.call("GET", f"/tickets?{query}", tech)) == [f"ticket {i}" for i in expected]


def test_client_filter_with_assignee(api, tech, board):
    a = board["a"]
    assert ids(api.call("GET", f"/tickets?client_id={a}", tech)) == [
        "ticket 6",
        "ticket 4",
        "ticket 1",
        "ticket 0",
    ]
    assert ids(api.call("GET", f"/tickets?client_id={a}&assignee_id=tech-2", tech)) == ["ticket 6"]


def test_cursor_pages_through_everything_once(api, tech, board):
    seen, cursor, pages = [], None, 0
    while True:
        q = "/tickets?limit=3" + (f"&cursor={cursor}" if cursor else "")
        r = api.call("GET", q, tech)
        seen += ids(r)
        pages += 1
        cursor = r.body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"ticket {i}" for i in range(7, -1, -1)]
    assert pages == 3


def test_cursor_with_filters_and_exact_last_page(api, tech, board):
    r = api.call("GET", "/tickets?priority=HIGH&limit=2", tech)
    assert ids(r) == ["ticket 6", "ticket 2"]
    r2 = api.call("GET", f"/tickets?priority=HIGH&limit=2&cursor={r.body['next_cursor']}", tech)
    assert ids(r2) == ["ticket 1"] and r2.body["next_cursor"] is None
    exact = api.call("GET", "/tickets?priority=HIGH&limit=3", tech)
    assert exact.body["next_cursor"] is None


def test_tampered_or_foreign_cursor_is_400(api, tech, board):
    cursor = api.call("GET", "/tickets?limit=2", tech).body["next_cursor"]
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (flipped, "garbage", cursor + "x"):
        r = api.call("GET", f"/tickets?limit=2&cursor={bad}", tech)
        assert r.status == 400 and r.body["error"]["code"] == "validation_error", bad
    # a cursor is bound to its filters and its caller
    assert api.call("GET", f"/tickets?limit=2&priority=LOW&cursor={cursor}", tech).status == 400
    other = api.token("technician", "t", tenant_id="another-tenant")
    assert api.call("GET", f"/tickets?limit=2&cursor={cursor}", other).status == 400


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=abc",
        "status=DONE",
        "priority=urgent",
        "channel=FAX",
        "created_from=yesterday",
        "created_from=2026-11-28&created_to=2026-11-01",
        "sort=asc",
    ],
)
def test_bad_queries_are_400(api, tech, query):
    r = api.call("GET", f"/tickets?{query}", tech)
    assert r.status == 400, (query, r.body)
    assert r.body["error"]["code"] == "validation_error"
