"""BM25 retrieval over a tenant's KB chunks with tantivy.

For now the index is built in memory per request from the tenant's articles (one Query of the
KB partition): a small KB indexes in milliseconds and nothing has to be kept in step with edits.
A persistent per-tenant KB index, fed by the table's stream, replaces it when KBs grow.
"""

from __future__ import annotations

from collections.abc import Sequence

import tantivy
from tantivy import Occur, Query

from regentra.adapters.search_index import build_analyzer
from regentra.domain.kb import KbArticle, KbChunk, ScoredChunk, chunk_article

ANALYZER = "regentra_text"
# How much a match in each field weighs (BM25 per field, summed).
FIELDS: dict[str, float] = {"title": 2.0, "heading": 1.5, "tags": 1.5, "text": 1.0}
MAX_TERMS = 64
# Words that say nothing about the problem (the query is a whole ticket, not a search box).
_STOP = """a an and are as at be been but by can could do does for from has have hello hi how i i'm
if in into is it its me my of on or our please so that the their them then there this to
us was we were what when which who why will with would you your thanks thank regards"""
STOPWORDS = frozenset(_STOP.split())  # noqa: SIM905


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("n", stored=True, indexed=False)
    for name in FIELDS:
        sb.add_text_field(name, tokenizer_name=ANALYZER, index_option="position")
    return sb.build()


class TantivyKbRetriever:
    def __init__(self) -> None:
        self._analyzer = build_analyzer()

    def _terms(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for tok in self._analyzer.analyze(text):
            if len(tok) > 1 and tok not in STOPWORDS:
                seen.setdefault(tok, None)
        return list(seen)[:MAX_TERMS]

    def retrieve(self, articles: Sequence[KbArticle], query: str, limit: int = 5) -> list[ScoredChunk]:
        chunks: list[KbChunk] = [c for a in articles for c in chunk_article(a)]
        terms = self._terms(query)
        if not chunks or not terms:
            return []
        schema = _schema()
        index = tantivy.Index(schema)  # in memory
        index.register_tokenizer(ANALYZER, self._analyzer)
        writer = index.writer(heap_size=15_000_000, num_threads=1)
        for n, c in enumerate(chunks):
            doc = tantivy.Document()
            doc.add_integer("n", n)
            doc.add_text("title", c.title)
            doc.add_text("heading", c.heading)
            doc.add_text("tags", " ".join(c.tags))
            doc.add_text("text", c.text)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        parts = [
            (Occur.Should, Query.boost_query(Query.term_query(schema, field, term), boost))
            for term in terms
            for field, boost in FIELDS.items()
        ]
        searcher = index.searcher()
        hits = searcher.search(Query.boolean_query(parts), limit=limit).hits
        out = []
        for score, address in hits:
            stored = searcher.doc(address).get_first("n")
            out.append(ScoredChunk(chunks[int(stored or 0)], float(score)))
        # Best first; equal scores keep article order, then section order.
        return sorted(out, key=lambda s: -s.score)
