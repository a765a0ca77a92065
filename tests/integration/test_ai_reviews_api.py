"""AI reviews (issue 9 item 4) through the local gateway and DynamoDB Local: every AI output kept as
a review, listed by confidence, rated by admins; draft outcomes decided by the staff reply sent
after the draft (bus consumer, idempotent); rated overrides fed back into the Bedrock prompts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from regentra.domain.events import TICKET_CREATED, BusEvent
from regentra.identity import Principal

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"

VPN_BODY = """Use this when a VPN token stops working or shows an error.

## Reset the token
1. Open the self-service portal at portal.example.test.
2. Choose **Security** > **VPN token** and click **Reset token**.
3. Scan the new QR code in the authenticator app.
"""


# --- helpers ----------------------------------------------------------------------------------------


def _article(api: Any, token: str, title: str, body: str) -> str:
    r = api.call("POST", "/kb/articles", token, {"title": title, "body": body, "tags": []})
    assert r.status == 201, r.body
    return str(r.body["id"])


def _ticket(
    api: Any, token: str, client_id: str, contact_id: str, subject: str, description: str = ""
) -> str:
    body = {"subject": subject, "description": description, "client_id": client_id, "contact_id": contact_id}
    r = api.call("POST", "/tickets", token, body)
    assert r.status == 201, r.body
    return str(r.body["id"])


def _draft(api: Any, token: str, ticket_id: str) -> dict[str, Any]:
    r = api.call("POST", f"/tickets/{ticket_id}/ai-draft", token)
    assert r.status == 200, r.body
    return dict(r.body)


def _reply(api: Any, token: str, ticket_id: str, body: str) -> None:
    r = api.call("POST", f"/tickets/{ticket_id}/replies", token, {"body": body})
    assert r.status == 201, r.body


def _all(api: Any, token: str, query: str = "state=pending") -> list[dict[str, Any]]:
    """Every review of a listing, page by page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = api.call("GET", f"/ai/reviews?{query}&limit=100" + (f"&cursor={cursor}" if cursor else ""), token)
        assert r.status == 200, r.body
        items += r.body["items"]
        cursor = r.body["next_cursor"]
        if cursor is None:
            return items


def _of(items: list[dict[str, Any]], ticket_id: str, kind: str) -> list[dict[str, Any]]:
    return [i for i in items if i["ticket_id"] == ticket_id and i["kind"] == kind]


def _one(api: Any, admin: str, ticket_id: str, kind: str, state: str = "pending") -> dict[str, Any]:
    found = _of(_all(api, admin, f"state={state}"), ticket_id, kind)
    assert len(found) == 1, found
    return found[0]


def _stats(api: Any, admin: str) -> dict[str, Any]:
    r = api.call("GET", "/ai/reviews/stats", admin)
    assert r.status == 200, r.body
    return dict(r.body)


# --- every AI output is a review ------------------------------------------------------------------


def test_the_analyzer_keeps_priority_and_category_as_reviews(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    tid = _ticket(api, tech, client_id, contact_id, "File server", "ransomware encrypted the file server")
    items = _all(api, admin)
    prio, cat = _of(items, tid, "priority"), _of(items, tid, "category")
    assert len(prio) == 1 and len(cat) == 1
    p, c = prio[0], cat[0]
    assert (p["value"], p["state"], p["provider"]) == ("CRITICAL", "pending", "offline:lexicon+vader")
    assert (c["value"], c["state"]) == ("security", "pending")
    assert 0.0 <= c["confidence"] <= 1.0 and p["confidence"] >= 0.7
    assert {"type": "signal", "text": "security terms: ransomware"} in p["reasons"]
    assert "ransomware encrypted the file server" in p["ticket_excerpt"]
    assert p["rating"] is None and p["outcome"] is None and p["sources"] == []
    assert _stats(api, admin)["made"] == {"draft": 0, "priority": 1, "category": 1}


def test_reviews_list_by_confidence_and_page_with_cursors(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    for subject, text in (
        ("File server", "ransomware encrypted the file server"),
        ("Printer", "The printer prints streaks"),
        ("Hello", "just a quick thing"),
        ("Site down", "urgent, the whole office is down"),
    ):
        _ticket(api, tech, client_id, contact_id, subject, text)
    desc = _all(api, admin)
    assert len(desc) == 8
    confidences = [i["confidence"] for i in desc]
    assert confidences == sorted(confidences, reverse=True) and confidences[0] > confidences[-1]
    asc = _all(api, admin, "state=pending&order=asc")
    assert [i["confidence"] for i in asc] == sorted(confidences)
    # one review a page, in the same order, to the end
    paged, cursor = [], None
    while True:
        r = api.call("GET", "/ai/reviews?limit=3" + (f"&cursor={cursor}" if cursor else ""), admin)
        assert r.status == 200 and len(r.body["items"]) <= 3
        paged += [i["id"] for i in r.body["items"]]
        cursor = r.body["next_cursor"]
        if cursor is None:
            break
    assert paged == [i["id"] for i in desc]
    first = api.call("GET", "/ai/reviews?limit=3", admin).body["next_cursor"]
    assert api.call("GET", f"/ai/reviews?state=rated&cursor={first}", admin).status == 400  # other query
    assert api.call("GET", "/ai/reviews?cursor=garbage", admin).status == 400
    for bad in ("state=open", "limit=0", "limit=101", "order=up", "colour=red"):
        assert api.call("GET", f"/ai/reviews?{bad}", admin).status == 400, bad


def test_a_draft_is_a_review_with_its_sources_and_retrieval_confidence(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    aid = _article(api, tech, "Resetting a VPN token", VPN_BODY)
    tid = _ticket(api, tech, client_id, contact_id, "my VPN token stopped working", "It says invalid code.")
    blind = _ticket(api, tech, client_id, contact_id, "Teams keeps crashing", "")
    draft = _draft(api, tech, tid)
    _draft(api, tech, blind)
    review = _one(api, admin, tid, "draft")
    assert review["value"] == draft["draft"] and review["provider"] == "offline"
    assert review["sources"] == [{"article_id": aid, "title": "Resetting a VPN token"}]
    sections = [r for r in review["reasons"] if r["type"] == "kb_section"]
    assert sections and sections[0]["article_id"] == aid and sections[0]["heading"] in ("", "Reset the token")
    no_match = _one(api, admin, blind, "draft")
    assert no_match["sources"] == [] and no_match["confidence"] == 0.1
    assert review["confidence"] > no_match["confidence"]
    assert review["outcome"] is None  # nothing sent yet
    assert api.outbox(tid) == []  # a draft is never sent


# --- who may see and rate ---------------------------------------------------------------------------


def test_reviews_are_for_admins_only(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    tid = _ticket(api, tech, client_id, contact_id, "Printer", "The printer prints streaks")
    rid = _one(api, admin, tid, "priority")["id"]
    customer = api.token("customer", "cust-1", client_id=client_id, contact_id=contact_id)
    for token in (tech, api.token("lead", "lead-1"), api.token("readonly", "ro-1"), customer):
        assert api.call("GET", "/ai/reviews?state=pending", token).status == 403
        assert api.call("GET", "/ai/reviews/stats", token).status == 403
        assert api.call("POST", f"/ai/reviews/{rid}", token, {"rating": "correct"}).status == 403
    assert api.call("GET", "/ai/reviews", None).status == 401
    assert _one(api, admin, tid, "priority")["state"] == "pending"  # nobody rated it


def test_reviews_are_per_tenant(api: Any, admin: str, tech: str, client_id: str, contact_id: str) -> None:
    tid = _ticket(api, tech, client_id, contact_id, "Printer", "The printer prints streaks")
    rid = _one(api, admin, tid, "priority")["id"]
    other = api.token("admin", "adm-x", tenant_id=f"other-{uuid.uuid4().hex[:8]}")
    assert api.call("GET", "/ai/reviews?state=pending", other).body["items"] == []
    assert api.call("POST", f"/ai/reviews/{rid}", other, {"rating": "correct"}).status == 404
    stats = api.call("GET", "/ai/reviews/stats", other).body
    assert stats["pending"] == 0 and stats["made"] == {"draft": 0, "priority": 0, "category": 0}
    assert _one(api, admin, tid, "priority")["state"] == "pending"


# --- rating -----------------------------------------------------------------------------------------


def test_rating_a_review(api: Any, admin: str, tech: str, client_id: str, contact_id: str) -> None:
    tid = _ticket(api, tech, client_id, contact_id, "Printer", "The printer prints streaks")
    prio = _one(api, admin, tid, "priority")
    cat = _one(api, admin, tid, "category")
    assert (prio["value"], cat["value"]) == ("MEDIUM", "hardware")
    url = f"/ai/reviews/{prio['id']}"
    for body in (
        {},
        {"rating": "meh"},
        {"rating": "wrong"},  # the right priority is required
        {"rating": "wrong", "override": "URGENT"},
        {"rating": "wrong", "override": "MEDIUM"},  # that is the suggestion
        {"rating": "wrong", "override": 3},
        {"rating": "correct", "override": "LOW"},
        {"rating": "correct", "note": "x"},
        {"rating": "wrong", "override": ""},
    ):
        r = api.call("POST", url, admin, body)
        assert r.status == 400, (body, r.body)
        assert r.body["error"]["code"] == "validation_error"
    assert api.call("POST", url, admin, raw=b"not json").status == 400
    assert (
        api.call("POST", f"/ai/reviews/{cat['id']}", admin, {"rating": "wrong", "override": "HIGH"}).status
        == 400
    )

    r = api.call("POST", url, admin, {"rating": "wrong", "override": "LOW"})
    assert r.status == 200, r.body
    assert (r.body["state"], r.body["rating"], r.body["override"], r.body["rated_by"]) == (
        "rated",
        "wrong",
        "LOW",
        "admin-1",
    )
    assert r.body["rated_at"] == "2026-11-23T09:00:00.000Z"
    again = api.call("POST", url, admin, {"rating": "correct"})
    assert again.status == 409 and again.body["error"]["code"] == "conflict"
    assert api.call("POST", f"/ai/reviews/{cat['id']}", admin, {"rating": "correct"}).status == 200

    assert _of(_all(api, admin), tid, "priority") == [] and _of(_all(api, admin), tid, "category") == []
    rated = _all(api, admin, "state=rated")
    assert [(i["kind"], i["rating"]) for i in rated if i["ticket_id"] == tid] in (
        [("priority", "wrong"), ("category", "correct")],
        [("category", "correct"), ("priority", "wrong")],
    )
    stats = _stats(api, admin)
    assert stats["ratings"]["priority"] == {"correct": 0, "wrong": 1}
    assert stats["ratings"]["category"] == {"correct": 1, "wrong": 0}
    assert stats["pending"] == 0


def test_unknown_reviews_are_404(api: Any, admin: str) -> None:
    assert api.call("POST", "/ai/reviews/nope", admin, {"rating": "correct"}).status == 404
    missing = "01JZZZZZZZZZZZZZZZZZZZZZZZ"
    assert api.call("POST", f"/ai/reviews/{missing}", admin, {"rating": "correct"}).status == 404


# --- draft outcomes ---------------------------------------------------------------------------------


def test_draft_outcomes_from_the_reply_sent(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    _article(api, tech, "Resetting a VPN token", VPN_BODY)
    sent_as_is = _ticket(api, tech, client_id, contact_id, "my VPN token stopped working")
    rewritten = _ticket(api, tech, client_id, contact_id, "VPN token broken")
    unrelated = _ticket(api, tech, client_id, contact_id, "VPN token error")
    closed = _ticket(api, tech, client_id, contact_id, "VPN token expired")
    replaced = _ticket(api, tech, client_id, contact_id, "VPN token lost")

    draft = _draft(api, tech, sent_as_is)["draft"]
    _reply(api, tech, sent_as_is, draft)

    draft = _draft(api, tech, rewritten)["draft"]
    steps = "\n".join(line for line in draft.splitlines() if line[:2] in ("1.", "2.", "3."))
    _reply(api, tech, rewritten, f"Hello Dana, sorry for the trouble. Please:\n{steps}\nThanks, Tom")

    _draft(api, tech, unrelated)
    _reply(api, tech, unrelated, "Hi Dana, we restarted the VPN gateway overnight; please try again. Tom")

    _draft(api, tech, closed)
    assert api.call("PATCH", f"/tickets/{closed}", tech, {"status": "RESOLVED"}).status == 200

    _draft(api, tech, replaced)
    _draft(api, tech, replaced)

    items = _all(api, admin)
    outcome = {tid: _of(items, tid, "draft") for tid in (sent_as_is, rewritten, unrelated, closed)}
    accepted = outcome[sent_as_is][0]
    assert (accepted["outcome"], accepted["similarity"], accepted["outcome_reason"]) == (
        "accepted",
        1.0,
        "reply_sent",
    )
    assert accepted["outcome_reply_id"] and accepted["outcome_at"]
    assert outcome[rewritten][0]["outcome"] == "edited"
    assert 0.4 <= outcome[rewritten][0]["similarity"] < 0.85
    assert outcome[unrelated][0]["outcome"] == "rejected" and outcome[unrelated][0]["similarity"] < 0.4
    assert (outcome[closed][0]["outcome"], outcome[closed][0]["outcome_reason"]) == (
        "rejected",
        "closed_without_reply",
    )
    first, second = sorted(_of(items, replaced, "draft"), key=lambda i: i["created_at"] + i["id"])
    assert (first["outcome"], first["outcome_reason"]) == ("rejected", "replaced_by_newer_draft")
    assert second["outcome"] is None  # still open

    stats = _stats(api, admin)
    assert stats["drafts"] == {
        "total": 6,
        "accepted": 1,
        "edited": 1,
        "rejected": 3,
        "open": 1,
        "acceptance_rate": 0.2,
    }
    assert stats["pending_by_kind"]["draft"] == 6  # an outcome is not a rating


def test_a_draft_used_before_the_next_draft_is_judged_by_that_reply(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    _article(api, tech, "Resetting a VPN token", VPN_BODY)
    tid = _ticket(api, tech, client_id, contact_id, "my VPN token stopped working")
    draft = _draft(api, tech, tid)["draft"]
    _reply(api, tech, tid, draft)
    customer = api.token("customer", "cust-1", client_id=client_id, contact_id=contact_id)
    assert api.call("POST", f"/tickets/{tid}/replies", customer, {"body": "still broken"}).status == 201
    _draft(api, tech, tid)  # the second draft does not re-judge the first
    first, second = sorted(_of(_all(api, admin), tid, "draft"), key=lambda i: i["created_at"] + i["id"])
    assert first["outcome"] == "accepted" and second["outcome"] is None
    assert _stats(api, admin)["drafts"]["accepted"] == 1


# --- idempotent redelivery --------------------------------------------------------------------------


def test_redelivered_events_add_no_review_and_count_no_outcome_twice(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str
) -> None:
    from regentra.local.bus import router

    _article(api, tech, "Resetting a VPN token", VPN_BODY)
    tid = _ticket(api, tech, client_id, contact_id, "my VPN token stopped working")
    draft = _draft(api, tech, tid)["draft"]
    _reply(api, tech, tid, draft)
    before_items = _all(api, admin)
    before_stats = _stats(api, admin)
    events = [e for e in api.events(tid) if e["type"] in ("TicketCreated", "ReplyAdded")]
    assert {e["type"] for e in events} == {"TicketCreated", "ReplyAdded"}
    for _ in range(3):  # EventBridge may deliver an event more than once
        router().route(events)
    assert _stats(api, admin) == before_stats
    after_items = _all(api, admin)
    assert after_items == before_items
    assert len(_of(after_items, tid, "priority")) == 1 and len(_of(after_items, tid, "category")) == 1
    assert _of(after_items, tid, "draft")[0]["outcome"] == "accepted"


def test_an_analysis_recorded_twice_for_one_event_is_one_review(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str, tenant: str, clock: Any
) -> None:
    """Even past the analyzer's once-only marker (a crash between the two writes), the review ids
    come from the event: the second write adds nothing and counts nothing."""
    from regentra.adapters.analyzer import OfflineAnalyzer
    from regentra.services.ai_reviews import record_analysis
    from regentra.services.deps import default_deps

    tid = _ticket(api, tech, client_id, contact_id, "Printer", "The printer prints streaks")
    ticket = default_deps().tickets.get(tenant, tid)
    assert ticket is not None
    event = BusEvent(id=f"crash|{tid}", type=TICKET_CREATED, at=clock.now(), detail={"tenant_id": tenant})
    analysis, provider = OfflineAnalyzer().analyze("Printer", "The printer prints streaks")
    assert record_analysis(event, ticket, "Printer", "The printer prints streaks", analysis, provider) is True
    stats = _stats(api, admin)
    assert (
        record_analysis(event, ticket, "Printer", "The printer prints streaks", analysis, provider) is False
    )
    assert _stats(api, admin) == stats
    assert len(_of(_all(api, admin), tid, "priority")) == 2  # TicketCreated's and this event's


# --- learning from overrides ------------------------------------------------------------------------


def _bedrock(answer: str) -> tuple[Any, Stubber, dict[str, Any]]:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    seen: dict[str, Any] = {}
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse", lambda params, **_: seen.update(params)
    )
    stub = Stubber(client)
    stub.add_response(
        "converse",
        {
            "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            "metrics": {"latencyMs": 1},
        },
        {"modelId": MODEL, "system": ANY, "messages": ANY, "inferenceConfig": ANY},
    )
    return client, stub, seen


def test_rated_overrides_go_into_the_bedrock_prompts(
    api: Any, admin: str, tech: str, client_id: str, contact_id: str, tenant: str, clock: Any
) -> None:
    from regentra.adapters import analyzer as analyzer_adapter
    from regentra.adapters import drafter as drafter_adapter
    from regentra.adapters.analyzer import BedrockAnalyzer
    from regentra.adapters.drafter import BedrockDrafter
    from regentra.domain.enums import Role
    from regentra.services.analyzer import analyze_event
    from regentra.services.deps import default_deps
    from regentra.services.kb import ai_draft

    _article(api, tech, "Resetting a VPN token", VPN_BODY)
    printer = _ticket(api, tech, client_id, contact_id, "Printer", "The printer prints streaks")
    vpn = _ticket(api, tech, client_id, contact_id, "my VPN token stopped working")
    _draft(api, tech, vpn)
    corrected = "Hi Dana,\nI reset your VPN token remotely; the new QR code is in your mailbox.\nTom"
    draft_review = _one(api, admin, vpn, "draft")["id"]
    prio_review = _one(api, admin, printer, "priority")["id"]
    assert (
        api.call(
            "POST", f"/ai/reviews/{draft_review}", admin, {"rating": "wrong", "override": corrected}
        ).status
        == 200
    )
    assert (
        api.call("POST", f"/ai/reviews/{prio_review}", admin, {"rating": "wrong", "override": "LOW"}).status
        == 200
    )

    # the drafter's Converse request: the corrected draft as an example block, before the ticket
    other = _ticket(api, tech, client_id, contact_id, "VPN token broken")
    client, stub, seen = _bedrock("Hi Dana, I have reset your token. Best regards, The support team")
    staff = Principal(tenant_id=tenant, user_id="tech-1", role=Role.TECHNICIAN)
    with stub:
        result = ai_draft(
            staff, other, default_deps(), writer=BedrockDrafter(MODEL, "us-east-1", client=client)
        )
        stub.assert_no_pending_responses()
    assert result.provider == f"bedrock:{MODEL}"
    assert seen["system"] == [{"text": drafter_adapter.SYSTEM_PROMPT}]  # the instructions never change
    text = seen["messages"][0]["content"][0]["text"]
    block = (
        "<example>\nTicket: my VPN token stopped working\nReply staff sent instead of the draft:\n"
        f"{corrected}\n</example>\n"
    )
    assert text.startswith(block) and text.index(block) < text.index("<ticket>")
    assert _one(api, admin, other, "draft")["provider"] == f"bedrock:{MODEL}"

    # the analyzer's Converse request: the corrected priority as an example block
    answer = {
        "suggested_priority": "LOW",
        "category": "hardware",
        "security_incident": False,
        "frustration": False,
        "summary": "Printer streaks.",
        "reasons": ["printer"],
    }
    client, stub, seen = _bedrock(json.dumps(answer))
    event = BusEvent(
        id=f"learn|{printer}",
        type=TICKET_CREATED,
        at=clock.now(),
        detail={"tenant_id": tenant, "ticket_id": printer},
    )
    with stub:
        analyze_event(default_deps(), event, analyzer=BedrockAnalyzer(MODEL, "us-east-1", client=client))
        stub.assert_no_pending_responses()
    assert seen["system"] == [{"text": analyzer_adapter.SYSTEM_PROMPT}]
    text = seen["messages"][0]["content"][0]["text"]
    assert text.startswith(
        "<example>\nTicket: Subject: Printer\n\nThe printer prints streaks\nSuggested priority: MEDIUM\n"
        "Staff corrected it to: LOW\n</example>\n"
    )
    assert "Reply staff sent" not in text  # drafts teach the drafter, triage teaches the analyzer
    learned = [i for i in _of(_all(api, admin), printer, "priority") if i["provider"] == f"bedrock:{MODEL}"]
    assert [i["value"] for i in learned] == ["LOW"]


@pytest.mark.parametrize(("group", "review_kind"), [("draft", "draft"), ("triage", "category")])
def test_prompts_get_the_latest_five_overrides_of_their_group(
    api: Any, tenant: str, clock: Any, group: str, review_kind: str
) -> None:
    from datetime import timedelta

    from regentra.domain.ai_reviews import AiReview, example_of
    from regentra.domain.ids import new_id
    from regentra.services.deps import ai_review_store

    store = ai_review_store()
    for i in range(7):
        clock.advance(timedelta(minutes=1))
        r = AiReview(
            tenant_id=tenant,
            id=new_id(clock.now()),
            kind=review_kind,
            ticket_id=new_id(clock.now()),
            value="network" if review_kind == "category" else "a draft",
            confidence=0.5,
            provider="offline",
            created_at=clock.now(),
            ticket_text=f"ticket {i}",
        )
        assert store.add([r]) is True
        assert store.rate(r, "wrong", f"fix {i}", "admin-1", clock.now(), example_of(r, f"fix {i}")) is True
    latest = store.examples(tenant, group, 5)
    assert [e.corrected for e in latest] == [f"fix {i}" for i in (6, 5, 4, 3, 2)]
    assert {e.kind for e in latest} == {review_kind} and latest[0].ticket_text == "ticket 6"
    other_group = "triage" if group == "draft" else "draft"
    assert store.examples(tenant, other_group, 5) == []


def test_a_read_only_users_draft_is_shown_but_not_kept_as_a_review(api, admin, tech, client_id, contact_id):
    _article(api, admin, "Resetting a VPN token", VPN_BODY)
    ticket_id = _ticket(api, tech, client_id, contact_id, "VPN token stopped working")
    reader = api.token("readonly", "rita")
    draft = _draft(api, reader, ticket_id)
    assert draft["sources"]  # the draft itself is the same as anyone's
    assert _of(_all(api, admin), ticket_id, "draft") == []  # nothing to rate: it can't be sent
    _draft(api, tech, ticket_id)
    assert len(_of(_all(api, admin), ticket_id, "draft")) == 1


def test_an_oversize_override_is_refused_and_leaves_the_review_pending(
    api, admin, tech, client_id, contact_id
):
    _article(api, admin, "Resetting a VPN token", VPN_BODY)
    ticket_id = _ticket(api, tech, client_id, contact_id, "VPN token stopped working")
    _draft(api, tech, ticket_id)
    review = _one(api, admin, ticket_id, "draft")
    r = api.call("POST", f"/ai/reviews/{review['id']}", admin, {"rating": "wrong", "override": "x" * 20_001})
    assert r.status == 400 and r.body["error"]["code"] == "validation_error"
    assert _one(api, admin, ticket_id, "draft")["state"] == "pending"  # nothing half-written
    stats = api.call("GET", "/ai/reviews/stats", admin).body
    assert stats["pending"] == len(_all(api, admin)) and stats["ratings"]["draft"] == {
        "correct": 0,
        "wrong": 0,
    }
