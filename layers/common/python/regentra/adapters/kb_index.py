"""The KB retrieval index: tantivy, one index per tenant, one document per article section
(chunk), fed by the table's stream (functions/events/index_kb) — the KbIndex port.

Where: `<REGENTRA_DATA_DIR>/kb` under `regentra local`; in AWS the EFS mount named by
`KB_INDEX_DIR` (the search file system, folder `kb`). Layout:

    <root>/t-<sha256(tenant)[:32]>/     one folder per tenant (TENANT names it, for operators)
        CURRENT                         the live generation (readers and the writer follow it)
        v<schema>-<stamp>/              a tantivy index; `regentra reindex-kb` builds a new one
        v<schema>-<stamp>/STAMP         changes at every commit (readers cache vectors by it)

Why an index per tenant: BM25's statistics (how rare a word is) are the tenant's own, so one
MSP's articles never change how another's rank — a shared index would leak that much — and a
tenant's KB is searched without a tenant filter over everyone's documents.

A document: the article id and version, the section's title / heading / tags / text (BM25 per
field, summed; title 2x, heading and tags 1.5x), and, when embeddings are configured, the
section's unit vector (float32) with the model/size it came from and a hash of its input.
Vectors are stored here, with the chunk, rather than in a table item: they are derived data
(re-computable from the article at $0.02 per million tokens), the draft needs them next to the
chunks (one read of the tenant's index, no DynamoDB round trip, no 400 KB item limit), and no
extra table write or stream record per edit. They survive rebuilds: a new generation reuses
every vector whose input hash is unchanged, so only a lost file system re-embeds everything.

Idempotent and ordered per article: an article's sections are replaced only by a newer
version; a redelivered version changes nothing (unless its vectors are missing and an embedder
is configured: then they are filled in — how a failed embedding is retried); a removal drops
only what is not newer. One writer at a time per tenant (tantivy's lock; the indexer runs with
reserved concurrency 1), opened per batch and dropped before the invocation ends.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from regentra.adapters.index_files import (
    PerFolder,
    acquire_writer,
    drop_generations,
    is_generation,
    new_generation_name,
    open_index,
    read_pointer,
    write_pointer,
)
from regentra.adapters.search_index import build_analyzer
from regentra.config import get_settings
from regentra.domain.kb import KbArticle, KbChunk, ScoredChunk, chunk_article
from regentra.domain.kb_retrieval import (
    EmbeddingFailed,
    KbArticleRemoved,
    KbChange,
    KbIndexReport,
    embedding_input,
    embedding_tag,
    input_hash,
    top_by_cosine,
)
from regentra.services.ports import Embedder

SCHEMA_VERSION = 1
ANALYZER = "regentra_text"
# How much a match in each field weighs (BM25 per field, summed).
FIELDS: dict[str, float] = {"title": 2.0, "heading": 1.5, "tags": 1.5, "text": 1.0}
MAX_TERMS = 64
MAX_CHUNKS_PER_ARTICLE = 200
# Words that say nothing about the problem (the query is a whole ticket, not a search box).
_STOP = """a an and are as at be been but by can could do does for from has have hello hi how i i'm
if in into is it its me my of on or our please so that the their them then there this to
us was we were what when which who why will with would you your thanks thank regards"""
STOPWORDS = frozenset(_STOP.split())  # noqa: SIM905


def kb_index_root() -> Path:
    settings = get_settings()
    if settings.local_data_dir is not None:
        return Path(settings.local_data_dir) / "kb"
    configured = os.environ.get("KB_INDEX_DIR")
    if not configured:
        raise RuntimeError("KB_INDEX_DIR is not set (the EFS folder of the KB index)")
    return Path(configured)


def tenant_folder(tenant_id: str) -> str:
    """A file-system-safe, fixed-length folder name for any tenant id."""
    return "t-" + hashlib.sha256(tenant_id.encode()).hexdigest()[:32]


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in ("key", "tenant", "article_id", "etag", "ehash"):  # exact terms
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("version", stored=True)
    sb.add_integer_field("position", stored=True)
    for name in FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name=ANALYZER, index_option="position")
    sb.add_bytes_field("vec", stored=True)  # float32 little-endian, unit length
    return sb.build()


def _pack(vector: Sequence[float]) -> bytes:
    values = array.array("f", vector)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def _unpack(raw: bytes) -> list[float]:
    values = array.array("f")
    values.frombytes(raw)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tolist()


@dataclass
class _Section:
    """One stored chunk, with its vector when it has one."""

    chunk: KbChunk
    version: int
    ehash: str = ""
    etag: str = ""
    vec: bytes = b""


@dataclass
class _Article:
    version: int
    sections: list[_Section] = field(default_factory=list)

    def complete_for(self, tag: str) -> bool:
        return all(s.vec and s.etag == tag for s in self.sections)


def _section(doc: tantivy.Document) -> _Section:
    chunk = KbChunk(
        article_id=str(doc.get_first("article_id")),
        title=str(doc.get_first("title") or ""),
        heading=str(doc.get_first("heading") or ""),
        text=str(doc.get_first("text") or ""),
        tags=tuple(str(t) for t in doc.get_all("tags")),
        position=int(doc.get_first("position") or 0),
    )
    return _Section(
        chunk,
        int(doc.get_first("version") or 0),
        str(doc.get_first("ehash") or ""),
        str(doc.get_first("etag") or ""),
        bytes(doc.get_first("vec") or b""),
    )


def _document(tenant_id: str, s: _Section) -> tantivy.Document:
    c = s.chunk
    d = tantivy.Document()
    d.add_text("key", f"{c.article_id}#{c.position}")
    d.add_text("tenant", tenant_id)
    d.add_text("article_id", c.article_id)
    d.add_integer("version", s.version)
    d.add_integer("position", c.position)
    d.add_text("title", c.title)
    d.add_text("heading", c.heading)
    for tag in c.tags:
        d.add_text("tags", tag)
    d.add_text("text", c.text)
    if s.vec:
        d.add_text("etag", s.etag)
        d.add_text("ehash", s.ehash)
        d.add_bytes("vec", s.vec)
    return d


def _all_sections(searcher: Any) -> Iterator[_Section]:
    total = int(searcher.num_docs)
    if total:
        for _, address in searcher.search(Query.all_query(), limit=total, count=False).hits:
            yield _section(searcher.doc(address))


class _Session:
    """One writer over one tenant's generation: reads articles, applies changes, writes at flush."""

    def __init__(
        self,
        tenant_id: str,
        index: tantivy.Index,
        writer: Any,
        schema: tantivy.Schema,
        reuse: dict[str, bytes],
    ) -> None:
        self.tenant_id, self.index, self.writer, self.schema = tenant_id, index, writer, schema
        self.searcher = index.searcher()
        self.reuse = reuse  # input hash -> packed vector (a rebuild's previous generation)
        self.articles: dict[str, _Article | None] = {}
        self.dirty: set[str] = set()
        self.report = KbIndexReport()

    def load(self, article_id: str) -> _Article | None:
        if article_id not in self.articles:
            hits = self.searcher.search(
                Query.term_query(self.schema, "article_id", article_id),
                limit=MAX_CHUNKS_PER_ARTICLE,
                count=False,
            ).hits
            sections = sorted(
                (_section(self.searcher.doc(a)) for _, a in hits), key=lambda s: s.chunk.position
            )
            self.articles[article_id] = _Article(sections[0].version, sections) if sections else None
        return self.articles[article_id]

    def upsert(self, article: KbArticle, embedder: Embedder | None) -> None:
        stored = self.load(article.id)
        tag = embedding_tag(embedder.model_id, embedder.dimensions) if embedder else ""
        if stored is not None and (
            stored.version > article.version
            or (stored.version == article.version and (embedder is None or stored.complete_for(tag)))
        ):
            self.report.skipped += 1  # older than the index, or a redelivery with nothing to add
            return
        known = dict(self.reuse)
        for s in stored.sections if stored else ():
            if s.vec and s.etag == tag:
                known[s.ehash] = s.vec
        sections: list[_Section] = []
        failed = False
        for chunk in chunk_article(article)[:MAX_CHUNKS_PER_ARTICLE]:
            section = _Section(chunk, article.version)
            if embedder is not None:
                text = embedding_input(chunk)
                digest = input_hash(text, embedder.model_id, embedder.dimensions)
                vec = known.get(digest)
                if vec is not None:
                    self.report.reused += 1
                elif not failed:
                    try:
                        vec = _pack(embedder.embed(text))
                        known[digest] = vec
                        self.report.embedded += 1
                    except EmbeddingFailed:
                        failed = True  # index the words now; the vectors come with the retry
                if vec is not None:
                    section.ehash, section.etag, section.vec = digest, tag, vec
            sections.append(section)
        if failed:
            self.report.failed.append((self.tenant_id, article.id))
        self.articles[article.id] = _Article(article.version, sections)
        self.dirty.add(article.id)
        self.report.indexed += 1

    def remove(self, article_id: str, version: int) -> None:
        stored = self.load(article_id)
        if stored is None or stored.version > version:
            self.report.skipped += 1
            return
        self.articles[article_id] = None
        self.dirty.add(article_id)
        self.report.removed += 1

    def article_ids(self) -> set[str]:
        known = {s.chunk.article_id for s in _all_sections(self.searcher)}
        known.update(a for a, state in self.articles.items() if state is not None)
        return {a for a in known if self.articles.get(a, True) is not None}

    def flush(self) -> None:
        for article_id in sorted(self.dirty):
            self.writer.delete_documents_by_term("article_id", article_id)
            state = self.articles[article_id]
            for s in state.sections if state else ():
                self.writer.add_document(_document(self.tenant_id, s))
        self.dirty.clear()


@dataclass
class _Vectors:
    stamp: str
    by_tag: dict[str, dict[tuple[str, int], tuple[KbChunk, list[float]]]]


class TantivyKbIndex:
    def __init__(self, root: Path, *, writer_heap: int = 15_000_000, lock_timeout: float = 30.0) -> None:
        self.root = root
        self.writer_heap = writer_heap
        self.lock_timeout = lock_timeout
        self.schema = build_schema()
        self._analyzer = build_analyzer()
        self._indexes: dict[Path, tantivy.Index] = {}
        self._vectors: dict[Path, _Vectors] = {}
        self._lock = threading.RLock()

    # -- files ---------------------------------------------------------------------------------
    def tenant_dir(self, tenant_id: str) -> Path:
        return self.root / tenant_folder(tenant_id)

    _read = staticmethod(read_pointer)
    _write = staticmethod(write_pointer)

    def _ours(self, generation: str | None) -> bool:
        return is_generation(generation, SCHEMA_VERSION)

    def current_generation(self, tenant_id: str) -> str | None:
        generation = self._read(self.tenant_dir(tenant_id) / "CURRENT")
        if not self._ours(generation) or not (self.tenant_dir(tenant_id) / str(generation)).is_dir():
            return None  # nothing indexed yet (or another schema's index: run `regentra reindex-kb`)
        return generation

    def _open(self, path: Path, create: bool = False) -> tantivy.Index:
        index = self._indexes.get(path)
        if index is None:
            index = open_index(path, self.schema, ANALYZER, self._analyzer, create)
            self._indexes[path] = index
        return index

    def _new_generation(self, tenant_id: str) -> str:
        folder = self.tenant_dir(tenant_id)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "TENANT").exists():
            self._write(folder / "TENANT", tenant_id)
        name = new_generation_name(SCHEMA_VERSION)
        self._open(folder / name, create=True)
        return name

    def _live_generation(self, tenant_id: str) -> str:
        generation = self.current_generation(tenant_id)
        if generation is None:  # the tenant's first article (or a schema change)
            generation = self._new_generation(tenant_id)
            self._write(self.tenant_dir(tenant_id) / "CURRENT", generation)
        return generation

    # -- writing -------------------------------------------------------------------------------
    def _acquire(self, index: tantivy.Index) -> Any:
        return acquire_writer(index, self.writer_heap, 1, self.lock_timeout)

    @contextmanager
    def _session(
        self, tenant_id: str, generation: str | None = None, reuse: dict[str, bytes] | None = None
    ) -> Iterator[_Session]:
        with self._lock:
            generation = generation or self._live_generation(tenant_id)
            path = self.tenant_dir(tenant_id) / generation
            index = self._open(path)
            writer = self._acquire(index)
            index.reload()
            session = _Session(tenant_id, index, writer, self.schema, reuse or {})
            try:
                yield session
                session.flush()
                writer.commit()
                writer.wait_merging_threads()  # consumes the writer; merges finish before we return
                self._write(path / "STAMP", uuid.uuid4().hex)
            except BaseException:
                with contextlib.suppress(Exception):  # consumed or failed: dropping it releases the lock
                    writer.rollback()
                raise
            finally:
                session.writer = None
                del writer  # drops the writer: the lock is released now, not at exit

    def apply(self, tenant_id: str, changes: Sequence[KbChange], embedder: Embedder | None) -> KbIndexReport:
        """One tenant's changes from one stream batch, in order, in one commit."""
        if not changes:
            return KbIndexReport()
        with self._session(tenant_id) as session:
            for change in changes:
                if isinstance(change, KbArticleRemoved):
                    session.remove(change.article_id, change.version)
                else:
                    session.upsert(change, embedder)
            session.report.records = len(changes)
            return session.report

    def rebuild(
        self, tenant_id: str, articles: Callable[[], Sequence[KbArticle]], embedder: Embedder | None
    ) -> KbIndexReport:
        """A new generation from the table while the live one keeps serving: build from one
        listing (reusing the live generation's vectors by input hash), switch CURRENT, then,
        holding the new generation's writer lock, list again and apply what changed meanwhile
        (the live writer, blocked on that lock, applies later records after us). The previous
        generation is kept, older ones deleted."""
        previous = self.current_generation(tenant_id)
        reuse: dict[str, bytes] = {}
        if previous is not None:
            with self._lock:
                index = self._open(self.tenant_dir(tenant_id) / previous)
                index.reload()
                reuse = {s.ehash: s.vec for s in _all_sections(index.searcher()) if s.vec}
        generation = self._new_generation(tenant_id)
        with self._session(tenant_id, generation, reuse) as session:
            for article in articles():
                session.upsert(article, embedder)
            report = session.report
        self._write(self.tenant_dir(tenant_id) / "CURRENT", generation)
        with self._session(tenant_id, generation, reuse) as session:
            listed = {}
            for article in articles():
                listed[article.id] = article
                session.upsert(article, embedder)
            for article_id in session.article_ids() - set(listed):
                session.remove(article_id, sys.maxsize)
            report.indexed += session.report.indexed
            report.removed += session.report.removed
            report.embedded += session.report.embedded
            report.reused += session.report.reused
            report.failed += session.report.failed
            report.records = len(listed)
        self._collect(tenant_id, keep={generation, previous or ""})
        return report

    def _collect(self, tenant_id: str, keep: set[str]) -> None:
        def forget(path: Path) -> None:
            self._indexes.pop(path, None)
            self._vectors.pop(path, None)

        with self._lock:
            drop_generations(self.tenant_dir(tenant_id), keep, forget)

    # -- reading -------------------------------------------------------------------------------
    def _reader(self, tenant_id: str) -> tuple[Path, tantivy.Index] | None:
        generation = self.current_generation(tenant_id)
        if generation is None:
            return None
        path = self.tenant_dir(tenant_id) / generation
        index = self._open(path)
        index.reload()  # see the last commit
        return path, index

    def terms(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for tok in self._analyzer.analyze(text):
            if len(tok) > 1 and tok not in STOPWORDS:
                seen.setdefault(tok, None)
        return list(seen)[:MAX_TERMS]

    def bm25(self, tenant_id: str, query: str, limit: int) -> list[ScoredChunk]:
        """The tenant's sections best matching the words of `query` (any of them), best first."""
        terms = self.terms(query)
        if not terms or limit <= 0:
            return []
        with self._lock:
            found = self._reader(tenant_id)
            if found is None:
                return []
            _, index = found
            s = self.schema
            parts = [
                (Occur.Should, Query.boost_query(Query.term_query(s, name, term), boost))
                for term in terms
                for name, boost in FIELDS.items()
            ]
            text_query = Query.boolean_query(parts)
            scoped = Query.boolean_query(
                [
                    (Occur.Must, Query.const_score_query(Query.term_query(s, "tenant", tenant_id), 0.0)),
                    (Occur.Must, text_query),
                ]
            )
            searcher = index.searcher()
            hits = searcher.search(scoped, limit=limit, count=False).hits
            out = [ScoredChunk(_section(searcher.doc(a)).chunk, float(score)) for score, a in hits]
        # Best first; equal scores: article, then section order (stable across segment layouts).
        return sorted(out, key=lambda x: (-x.score, x.chunk.article_id, x.chunk.position))

    def _vector_set(self, path: Path, index: tantivy.Index) -> _Vectors:
        stamp = self._read(path / "STAMP") or ""
        cached = self._vectors.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        by_tag: dict[str, dict[tuple[str, int], tuple[KbChunk, list[float]]]] = {}
        for s in _all_sections(index.searcher()):
            if s.vec:
                by_tag.setdefault(s.etag, {})[(s.chunk.article_id, s.chunk.position)] = (
                    s.chunk,
                    _unpack(s.vec),
                )
        fresh = _Vectors(stamp, by_tag)
        self._vectors[path] = fresh
        return fresh

    def nearest(
        self, tenant_id: str, vector: Sequence[float], tag: str, limit: int, min_score: float
    ) -> list[ScoredChunk]:
        """The tenant's sections whose stored vector (of the same model and size) is most similar
        to `vector` (unit length), best first, cosine at least `min_score`. The vectors are read
        from the index once per commit and kept in memory between requests."""
        with self._lock:
            found = self._reader(tenant_id)
            if found is None:
                return []
            vectors = self._vector_set(*found).by_tag.get(tag, {})
        top = top_by_cosine(vector, {k: v for k, (_, v) in vectors.items()}, limit, min_score=min_score)
        return [ScoredChunk(vectors[key][0], score) for key, score in top]

    def has_vectors(self, tenant_id: str, tag: str) -> bool:
        with self._lock:
            found = self._reader(tenant_id)
            return found is not None and bool(self._vector_set(*found).by_tag.get(tag))

    def sections(self, tenant_id: str) -> list[tuple[KbChunk, int, str]]:
        """What the index holds for a tenant: (chunk, article version, vector tag or "") —
        operators and tests."""
        with self._lock:
            found = self._reader(tenant_id)
            if found is None:
                return []
            rows = [(s.chunk, s.version, s.etag if s.vec else "") for s in _all_sections(found[1].searcher())]
        return sorted(rows, key=lambda r: (r[0].article_id, r[0].position))


_instances: PerFolder[TantivyKbIndex] = PerFolder(TantivyKbIndex)


def open_kb_index(root: Path | None = None) -> TantivyKbIndex:
    """One instance per folder per process (readers keep their opened indexes and vectors)."""
    return _instances.get(root or kb_index_root())
