"""The file plumbing the tantivy indexes share (tickets: search_index.py, KB: kb_index.py).

An index folder holds generations (`v<schema>-<UTC time>-<random>` folders) and a CURRENT file
naming the live one. A rebuild writes a new generation beside the live one and then switches
CURRENT atomically; generations no longer named are removed. One writer at a time per
generation: tantivy's writer lock, waited for with a backoff up to a timeout.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import tantivy

__all__ = [
    "SearchIndexBusy",
    "acquire_writer",
    "drop_generations",
    "is_generation",
    "new_generation_name",
    "open_index",
    "read_pointer",
    "write_pointer",
]


class SearchIndexBusy(RuntimeError):
    """Another writer holds the index (a stream batch is retried; reindex waits)."""


def read_pointer(path: Path) -> str | None:
    """A pointer file's value (CURRENT, TENANT), or None if it is missing or empty."""
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def write_pointer(path: Path, value: str) -> None:
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(value)
    os.replace(tmp, path)  # atomic: a reader sees the old value or the new one


def new_generation_name(schema_version: int) -> str:
    return f"v{schema_version}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


def is_generation(name: str | None, schema_version: int) -> bool:
    """Is `name` a generation of this schema version (not an older or newer schema's)?"""
    return bool(name) and str(name).startswith(f"v{schema_version}-")


def open_index(
    path: Path,
    schema: tantivy.Schema,
    analyzer_name: str,
    analyzer: tantivy.TextAnalyzer,
    create: bool = False,
) -> tantivy.Index:
    """Open (or create) the index at `path`, with the analyzer registered and manual reloads."""
    if create:
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(schema, path=str(path), reuse=True)
    else:
        index = tantivy.Index.open(str(path))
    index.register_tokenizer(analyzer_name, analyzer)
    index.config_reader(reload_policy="Manual")
    return index


def acquire_writer(index: tantivy.Index, heap: int, threads: int, timeout: float) -> Any:
    """The index's writer, waiting (with backoff) while another holds the lock; SearchIndexBusy
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        try:
            return index.writer(heap_size=heap, num_threads=threads)
        except ValueError as exc:
            if "LockBusy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise SearchIndexBusy(str(exc)) from exc
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def drop_generations(folder: Path, keep: set[str], forget: Callable[[Path], object]) -> None:
    """Remove the generation folders of `folder` not in `keep`; `forget` each first (caches)."""
    for path in folder.iterdir():
        if path.is_dir() and path.name.startswith("v") and path.name not in keep:
            forget(path)
            shutil.rmtree(path, ignore_errors=True)


IndexT = TypeVar("IndexT")


class PerFolder(Generic[IndexT]):
    """One index object per folder per process: readers keep their opened index (and, for the KB,
    its vectors) between requests."""

    def __init__(self, make: Callable[[Path], IndexT]) -> None:
        self._make = make
        self._made: dict[Path, IndexT] = {}
        self._lock = threading.Lock()

    def get(self, root: Path) -> IndexT:
        path = root.resolve()
        with self._lock:
            if path not in self._made:
                self._made[path] = self._make(path)
            return self._made[path]
