"""KB retrieval rules (pure): reciprocal rank fusion, cosine, chunk selection."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from regentra.domain.kb import KbArticle, KbChunk, ScoredChunk, chunk_article, pick_chunks
from regentra.domain.kb_retrieval import (
    RRF_K,
    cosine,
    embedding_input,
    fuse_chunks,
    input_hash,
    normalize,
    reciprocal_rank_fusion,
    top_by_cosine,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def chunk(article: str, position: int = 0) -> KbChunk:
    return KbChunk(
        article, f"title {article}", f"heading {position}", f"text {article} {position}", (), position
    )


# --- reciprocal rank fusion -------------------------------------------------------------------


def test_rrf_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]]))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 62)
    assert RRF_K == 60


def test_rrf_prefers_what_both_rankings_place_high() -> None:
    # "x" is first in one ranking only; "y" is second in both: agreement wins.
    fused = reciprocal_rank_fusion([["x", "y", "z"], ["w", "y", "v"]])
    assert [key for key, _ in fused][:1] == ["y"]


def test_rrf_keeps_items_found_by_one_ranking_only() -> None:
    fused = reciprocal_rank_fusion([["a"], ["b"]])
    assert [key for key, _ in fused] == ["a", "b"]  # equal scores: the first ranking's order first
    assert fused[0][1] == fused[1][1] == pytest.approx(1 / 61)


def test_rrf_counts_a_key_once_per_ranking_and_honours_k() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "a", "b"]], k=0))
    assert fused == {"a": pytest.approx(1.0), "b": pytest.approx(1 / 3)}  # b keeps its rank, 3
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=-1)


def test_fuse_chunks_merges_two_chunk_rankings() -> None:
    a0, a1, b0 = chunk("A", 0), chunk("A", 1), chunk("B", 0)
    bm25 = [ScoredChunk(a1, 9.0), ScoredChunk(b0, 5.0)]
    vectors = [ScoredChunk(b0, 0.8), ScoredChunk(a1, 0.7), ScoredChunk(a0, 0.6)]
    fused = fuse_chunks(bm25, vectors, limit=5)
    assert [(s.chunk.article_id, s.chunk.position) for s in fused] == [("A", 1), ("B", 0), ("A", 0)]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2].score == pytest.approx(1 / 63)
    assert fused[0].chunk is a1
    assert len(fuse_chunks(bm25, vectors, limit=1)) == 1


# --- vectors ------------------------------------------------------------------------------------


def test_cosine() -> None:
    assert cosine([1.0, 0.0], [0.0, 2.0]) == pytest.approx(0.0)
    assert cosine([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]) == pytest.approx(1.0)  # scale does not matter
    assert cosine([1.0, 1.0], [-1.0, -1.0]) == pytest.approx(-1.0)
    assert cosine([1.0, 0.0], [1.0, 1.0]) == pytest.approx(1 / math.sqrt(2))
    assert cosine([0.0, 0.0], [1.0, 1.0]) == 0.0
    with pytest.raises(ValueError):
        cosine([1.0], [1.0, 2.0])


def test_normalize() -> None:
    v = normalize([3, 4])
    assert v == pytest.approx([0.6, 0.8])
    assert math.fsum(x * x for x in normalize([0.1] * 512)) == pytest.approx(1.0)
    for bad in ([0.0, 0.0], [], [1.0, float("nan")], [float("inf"), 1.0]):
        with pytest.raises(ValueError):
            normalize(bad)


def test_top_by_cosine_ranks_limits_and_thresholds() -> None:
    vectors = {
        "same": normalize([1, 0, 0]),
        "close": normalize([1, 0.2, 0]),
        "far": normalize([0, 1, 0]),
        "opposite": normalize([-1, 0, 0]),
        "other-size": [1.0, 0.0],  # another model's vector: never compared
    }
    query = normalize([1, 0, 0])
    top = top_by_cosine(query, vectors, k=10)
    assert [key for key, _ in top] == ["same", "close", "far", "opposite"]
    assert top[0][1] == pytest.approx(1.0)
    assert [key for key, _ in top_by_cosine(query, vectors, k=2)] == ["same", "close"]
    assert [key for key, _ in top_by_cosine(query, vectors, k=10, min_score=0.25)] == ["same", "close"]
    assert top_by_cosine(query, vectors, k=0) == []
    # Unnormalized vectors: full cosine.
    raw = top_by_cosine([2.0, 0.0, 0.0], {"a": [5.0, 0.0, 0.0], "b": [1.0, 1.0, 0.0]}, normalized=False)
    assert [(k, round(s, 3)) for k, s in raw] == [("a", 1.0), ("b", 0.707)]


def test_embedding_input_and_hash() -> None:
    c = KbChunk("A1", "Resetting a VPN token", "Reset the token", "1. Open the portal.")
    assert embedding_input(c) == "Resetting a VPN token\nReset the token\n1. Open the portal."
    h = input_hash(embedding_input(c), "amazon.titan-embed-text-v2:0", 512)
    assert h == input_hash(embedding_input(c), "amazon.titan-embed-text-v2:0", 512)
    assert h != input_hash(embedding_input(c), "amazon.titan-embed-text-v2:0", 256)  # another size
    assert h != input_hash(embedding_input(c), "other-model", 512)
    assert h != input_hash(embedding_input(c) + " ", "amazon.titan-embed-text-v2:0", 512)


# --- chunk selection ------------------------------------------------------------------------------

LONG = KbArticle(
    "t1",
    "A1",
    "Remote access handbook",
    "Everything about working from home.\n\n"
    + "\n\n".join(f"## Topic {i}\n" + f"Background paragraph {i}. " * 40 for i in range(8))
    + "\n\n## Reset a VPN token\n1. Open the self-service portal.\n2. Click **Reset token**.\n\n"
    + "## Printer at home\n1. Add the printer.",
    (),
    NOW,
    NOW,
)


def test_a_long_article_is_chunked_per_section() -> None:
    chunks = chunk_article(LONG)
    assert len(chunks) == 11  # intro + 8 topics + VPN + printer
    vpn = next(c for c in chunks if c.heading == "Reset a VPN token")
    assert "Reset token" in vpn.text and "Background" not in vpn.text and "printer" not in vpn.text
    assert [c.position for c in chunks] == list(range(11))


def test_pick_chunks_takes_the_relevant_section_not_the_whole_article() -> None:
    chunks = chunk_article(LONG)
    vpn = next(c for c in chunks if c.heading == "Reset a VPN token")
    scored = [ScoredChunk(c, 1.0) for c in chunks if c is not vpn] + [ScoredChunk(vpn, 6.0)]
    picked = pick_chunks(scored)
    assert [p.chunk.heading for p in picked] == ["Reset a VPN token"]


def test_pick_chunks_with_fused_scores_keeps_a_runner_up_only_when_both_rankings_agree() -> None:
    a, b, c = chunk("A"), chunk("B"), chunk("C")
    # B: second in both rankings -> kept; C: found by the vector ranking alone -> dropped.
    fused = fuse_chunks([ScoredChunk(a, 9), ScoredChunk(b, 8)], [ScoredChunk(a, 0.9), ScoredChunk(b, 0.8)])
    assert [p.chunk.article_id for p in pick_chunks(fused)] == ["A", "B"]
    fused = fuse_chunks([ScoredChunk(a, 9)], [ScoredChunk(a, 0.9), ScoredChunk(c, 0.8)])
    assert [p.chunk.article_id for p in pick_chunks(fused)] == ["A"]
