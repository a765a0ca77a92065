"""The tantivy adapter on a temporary folder: merge rules (ordered, idempotent), the query
language end to end, tenant/client scoping inside the query, ranking, and rebuilds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from regentra.adapters.search_index import TantivySearchIndex
from regentra.domain.search import SearchDoc, SearchUpdate, TicketFields, merge, parse_query
from regentra.services.ports import SearchScope

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fields(version: int = 1, **kw) -> TicketFields:
    base = {
        "version": version,
        "client_id": "acme",
        "status": "OPEN",
        "priority": "MEDIUM",
        "channel": "MANUAL",
        "assignee_id": None,
        "created_at": T0,
        "updated_at": T0 + timedelta(minutes=version),
        "sla_status": "ON_TRACK",
        "subject": "Printer offline",
        "description": "",
    }
    return TicketFields(**(base | kw))


def ticket(tid: str, tenant: str = "t1", version: int = 1, **kw) -> SearchUpdate:
    return SearchUpdate(tenant, tid, fields=fields(version, **kw))


def reply(tid: str, rid: str, body: str, tenant: str = "t1") -> SearchUpdate:
    return SearchUpdate(tenant, tid, replies={rid: body})


@pytest.fixture()
def index(tmp_path: Path) -> TantivySearchIndex:
    return TantivySearchIndex(tmp_path / "search", writer_heap=15_000_000)


def find(index: TantivySearchIndex, q: str, tenant: str = "t1", **scope) -> list[str]:
    page = index.search(parse_query(q), SearchScope(tenant, **scope), offset=0, limit=50, window=1000)
    return [h.ticket_id for h in page.hits]


# --- merge rules (pure) ----------------------------------------------------------------------


def test_an_older_version_never_overwrites_a_newer_one():
    doc, changed = merge(None, ticket("a", version=3, status="RESOLVED"))
    assert changed and doc.fields.status == "RESOLVED"
    same, changed = merge(doc, ticket("a", version=2, status="OPEN"))
    assert not changed and same.fields.status == "RESOLVED"
    again, changed = merge(doc, ticket("a", version=3, status="OPEN"))
    assert not changed  # the same version twice (a redelivered record) changes nothing
    newer, changed = merge(doc, ticket("a", version=4, status="CLOSED"))
    assert changed and newer.fields.status == "CLOSED"


def test_replies_are_kept_by_id_and_survive_ticket_updates():
    doc, _ = merge(None, reply("a", "r1", "first"))
    assert doc.fields is None and dict(doc.replies) == {"r1": "first"}
    doc, _ = merge(doc, ticket("a", version=1))
    doc, changed = merge(doc, reply("a", "r1", "first"))
    assert not changed
    doc, _ = merge(doc, ticket("a", version=2, subject="Edited"))
    assert dict(doc.replies) == {"r1": "first"} and doc.fields.subject == "Edited"


# --- the index ---------------------------------------------------------------------------------


def test_empty_folder_searches_empty(index):
    assert find(index, "anything") == []


def test_words_phrases_prefixes_and_typos(index):
    index.upsert(
        [
            ticket("vpn", subject="VPN client drops", description="Error 809 on connect"),
            reply("vpn", "r1", "Please restart the VPN client and try again"),
            ticket("outlook", subject="Outlook crashes on start"),
            ticket("printer", subject="Printer offline", description="Café on floor 2"),
        ]
    )
    assert find(index, "vpn") == ["vpn"]
    assert find(index, "restart") == ["vpn"]  # only in a reply
    assert find(index, '"restart the vpn"') == ["vpn"]
    assert find(index, '"restart vpn"') == []  # not adjacent
    assert find(index, "vp*") == ["vpn"]
    assert find(index, "crash*") == ["outlook"]
    assert find(index, "outlok") == ["outlook"]  # one edit, 6+ letters
    assert find(index, "crashs") == ["outlook"]
    assert find(index, "vpm") == []  # 3 letters: no typo tolerance
    assert find(index, "cafe") == ["printer"]  # accents folded
    assert find(index, "vpn outlook") == []  # every clause must match
    assert find(index, "809") == ["vpn"]
    assert find(index, "e-r-r-o-r") == []


def test_exact_match_ranks_above_a_typo_and_subject_above_replies(index):
    index.upsert(
        [
            ticket("typo", subject="printr broken"),
            ticket("exact", subject="printer broken"),
            ticket("in_reply", subject="Something else"),
            reply("in_reply", "r1", "the printer again"),
        ]
    )
    assert find(index, "printer") == ["exact", "typo", "in_reply"]


def test_equal_relevance_is_ordered_by_recency(index):
    index.upsert([ticket(f"t{i}", version=i, subject="Printer offline") for i in range(1, 6)])
    assert find(index, "printer") == ["t5", "t4", "t3", "t2", "t1"]


def test_tenant_and_client_are_part_of_the_query(index):
    index.upsert(
        [
            ticket("mine", tenant="t1", client_id="acme"),
            ticket("other-client", tenant="t1", client_id="birch"),
            ticket("other-tenant", tenant="t2", client_id="acme"),
        ]
    )
    assert sorted(find(index, "printer")) == ["mine", "other-client"]
    assert find(index, "printer", client_id="acme") == ["mine"]
    assert find(index, "printer", tenant="t2") == ["other-tenant"]


def test_filters_narrow_inside_the_index(index):
    index.upsert(
        [
            ticket("a", status="OPEN", priority="HIGH", assignee_id="tom", sla_status="AT_RISK"),
            ticket("b", status="CLOSED", priority="LOW", channel="EMAIL", sla_status="MET",
                   created_at=T0 + timedelta(days=2)),
        ]
    )  # fmt: skip
    assert find(index, "printer", statuses=("OPEN", "ESCALATED")) == ["a"]
    assert find(index, "printer", priority="LOW") == ["b"]
    assert find(index, "printer", assignee_id="tom") == ["a"]
    assert find(index, "printer", channel="EMAIL") == ["b"]
    assert find(index, "printer", sla_statuses=("AT_RISK", "ON_TRACK")) == ["a"]
    assert find(index, "printer", created_from=T0 + timedelta(days=1)) == ["b"]
    assert find(index, "printer", created_to=T0 + timedelta(days=1)) == ["a"]


def test_stale_updates_and_replays_do_not_change_the_index(index):
    index.upsert([ticket("a", version=5, status="RESOLVED", subject="Printer jam")])
    assert index.upsert([ticket("a", version=4, status="OPEN", subject="Old subject")]) == 0
    assert index.upsert([ticket("a", version=5, status="OPEN")]) == 0
    doc = index.document("t1", "a")
    assert doc is not None and doc.fields.status == "RESOLVED" and doc.fields.subject == "Printer jam"
    assert find(index, "old") == []


def test_a_reply_before_its_ticket_is_merged_not_lost(index):
    index.upsert([reply("a", "r1", "toner everywhere")])
    assert find(index, "toner") == ["a"]  # staff only see it after hydration re-checks it
    assert find(index, "toner", client_id="acme") == []  # no client yet: no customer sees it
    index.upsert([ticket("a", version=1)])
    assert find(index, "toner", client_id="acme") == ["a"]


def test_removal_never_removes_a_newer_document(index):
    index.upsert([ticket("a", version=3)])
    assert index.delete([("t1", "a", 2)]) == 0
    assert find(index, "printer") == ["a"]
    assert index.delete([("t1", "a", 3)]) == 1
    assert find(index, "printer") == []


def test_pages_walk_the_window_without_repeats(index):
    index.upsert([ticket(f"t{i:02d}", version=i, subject="Printer offline") for i in range(1, 26)])
    query = parse_query("printer")
    seen = []
    for offset in range(0, 25, 10):
        page = index.search(query, SearchScope("t1"), offset=offset, limit=10, window=1000)
        assert page.window == 25 and page.matched == 25
        seen += [h.ticket_id for h in page.hits]
    assert seen == [f"t{i:02d}" for i in range(25, 0, -1)]


def test_rebuild_switches_generation_and_catches_up_with_the_live_writer(index):
    index.upsert([ticket("old", subject="Printer offline")])
    before = index.current_generation()

    def scanned():
        yield ticket("a", version=1, subject="Printer offline")
        # meanwhile the live writer indexes a newer version of "a" into the live generation
        index.upsert([ticket("a", version=2, subject="Scanner offline")])
        yield reply("a", "r1", "replaced the toner")

    def catch_up(pairs):
        assert pairs == [("t1", "a")]
        yield SearchUpdate(
            "t1", "a", fields=fields(2, subject="Scanner offline"), replies={"r1": "replaced the toner"}
        )

    report = index.rebuild(scanned(), catch_up, chunk=1, grace_seconds=0.01)
    assert report.generation != before and index.current_generation() == report.generation
    assert report.documents == 1 and report.caught_up == 1
    assert find(index, "scanner") == ["a"] and find(index, "toner") == ["a"] and find(index, "printer") == []


def test_put_document_can_plant_a_stale_entry(index):
    index.upsert([ticket("a", version=1)])
    doc = index.document("t1", "a")
    assert isinstance(doc, SearchDoc)
    index.put_document(replace(doc, fields=replace(doc.fields, client_id="birch")))
    assert find(index, "printer", client_id="birch") == ["a"]
