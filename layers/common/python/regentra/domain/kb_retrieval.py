"""KB retrieval rules (pure: no AWS, no clock): what a KB index change is, what text a chunk is
embedded from, cosine similarity, and reciprocal rank fusion of BM25 and embedding rankings.

Hybrid retrieval ranks the tenant's KB chunks twice — BM25 over the words, cosine over
embeddings — and fuses the two rankings by reciprocal rank fusion (RRF, Cormack et al. 2009):

    score(chunk) = sum over rankings r of 1 / (k + rank_r(chunk)),   rank from 1, k = 60

RRF needs no score calibration between the two signals (a BM25 score and a cosine live on
unrelated scales); a chunk both rankings place high beats one only a single ranking found.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from regentra.domain.kb import KbArticle, KbChunk, ScoredChunk

RRF_K = 60
# Candidates each ranking contributes to the fusion (and the vector ranking's top-k).
CANDIDATES = 20
# A chunk less similar than this to the ticket is no candidate: a vector ranking always has a
# "best" chunk, and an unrelated ticket must not cite an unrelated article. Unrelated texts score
# about 0.0-0.2 with Titan v2 and all-MiniLM-L6-v2 (the bench's stand-in); related ones 0.4+.
MIN_COSINE = 0.25
MAX_EMBED_CHARS = 20_000  # Titan Text Embeddings v2 takes up to 50,000 characters / 8,192 tokens

# How a draft's retrieval is reported (`retrieval` in the ai-draft response).
BM25 = "bm25"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class KbArticleRemoved:
    """An article's REMOVE stream record: its chunks leave the index (unless a newer version is
    already there)."""

    tenant_id: str
    article_id: str
    version: int


KbChange = KbArticle | KbArticleRemoved


class EmbeddingFailed(RuntimeError):
    """An embedding call failed or answered something unusable; `reason` says which. Retrieval
    falls back to BM25 alone; the indexer indexes the words now and retries the vectors."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class KbIndexReport:
    records: int = 0
    indexed: int = 0  # articles (re)written
    removed: int = 0
    skipped: int = 0  # redelivered or older than what the index holds
    embedded: int = 0  # chunks embedded by the model
    reused: int = 0  # chunks whose vector was kept (same text, model and size)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (tenant, article) missing vectors

    def as_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "indexed": self.indexed,
            "removed": self.removed,
            "skipped": self.skipped,
            "embedded": self.embedded,
            "reused": self.reused,
            "failed": len(self.failed),
        }


@dataclass(frozen=True)
class Retrieval:
    """The chunks found for a query (best first) and how they were found."""

    chunks: list[ScoredChunk]
    mode: str = BM25
    fused: bool = False


def hybrid_mode(model_id: str) -> str:
    return f"hybrid:bm25+{model_id} (rrf k={RRF_K})"


def fallback_mode(model_id: str, reason: str) -> str:
    return f"{BM25} (fallback from {model_id}: {reason})"


def embedding_tag(model_id: str, dims: int) -> str:
    """Names the vector space a stored vector lives in: vectors of another model or size are
    never compared with a query's."""
    return f"{model_id}/{dims}"


def chunk_key(article_id: str, position: int) -> str:
    return f"{article_id}#{position}"


def embedding_input(chunk: KbChunk) -> str:
    """What a chunk is embedded from: its article title and section heading give the section
    text its context ("Reset the token" means little without "Resetting a VPN token")."""
    parts = [chunk.title, chunk.heading, chunk.text]
    return "\n".join(p for p in parts if p)[:MAX_EMBED_CHARS]


def input_hash(text: str, model_id: str, dims: int) -> str:
    """Identifies one embedding: a chunk whose input, model and size are unchanged keeps its
    vector (an edit to one section re-embeds only that section)."""
    return hashlib.sha256(f"{model_id}\x00{dims}\x00{text}".encode()).hexdigest()[:32]


def normalize(vector: Sequence[float]) -> list[float]:
    """Unit length (cosine becomes a dot product). A zero or non-finite vector is rejected."""
    values = [float(v) for v in vector]
    if not values or not all(math.isfinite(v) for v in values):
        raise ValueError("not a finite vector")
    norm = math.sqrt(math.fsum(v * v for v in values))
    if norm == 0.0:
        raise ValueError("zero vector")
    return [v / norm for v in values]


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    sumprod = getattr(math, "sumprod", None)  # Python 3.12+: one C loop
    if sumprod is not None:
        return float(sumprod(a, b))
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors of the same length; 0.0 when either is zero."""
    if len(a) != len(b):
        raise ValueError(f"vectors of different lengths ({len(a)} and {len(b)})")
    na = math.sqrt(_dot(a, a))
    nb = math.sqrt(_dot(b, b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return _dot(a, b) / (na * nb)


def top_by_cosine(
    query: Sequence[float],
    vectors: Mapping[K, Sequence[float]],
    k: int = CANDIDATES,
    normalized: bool = True,
    min_score: float | None = None,
) -> list[tuple[K, float]]:
    """The k keys whose vectors are most similar to the query, best first (ties: key order as
    given), at least `min_score` when given. With `normalized` (unit vectors, as stored) cosine
    is the dot product."""
    if k <= 0:
        return []
    dims = len(query)
    scored = [
        (key, _dot(query, vec) if normalized else cosine(query, vec))
        for key, vec in vectors.items()
        if len(vec) == dims
    ]
    if min_score is not None:
        scored = [s for s in scored if s[1] >= min_score]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i][1], i))
    return [scored[i] for i in order[:k]]


def reciprocal_rank_fusion(rankings: Iterable[Sequence[K]], k: int = RRF_K) -> list[tuple[K, float]]:
    """Fuse rankings (each best first, keys unique within it) into one, best first:
    score = sum of 1 / (k + rank), rank counted from 1. Equal scores keep the order in which
    the keys were first met (the first ranking's order first)."""
    if k < 0:
        raise ValueError("k must be >= 0")
    scores: dict[K, float] = {}
    for ranking in rankings:
        seen: set[K] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:
                continue  # a key counts once per ranking (its best rank)
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    first_seen = {key: i for i, key in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def fuse_chunks(
    bm25: Sequence[ScoredChunk], by_vector: Sequence[ScoredChunk], k: int = RRF_K, limit: int = 5
) -> list[ScoredChunk]:
    """RRF over two chunk rankings; each chunk's score becomes its fused score."""
    chunks: dict[tuple[str, int], KbChunk] = {}
    for s in (*bm25, *by_vector):
        chunks.setdefault((s.chunk.article_id, s.chunk.position), s.chunk)
    fused = reciprocal_rank_fusion(
        [
            [(s.chunk.article_id, s.chunk.position) for s in bm25],
            [(s.chunk.article_id, s.chunk.position) for s in by_vector],
        ],
        k,
    )
    return [ScoredChunk(chunks[key], score) for key, score in fused[:limit]]
