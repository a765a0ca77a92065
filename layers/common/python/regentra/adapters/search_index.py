"""The full-text index: tantivy, one document per ticket, behind the SearchIndex port.

Where: `<REGENTRA_DATA_DIR>/search` under `regentra local`; in AWS the EFS mount named by
`SEARCH_INDEX_DIR` (template.yaml mounts it into the indexer and the list/board functions).

Layout of that folder:
    CURRENT               the live generation's name (readers and the writer follow it)
    BUILDING              present while `regentra reindex` builds a new generation
    journal-<gen>.log     tickets the live writer touched while <gen> was being built
    v<schema>-<stamp>/    one tantivy index per generation (the previous one is kept)

One writer at a time: tantivy's lock file inside the generation guards it; in AWS the indexer
runs with reserved concurrency 1 and stream parallelization 1, and a writer is opened per batch
and dropped before the invocation ends, so a frozen Lambda environment never holds the lock.
Readers reload on every search (Manual reload policy; cheap when nothing changed), so they see
each commit as soon as it lands.

Each document keeps the ticket version it was built from and a stored copy of its state
(`state`: ticket fields and public replies by id), so an update merges into it by
`domain.search.merge` rules: a ticket field set only from a newer version, a reply added once.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer

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
from regentra.adapters.index_files import (
    SearchIndexBusy as SearchIndexBusy,  # raised by the writers; re-exported where it used to live
)
from regentra.config import get_settings
from regentra.domain.search import (
    Clause,
    SearchDoc,
    SearchQuery,
    SearchUpdate,
    TicketFields,
    deletes,
    doc_key,
    merge,
)
from regentra.services.ports import RebuildReport, SearchHit, SearchPage, SearchScope

SCHEMA_VERSION = 1
ANALYZER = "regentra_text"
# How much a match in each text field weighs (BM25 per field, summed).
TEXT_FIELDS: dict[str, float] = {"subject": 3.0, "description": 1.5, "replies": 1.0}
EXACT_OVER_FUZZY = 2.0
_RAW = ("key", "tenant", "ticket_id", "client", "status", "priority", "assignee", "channel", "sla_status")


def search_index_root() -> Path:
    settings = get_settings()
    if settings.local_data_dir is not None:
        return Path(settings.local_data_dir) / "search"
    configured = os.environ.get("SEARCH_INDEX_DIR")
    if not configured:
        raise RuntimeError("SEARCH_INDEX_DIR is not set (the EFS mount of the search index)")
    return Path(configured)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in _RAW:  # exact terms: filters and the document key
        sb.add_text_field(
            name, stored=name in ("key", "ticket_id"), tokenizer_name="raw", index_option="basic"
        )
    sb.add_integer_field("version", stored=True, indexed=True, fast=True)
    sb.add_integer_field("created", indexed=True, fast=True)  # epoch microseconds
    sb.add_integer_field("updated", fast=True)  # epoch microseconds: recency among equal scores
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name=ANALYZER, index_option="position")
    sb.add_bytes_field("state", stored=True)  # the SearchDoc as JSON, to merge updates into
    return sb.build()


def build_analyzer() -> tantivy.TextAnalyzer:
    """Split on anything not a letter or digit, drop tokens over 40 chars, lowercase, fold accents."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(40))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
        .build()
    )


def _micros(value: datetime) -> int:
    return int(value.timestamp() * 1_000_000)


def _state(doc: SearchDoc) -> bytes:
    f = doc.fields
    fields = None
    if f is not None:
        fields = {
            "version": f.version,
            "client_id": f.client_id,
            "status": f.status,
            "priority": f.priority,
            "channel": f.channel,
            "assignee_id": f.assignee_id,
            "created_at": f.created_at.isoformat(),
            "updated_at": f.updated_at.isoformat(),
            "sla_status": f.sla_status,
            "subject": f.subject,
            "description": f.description,
        }
    body = {"t": doc.tenant_id, "id": doc.ticket_id, "f": fields, "r": list(doc.replies.items())}
    return json.dumps(body, separators=(",", ":")).encode()


def _from_state(raw: bytes) -> SearchDoc:
    body = json.loads(raw)
    f = body["f"]
    fields = None
    if f is not None:
        fields = TicketFields(
            **{k: v for k, v in f.items() if k not in ("created_at", "updated_at")},
            created_at=datetime.fromisoformat(f["created_at"]),
            updated_at=datetime.fromisoformat(f["updated_at"]),
        )
    return SearchDoc(body["t"], body["id"], fields, dict((k, v) for k, v in body["r"]))


def _document(doc: SearchDoc) -> tantivy.Document:
    d = tantivy.Document()
    d.add_text("key", doc.key)
    d.add_text("tenant", doc.tenant_id)
    d.add_text("ticket_id", doc.ticket_id)
    d.add_integer("version", doc.version)
    f = doc.fields
    if f is not None:
        d.add_text("client", f.client_id)
        d.add_text("status", f.status)
        d.add_text("priority", f.priority)
        d.add_text("channel", f.channel)
        d.add_text("sla_status", f.sla_status)
        if f.assignee_id:
            d.add_text("assignee", f.assignee_id)
        d.add_integer("created", _micros(f.created_at))
        d.add_integer("updated", _micros(f.updated_at))
        d.add_text("subject", f.subject)
        d.add_text("description", f.description)
    else:  # only replies known so far: invisible to every filter, found only by staff via text
        d.add_integer("updated", 0)
    for body in doc.replies.values():
        d.add_text("replies", body)
    d.add_bytes("state", _state(doc))
    return d


class _Session:
    """One writer over one generation: loads documents, merges updates, writes them at flush."""

    def __init__(self, index: tantivy.Index, writer: Any, schema: tantivy.Schema) -> None:
        self.index, self.writer, self.schema = index, writer, schema
        self.searcher = index.searcher()
        self.docs: dict[str, SearchDoc | None] = {}
        self.dirty: set[str] = set()
        self.changed = 0
        self.removed = 0

    def load(self, key: str) -> SearchDoc | None:
        if key not in self.docs:
            hits = self.searcher.search(Query.term_query(self.schema, "key", key), limit=1, count=False).hits
            self.docs[key] = (
                _from_state(self.searcher.doc(hits[0][1]).get_first("state") or b"") if hits else None
            )
        return self.docs[key]

    def apply(self, update: SearchUpdate) -> None:
        doc, changed = merge(self.load(update.key), update)
        if changed:
            self.docs[update.key] = doc
            self.dirty.add(update.key)

    def remove(self, tenant_id: str, ticket_id: str, version: int) -> None:
        key = doc_key(tenant_id, ticket_id)
        if deletes(self.load(key), version):
            self.writer.delete_documents_by_term("key", key)
            self.docs[key] = None
            self.dirty.discard(key)
            self.removed += 1

    def flush(self) -> None:
        for key in sorted(self.dirty):
            doc = self.docs[key]
            assert doc is not None
            self.writer.delete_documents_by_term("key", key)  # the older copy, if any
            self.writer.add_document(_document(doc))
        self.changed += len(self.dirty)
        self.dirty.clear()


class TantivySearchIndex:
    def __init__(
        self,
        root: Path,
        *,
        writer_heap: int = 64_000_000,
        writer_threads: int = 1,
        lock_timeout: float = 30.0,
    ) -> None:
        self.root = root
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads
        self.lock_timeout = lock_timeout
        self.schema = build_schema()
        self._analyzer = build_analyzer()
        self._indexes: dict[str, tantivy.Index] = {}
        self._lock = threading.RLock()

    # -- files ---------------------------------------------------------------------------------
    def _read(self, name: str) -> str | None:
        return read_pointer(self.root / name)

    def _write_pointer(self, name: str, value: str) -> None:
        write_pointer(self.root / name, value)

    def _ours(self, generation: str | None) -> bool:
        return is_generation(generation, SCHEMA_VERSION)

    def _open(self, generation: str, create: bool = False) -> tantivy.Index:
        index = self._indexes.get(generation)
        if index is None:
            index = open_index(self.root / generation, self.schema, ANALYZER, self._analyzer, create)
            self._indexes[generation] = index
        return index

    def _new_generation(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        name = new_generation_name(SCHEMA_VERSION)
        self._open(name, create=True)
        return name

    def current_generation(self) -> str | None:
        return self._read("CURRENT")

    # -- reading -------------------------------------------------------------------------------
    def _reader(self) -> tantivy.Index | None:
        generation = self._read("CURRENT")
        if not self._ours(generation) or not (self.root / str(generation)).is_dir():
            return None  # nothing indexed yet (or an index of another schema: run `regentra reindex`)
        assert generation is not None
        for stale in [g for g in self._indexes if g != generation]:
            del self._indexes[stale]
        index = self._open(generation)
        index.reload()  # see the last commit
        return index

    def search(
        self, query: SearchQuery, scope: SearchScope, *, offset: int, limit: int, window: int
    ) -> SearchPage:
        try:
            return self._search(query, scope, offset=offset, limit=limit, window=window)
        except (OSError, ValueError):
            # On EFS, the writer's merge may have removed segment files this reader had open
            # (stale handle): reopen the live generation once and ask again.
            with self._lock:
                self._indexes.clear()
            return self._search(query, scope, offset=offset, limit=limit, window=window)

    def _search(
        self, query: SearchQuery, scope: SearchScope, *, offset: int, limit: int, window: int
    ) -> SearchPage:
        with self._lock:
            index = self._reader()
            if index is None:
                return SearchPage([], 0, 0)
            searcher = index.searcher()
            result = searcher.search(self._query(query, scope), limit=window, count=True)
            scored = result.hits
            addresses = [address for _, address in scored]
            updated = searcher.fast_field_values("updated", addresses) if addresses else []
            # Relevance, then recency (last activity), then a stable tie-break.
            order = sorted(
                range(len(scored)),
                key=lambda i: (-scored[i][0], -(updated[i] or 0), addresses[i].segment_ord, addresses[i].doc),
            )
            hits = [
                SearchHit(str(searcher.doc(addresses[i]).get_first("ticket_id")), float(scored[i][0]))
                for i in order[offset : offset + limit]
            ]
            return SearchPage(hits, len(scored), int(getattr(result, "count", 0) or 0))

    def _query(self, query: SearchQuery, scope: SearchScope) -> Query:
        s = self.schema
        filters = [Query.term_query(s, "tenant", scope.tenant_id)]  # tenant scoping inside the query
        if scope.client_id is not None:
            filters.append(Query.term_query(s, "client", scope.client_id))
        if scope.statuses:
            filters.append(Query.term_set_query(s, "status", list(scope.statuses)))
        for field, value in (
            ("priority", scope.priority),
            ("assignee", scope.assignee_id),
            ("channel", scope.channel),
        ):
            if value is not None:
                filters.append(Query.term_query(s, field, value))
        if scope.sla_statuses:
            filters.append(Query.term_set_query(s, "sla_status", list(scope.sla_statuses)))
        if scope.created_from is not None or scope.created_to is not None:
            filters.append(
                Query.range_query(
                    s,
                    "created",
                    tantivy.FieldType.Integer,
                    _micros(scope.created_from) if scope.created_from else None,
                    _micros(scope.created_to) if scope.created_to else None,
                )
            )
        parts = [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        parts += [(Occur.Must, self._clause(c)) for c in query.clauses]
        return Query.boolean_query(parts)

    def _clause(self, clause: Clause) -> Query:
        """A clause matches in any text field; each field's match adds its boosted score."""
        toks = self._analyzer.analyze(" ".join(clause.tokens))
        if not toks:
            return Query.empty_query()
        s = self.schema
        per_field = []
        for field, boost in TEXT_FIELDS.items():
            if clause.kind == "prefix":
                q = (
                    Query.fuzzy_term_query(s, field, toks[0], distance=0, prefix=True)
                    if len(toks) == 1
                    else Query.phrase_prefix_query(s, field, list[str | tuple[int, str]](toks))
                )
            elif len(toks) > 1:
                q = Query.phrase_query(s, field, list[str | tuple[int, str]](toks))
            elif clause.fuzzy:
                q = Query.boolean_query(
                    [
                        (
                            Occur.Should,
                            Query.boost_query(Query.term_query(s, field, toks[0]), EXACT_OVER_FUZZY),
                        ),
                        (Occur.Should, Query.fuzzy_term_query(s, field, toks[0], distance=1)),
                    ]
                )
            else:
                q = Query.term_query(s, field, toks[0])
            per_field.append((Occur.Should, Query.boost_query(q, boost)))
        return Query.boolean_query(per_field)

    # -- writing -------------------------------------------------------------------------------
    def _acquire(self, index: tantivy.Index, heap: int, threads: int) -> Any:
        return acquire_writer(index, heap, threads, self.lock_timeout)

    def _live_generation(self) -> str:
        generation = self._read("CURRENT")
        if self._ours(generation) and (self.root / str(generation)).is_dir():
            assert generation is not None
            return generation
        # First write ever (or a schema change): start a generation. History comes back with
        # `regentra reindex`.
        fresh = self._new_generation()
        self._write_pointer("CURRENT", fresh)
        return fresh

    @contextmanager
    def _session(
        self,
        keys: Sequence[str],
        generation: str | None = None,
        heap: int | None = None,
        threads: int | None = None,
    ) -> Iterator[_Session]:
        with self._lock:
            if generation is None:
                # Read BUILDING before CURRENT and journal first: a rebuild that switches CURRENT
                # after this point finds these keys in its journal (see rebuild()).
                self.root.mkdir(parents=True, exist_ok=True)
                building = self._read("BUILDING")
                generation = self._live_generation()
                if building and building != generation and keys:
                    with (self.root / f"journal-{building}.log").open("a") as fh:
                        fh.write("".join(f"{k}\n" for k in keys))
            index = self._open(generation)
            writer = self._acquire(index, heap or self.writer_heap, threads or self.writer_threads)
            index.reload()
            session = _Session(index, writer, self.schema)
            try:
                yield session
                session.flush()
                writer.commit()
                writer.wait_merging_threads()  # consumes the writer; merges finish before we return
            except BaseException:
                with contextlib.suppress(Exception):  # consumed or failed: dropping it releases the lock
                    writer.rollback()
                raise
            finally:
                session.writer = None
                del writer, session  # drops the writer: the lock is released now, not at exit

    def upsert(self, updates: Sequence[SearchUpdate]) -> int:
        if not updates:
            return 0
        with self._session([u.key for u in updates]) as session:
            for update in updates:
                session.apply(update)
            session.flush()
            return session.changed

    def delete(self, removals: Sequence[tuple[str, str, int]]) -> int:
        if not removals:
            return 0
        with self._session([doc_key(t, i) for t, i, _ in removals]) as session:
            for tenant_id, ticket_id, version in removals:
                session.remove(tenant_id, ticket_id, version)
            return session.removed

    def document(self, tenant_id: str, ticket_id: str) -> SearchDoc | None:
        """What the index holds for one ticket (operators, tests)."""
        with self._lock:
            index = self._reader()
            if index is None:
                return None
            searcher = index.searcher()
            key = doc_key(tenant_id, ticket_id)
            hits = searcher.search(Query.term_query(self.schema, "key", key), limit=1, count=False).hits
            return _from_state(searcher.doc(hits[0][1]).get_first("state") or b"") if hits else None

    def put_document(self, doc: SearchDoc) -> None:
        """Overwrite one document as is, bypassing the merge rules: only for simulating a stale or
        wrong index in tests and drills."""
        with self._session([doc.key]) as session:
            session.writer.delete_documents_by_term("key", doc.key)
            session.writer.add_document(_document(doc))

    # -- rebuilding ----------------------------------------------------------------------------
    def rebuild(
        self,
        updates: Iterable[SearchUpdate],
        catch_up: Callable[[list[tuple[str, str]]], Iterable[SearchUpdate]],
        *,
        chunk: int = 20_000,
        heap: int = 256_000_000,
        threads: int = 2,
        grace_seconds: float = 1.0,
    ) -> RebuildReport:
        """Build a new generation from `updates` while the live one keeps serving, switch CURRENT
        to it, then re-read the tickets the live writer touched meanwhile (it journals them while
        BUILDING names the new generation). Older generations but the previous one are deleted."""
        started = time.monotonic()
        generation = self._new_generation()
        self._write_pointer("BUILDING", generation)
        previous = self._read("CURRENT")
        try:
            batch: list[SearchUpdate] = []
            for update in updates:
                batch.append(update)
                if len(batch) >= chunk:
                    self._apply_to(generation, batch, heap, threads)
                    batch = []
            self._apply_to(generation, batch, heap, threads)
            self._write_pointer("CURRENT", generation)
        finally:
            (self.root / "BUILDING").unlink(missing_ok=True)
        journal = self.root / f"journal-{generation}.log"
        seen: set[str] = set()
        while True:
            time.sleep(grace_seconds)  # a writer that saw BUILDING an instant ago has journaled by now
            keys = set(journal.read_text().split()) if journal.exists() else set()
            fresh = sorted(keys - seen)
            if not fresh:
                break
            seen.update(fresh)
            pairs = [(k.split("#", 1)[0], k.split("#", 1)[1]) for k in fresh]
            with self._session(fresh) as session:
                for update in catch_up(pairs):
                    session.apply(update)
        journal.unlink(missing_ok=True)
        index = self._open(generation)
        index.reload()
        documents = int(index.searcher().num_docs)
        self._collect(keep={generation, previous or ""})
        return RebuildReport(generation, documents, len(seen), time.monotonic() - started)

    def _apply_to(self, generation: str, updates: list[SearchUpdate], heap: int, threads: int) -> None:
        if not updates:
            return
        with self._session([], generation=generation, heap=heap, threads=threads) as session:
            for update in updates:
                session.apply(update)

    def _collect(self, keep: set[str]) -> None:
        drop_generations(self.root, keep, lambda path: self._indexes.pop(path.name, None))

    def size_bytes(self) -> int:
        generation = self._read("CURRENT")
        path = self.root / str(generation)
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if generation else 0


_instances: PerFolder[TantivySearchIndex] = PerFolder(TantivySearchIndex)


def open_search_index(root: Path | None = None) -> TantivySearchIndex:
    """One instance per folder per process (readers keep their opened index between requests)."""
    return _instances.get(root or search_index_root())
