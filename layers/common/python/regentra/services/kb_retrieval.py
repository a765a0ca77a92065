"""KB retrieval for drafts, and keeping the per-tenant KB index in step with the table.

- Indexing: the table's stream (functions/events/index_kb) hands article inserts, edits and
  removals to `index_kb_changes`; each tenant's changes go to its own index in one commit. With
  an embedding model configured, each changed section is embedded there (sections whose text is
  unchanged keep their vector).
- Retrieval (`HybridRetriever`): BM25 over the tenant's sections; with an embedding model, the
  ticket text is embedded too, the sections ranked by cosine, and both rankings fused by
  reciprocal rank fusion (domain.kb_retrieval). Without a model, or when the embedding call
  fails or throttles, BM25 alone — and the draft says so (`retrieval`).
- `reindex_kb`: rebuild a tenant's index from the table (one Query of its KB partition).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from regentra.domain.kb import KbArticle
from regentra.domain.kb_retrieval import (
    BM25,
    CANDIDATES,
    MIN_COSINE,
    EmbeddingFailed,
    KbChange,
    KbIndexReport,
    Retrieval,
    embedding_tag,
    fallback_mode,
    fuse_chunks,
    hybrid_mode,
)
from regentra.services.ports import Embedder, KbIndex


def index_kb_changes(index: KbIndex, embedder: Embedder | None, changes: Sequence[KbChange]) -> KbIndexReport:
    """Apply one stream batch, tenant by tenant, in stream order within each tenant. Articles
    whose sections could not all be embedded are listed in `failed` (their words are indexed)."""
    by_tenant: dict[str, list[KbChange]] = {}
    for change in changes:
        by_tenant.setdefault(change.tenant_id, []).append(change)
    total = KbIndexReport(records=len(changes))
    for tenant_id, group in by_tenant.items():
        report = index.apply(tenant_id, group, embedder)
        total.indexed += report.indexed
        total.removed += report.removed
        total.skipped += report.skipped
        total.embedded += report.embedded
        total.reused += report.reused
        total.failed += report.failed
    return total


def reindex_kb(
    index: KbIndex, embedder: Embedder | None, tenant_id: str, articles: Callable[[], Sequence[KbArticle]]
) -> KbIndexReport:
    """Rebuild one tenant's KB index from its articles (read twice: see KbIndex.rebuild)."""
    return index.rebuild(tenant_id, articles, embedder)


@dataclass
class HybridRetriever:
    """The KbRetriever port over the KB index and, when configured, the embedder."""

    index: KbIndex
    embedder: Embedder | None = None
    candidates: int = CANDIDATES
    min_cosine: float = MIN_COSINE

    def retrieve(self, tenant_id: str, query: str, limit: int = 5) -> Retrieval:
        lexical = self.index.bm25(tenant_id, query, self.candidates)
        if self.embedder is None:
            return Retrieval(lexical[:limit], BM25)
        model = self.embedder.model_id
        tag = embedding_tag(model, self.embedder.dimensions)
        if not self.index.has_vectors(tenant_id, tag):
            # Nothing to compare with (an empty KB, or vectors not computed yet): no model call.
            return Retrieval(lexical[:limit], fallback_mode(model, "no section embeddings indexed"))
        try:
            vector = self.embedder.embed(query)
        except EmbeddingFailed as exc:
            return Retrieval(lexical[:limit], fallback_mode(model, exc.reason))
        semantic = self.index.nearest(tenant_id, vector, tag, self.candidates, self.min_cosine)
        return Retrieval(fuse_chunks(lexical, semantic, limit=limit), hybrid_mode(model), fused=True)
