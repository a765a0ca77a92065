"""The per-tenant KB index (tantivy on a temp folder), the hybrid retriever over it, and the
stream consumer that feeds it. No AWS: embeddings come from a small deterministic fake."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from regentra.adapters.dynamo.items import KbArticleItem
from regentra.adapters.kb_index import TantivyKbIndex, tenant_folder
from regentra.domain.kb import KbArticle
from regentra.domain.kb_retrieval import EmbeddingFailed, KbArticleRemoved, embedding_tag
from regentra.services.kb_retrieval import HybridRetriever, index_kb_changes, reindex_kb

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]

# Words the fake model treats as meaning the same (what an embedding model learns).
SYNONYMS = {"credentials": "password", "login": "password", "passcode": "password", "sign": "password"}


class FakeEmbedder:
    """Bag of words hashed into 64 dimensions, with synonyms folded: similar words, similar vectors."""

    model_id = "fake-embed"
    dimensions = 64

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[str] = []

    def embed(self, text: str) -> list[float]:
        self.calls.append(text)
        if self.fail:
            raise EmbeddingFailed("model call failed (ThrottlingException)")
        vec = [0.0] * self.dimensions
        for word in re.findall(r"[a-z]+", text.lower()):
            word = SYNONYMS.get(word, word)
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimensions] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]


def article(aid: str, title: str, body: str, version: int = 1, tenant: str = "t1") -> KbArticle:
    return KbArticle(tenant, aid, title, body, (), NOW, NOW, version)


VPN = article(
    "A1",
    "Resetting a VPN token",
    "Intro.\n\n## Reset the token\n1. Open the self-service portal.\n2. Click Reset token.\n\n"
    "## Printer setup\n1. Add the printer from the print server.",
)
PASSWORD = article(
    "A2", "Password expired", "## Change it\n1. Press Ctrl+Alt+Del and choose Change a password."
)


@pytest.fixture()
def index(tmp_path: Path) -> TantivyKbIndex:
    return TantivyKbIndex(tmp_path / "kb")


def ids(found: Any) -> list[tuple[str, str]]:
    return [(s.chunk.article_id, s.chunk.heading) for s in found]


def test_upsert_then_search_finds_the_section(index: TantivyKbIndex) -> None:
    report = index.apply("t1", [VPN, PASSWORD], None)
    assert (report.indexed, report.records) == (2, 2)
    hits = index.bm25("t1", "my VPN token stopped working", 5)
    assert ids(hits)[0] == ("A1", "Reset the token")
    assert hits[0].score > 0
    assert index.bm25("t1", "the and of", 5) == []  # stop words only: no query


def test_redelivery_and_late_records_change_nothing(index: TantivyKbIndex) -> None:
    index.apply("t1", [VPN], None)
    v2 = replace(VPN, title="VPN tokens", body="## New steps\n1. Call the service desk.", version=2)
    assert index.apply("t1", [v2], None).indexed == 1
    again = index.apply("t1", [v2, VPN], None)  # the same version again, then an older one
    assert (again.indexed, again.skipped) == (0, 2)
    assert [(c.heading, version) for c, version, _ in index.sections("t1")] == [("New steps", 2)]


def test_remove_drops_the_article_unless_newer(index: TantivyKbIndex) -> None:
    index.apply("t1", [VPN, PASSWORD], None)
    stale = index.apply("t1", [KbArticleRemoved("t1", "A1", 0)], None)  # older than the index
    assert (stale.removed, stale.skipped) == (0, 1)
    assert index.apply("t1", [KbArticleRemoved("t1", "A1", 1)], None).removed == 1
    assert {c.article_id for c, _, _ in index.sections("t1")} == {"A2"}
    assert index.bm25("t1", "VPN token", 5) == []
    # A batch that creates, edits and removes one article leaves nothing of it.
    v2 = replace(PASSWORD, body="edited", version=2)
    index.apply("t1", [v2, KbArticleRemoved("t1", "A2", 2)], None)
    assert index.sections("t1") == []


def test_each_tenant_has_its_own_index(index: TantivyKbIndex) -> None:
    index.apply("t1", [VPN], None)
    other = replace(PASSWORD, tenant_id="t2")
    index.apply("t2", [other], None)
    assert ids(index.bm25("t2", "VPN token", 5)) == []
    assert ids(index.bm25("t1", "password expired", 5)) == []
    assert {c.article_id for c, _, _ in index.sections("t2")} == {"A2"}
    assert index.tenant_dir("t1") != index.tenant_dir("t2")
    assert (
        index.tenant_dir("t1").name == tenant_folder("t1")
        and (index.tenant_dir("t1") / "TENANT").read_text() == "t1"
    )
    assert index.bm25("nobody", "VPN", 5) == [] and index.sections("nobody") == []


def test_vectors_are_stored_and_only_changed_sections_re_embedded(index: TantivyKbIndex) -> None:
    fake = FakeEmbedder()
    first = index.apply("t1", [VPN], fake)
    assert (first.embedded, first.reused) == (3, 0)
    tag = embedding_tag("fake-embed", 64)
    assert all(t == tag for _, _, t in index.sections("t1"))
    # Edit one section: one new vector, the other two kept.
    body = VPN.body.replace("Add the printer from the print server.", "Add the printer by its IP address.")
    edited = index.apply("t1", [replace(VPN, body=body, version=2)], fake)
    assert (edited.embedded, edited.reused) == (1, 2)
    # A redelivery with every vector present calls nothing.
    calls = len(fake.calls)
    assert index.apply("t1", [replace(VPN, body=body, version=2)], fake).skipped == 1
    assert len(fake.calls) == calls


def test_failed_embedding_indexes_the_words_and_is_filled_in_on_retry(index: TantivyKbIndex) -> None:
    report = index.apply("t1", [VPN], FakeEmbedder(fail=True))
    assert report.failed == [("t1", "A1")] and report.indexed == 1
    assert ids(index.bm25("t1", "VPN token", 5))[0] == ("A1", "Reset the token")  # searchable at once
    assert all(t == "" for _, _, t in index.sections("t1"))
    retry = index.apply("t1", [VPN], FakeEmbedder())  # the same record again
    assert (retry.indexed, retry.embedded, retry.failed) == (1, 3, [])
    assert all(t for _, _, t in index.sections("t1"))


def test_rebuild_keeps_vectors_and_follows_the_table(index: TantivyKbIndex) -> None:
    fake = FakeEmbedder()
    index.apply("t1", [VPN, PASSWORD], fake)
    before = index.current_generation("t1")
    table = [replace(VPN, title="VPN tokens", version=2)]  # A2 was deleted meanwhile
    report = reindex_kb(index, fake, "t1", lambda: table)
    assert index.current_generation("t1") != before
    assert {c.article_id for c, _, _ in index.sections("t1")} == {"A1"}
    assert report.records == 1
    # The title is part of every section's embedding input: re-embedded; nothing else is.
    assert report.embedded == 3
    same = reindex_kb(index, fake, "t1", lambda: table)
    assert (same.embedded, same.reused > 0) == (0, True)
    kept = [p.name for p in index.tenant_dir("t1").iterdir() if p.is_dir()]
    assert len(kept) == 2  # the live generation and the one before it


# --- hybrid retrieval -------------------------------------------------------------------------------

CREDENTIALS_TICKET = "cannot sign in, my credentials are refused"


def test_without_embeddings_retrieval_is_bm25(index: TantivyKbIndex) -> None:
    index.apply("t1", [VPN, PASSWORD], None)
    found = HybridRetriever(index, None).retrieve("t1", "VPN token broken")
    assert found.mode == "bm25" and not found.fused
    assert ids(found.chunks)[0] == ("A1", "Reset the token")


def test_hybrid_finds_what_the_words_miss(index: TantivyKbIndex) -> None:
    fake = FakeEmbedder()
    index.apply("t1", [VPN, PASSWORD], fake)
    assert HybridRetriever(index, None).retrieve("t1", CREDENTIALS_TICKET).chunks == []  # no shared word
    found = HybridRetriever(index, fake).retrieve("t1", CREDENTIALS_TICKET)
    assert found.mode == "hybrid:bm25+fake-embed (rrf k=60)" and found.fused
    assert ids(found.chunks)[0] == ("A2", "Change it")
    assert fake.calls[-1] == CREDENTIALS_TICKET  # the ticket text was embedded at draft time


def test_hybrid_fuses_both_rankings(index: TantivyKbIndex) -> None:
    fake = FakeEmbedder()
    index.apply("t1", [VPN, PASSWORD], fake)
    found = HybridRetriever(index, fake).retrieve("t1", "VPN token reset portal")
    assert ids(found.chunks)[0] == ("A1", "Reset the token")
    assert found.chunks[0].score == pytest.approx(1 / 61 + 1 / 61)  # first in both rankings


def test_a_failing_embedding_call_falls_back_to_bm25(index: TantivyKbIndex) -> None:
    index.apply("t1", [VPN, PASSWORD], FakeEmbedder())
    found = HybridRetriever(index, FakeEmbedder(fail=True)).retrieve("t1", "VPN token broken")
    assert found.mode == "bm25 (fallback from fake-embed: model call failed (ThrottlingException))"
    assert ids(found.chunks)[0] == ("A1", "Reset the token") and not found.fused


def test_no_vectors_indexed_yet_means_bm25_without_a_model_call(index: TantivyKbIndex) -> None:
    index.apply("t1", [VPN], None)
    fake = FakeEmbedder()
    found = HybridRetriever(index, fake).retrieve("t1", "VPN token")
    assert found.mode == "bm25 (fallback from fake-embed: no section embeddings indexed)"
    assert fake.calls == []


def test_vector_cache_follows_commits(index: TantivyKbIndex) -> None:
    fake = FakeEmbedder()
    index.apply("t1", [VPN], fake)
    retriever = HybridRetriever(index, fake)
    assert [a for a, _ in ids(retriever.retrieve("t1", CREDENTIALS_TICKET).chunks)] != ["A2"]
    index.apply("t1", [PASSWORD], fake)  # a new commit: the next draft sees its vectors
    assert ids(retriever.retrieve("t1", CREDENTIALS_TICKET).chunks)[0] == ("A2", "Change it")


# --- the stream consumer ------------------------------------------------------------------------------


def _handler_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("index_kb_app", REPO / "functions/events/index_kb/app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _image(a: KbArticle) -> dict[str, Any]:
    item = KbArticleItem(
        tenant_id=a.tenant_id, id=a.id, title=a.title, body=a.body, tags=list(a.tags),
        created_at=a.created_at, updated_at=a.updated_at,
    )  # fmt: skip
    item.derive_keys()
    item.version = a.version
    return dict(item.serialize())


def _record(seq: int, name: str, a: KbArticle) -> dict[str, Any]:
    key = "OldImage" if name == "REMOVE" else "NewImage"
    return {"eventID": str(seq), "eventName": name, "dynamodb": {"SequenceNumber": str(seq), key: _image(a)}}


def test_stream_consumer_indexes_and_reports_failed_embeddings(
    index: TantivyKbIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _handler_module()
    fake = FakeEmbedder(fail=True)
    monkeypatch.setattr(app, "kb_index", lambda: index)
    monkeypatch.setattr(app, "embedder", lambda for_indexing=False: fake)
    other = {
        "eventID": "9",
        "eventName": "INSERT",
        "dynamodb": {"SequenceNumber": "9", "NewImage": {"kind": {"S": "ticket"}}},
    }
    event = {"Records": [_record(100, "INSERT", VPN), other, _record(101, "INSERT", PASSWORD)]}
    result = app.handler(event, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "100"}, {"itemIdentifier": "101"}]}
    assert {c.article_id for c, _, _ in index.sections("t1")} == {"A1", "A2"}  # words indexed anyway

    fake.fail = False  # Lambda retries; the vectors come
    assert app.handler(event, None) == {"batchItemFailures": []}
    assert all(t for _, _, t in index.sections("t1"))
    assert len(fake.calls) == 2 + 4  # one failed call per article, then 3 + 1 sections
    assert app.handler(event, None) == {"batchItemFailures": []}  # replay: nothing changes
    assert len(fake.calls) == 6

    removed = {"Records": [_record(102, "REMOVE", VPN)]}
    assert app.handler(removed, None) == {"batchItemFailures": []}
    assert {c.article_id for c, _, _ in index.sections("t1")} == {"A2"}


def test_index_kb_changes_groups_by_tenant(index: TantivyKbIndex) -> None:
    report = index_kb_changes(
        index, None, [VPN, replace(PASSWORD, tenant_id="t2"), KbArticleRemoved("t1", "A1", 1)]
    )
    assert (report.records, report.indexed, report.removed) == (3, 2, 1)
    assert index.sections("t1") == [] and len(index.sections("t2")) == 1


def test_a_long_article_contributes_its_relevant_section(index: TantivyKbIndex) -> None:
    from regentra.domain.kb import pick_chunks

    topics = "\n\n".join(f"## Topic {i}\nBackground on working from home, part {i}. " * 1 for i in range(12))
    handbook = article(
        "A9",
        "Remote working handbook",
        f"{topics}\n\n## Reset a VPN token\n1. Open the self-service portal.\n2. Click **Reset token**.\n\n"
        "## Printer at home\n1. Add the printer by its IP address.",
    )
    index.apply("t1", [handbook, PASSWORD], None)
    found = HybridRetriever(index, None).retrieve("t1", "my VPN token stopped working, the code is refused")
    picked = pick_chunks(found.chunks)
    assert [(p.chunk.article_id, p.chunk.heading) for p in picked] == [("A9", "Reset a VPN token")]
    assert "Background" not in picked[0].chunk.text and "printer" not in picked[0].chunk.text
