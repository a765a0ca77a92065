"""Search: the tantivy index (regentra/adapters/search_index.py) beside SQLite FTS5 (stdlib
sqlite3) on the same generated corpus, in the same run.

Corpus: TICKETS tickets (default 100,000) over TENANTS tenants (20 clients each), each with a
subject, a description and 0-6 public replies (about 2.5 on average), written from an IT-support
vocabulary with a Zipf-like word frequency, a few error codes and product names. Deterministic
(--seed).

Measured:
  build       every ticket with its replies, once: tantivy through `TantivySearchIndex.rebuild`
              (what `regentra reindex` runs: merge rules, stored state, commits per chunk of
              20,000), and FTS5 as INSERTs into a table + an FTS5 table in one transaction.
              Documents per second, and the size on disk afterwards.
  stream      UPDATES ticket changes (a new version or a new reply) applied the way the indexer
              applies a stream batch: `upsert()` of BATCH updates = open writer, load + merge each
              document, one commit, wait for merges. FTS5: DELETE + INSERT per ticket, one
              COMMIT per batch. Then single-update batches (batch size 1), to show the per-commit
              floor a trickle of writes pays.
  queries     QUERIES per kind after a warm-up, tenant-scoped, first page of 25 by relevance then
              recency, engines alternating query by query:
                1-word    one word from a random ticket of that tenant
                3-word    three words from one ticket (all must match)
                phrase    2-3 adjacent words of one ticket, quoted
                filtered  one word + status (2 of 6) + priority
              tantivy through `TantivySearchIndex.search` (the API's path without DynamoDB
              hydration: window of 1000 hits ranked, sorted in Python, page of 25 loaded); words of
              5+ letters carry typo tolerance (a fuzzy term, distance 1) as in the API. FTS5 has no
              typo tolerance, so tantivy is also run "exact" (every word quoted, no fuzzy) for the
              word kinds. FTS5: MATCH + JOIN on the ticket row for tenant/filters, ORDER BY
              bm25(3, 1.5, 1) then updated DESC, LIMIT 25.

Nothing here passes or fails; read the figures (and the machine line above them).

    .venv/bin/python bench/search.py [--tickets 100000] [--tenants 50] [--queries 300]
                                     [--updates 10000] [--batch 500] [--seed 8]
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import header, load_average, percentile, table  # noqa: E402

from regentra.adapters.search_index import TantivySearchIndex  # noqa: E402
from regentra.domain.search import SearchUpdate, TicketFields, parse_query, tokens  # noqa: E402
from regentra.services.ports import SearchScope  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED"]
STATUS_WEIGHTS = [10, 8, 4, 2, 20, 56]
PRIORITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
CHANNELS = ["MANUAL", "EMAIL", "PORTAL", "CHAT", "SMS"]


def _words(text: str) -> list[str]:
    return text.split()


DOMAIN = _words("""
vpn outlook printer laptop password reset account mailbox email server network wifi router firewall
backup restore disk drive update windows macos office teams sharepoint onedrive license install
uninstall driver monitor keyboard mouse dock usb bluetooth phone mobile iphone android sync calendar
meeting invite folder permission access denied login locked expired certificate browser chrome edge
firefox slow crash freeze error screen blue boot startup shutdown battery charger cable port switch
domain dns dhcp address internet connection dropped timeout latency bandwidth storage quota full
space archive delete recover file share drive mapped scanner toner paper jam tray queue spooler
remote desktop session citrix terminal virtual machine hypervisor cluster database sql query report
invoice billing portal website hosting ssl renewal expiry antivirus malware phishing suspicious
attachment spam quarantine filter rule policy group user onboarding offboarding starter leaver
hardware software upgrade migration tenant azure entra intune device enrollment compliance mfa
authenticator token code otp sms verification camera microphone audio headset speaker volume
projector display resolution graphics card memory cpu fan overheating noise warranty replacement
repair ticket request incident outage degraded intermittent recurring urgent critical workaround
configuration settings profile registry service process task schedule script automation alert
monitoring agent patch vulnerability security audit log event warning notification reboot restart
reinstall reconfigure credentials keychain vault encryption bitlocker recovery key adapter ethernet
gateway proxy latency packet loss jitter voip handset extension voicemail fax copier plotter label
""")
COMMON = _words("""
the a to and of is in it for on with not we you this that be are was can please have has after
when from our your all but cannot since now again still just today morning also need any there
""")
CODES = ["0x80070005", "809", "0x800ccc0e", "404", "500", "1603", "0xc000021a", "5.7.1", "691", "13801"]


@dataclass
class Doc:
    tenant: str
    tid: str
    client: str
    status: str
    priority: str
    channel: str
    created: datetime
    updated: datetime
    subject: str
    description: str
    replies: dict[str, str]

    def text(self) -> str:
        return " ".join([self.subject, self.description, *self.replies.values()])


class Corpus:
    def __init__(self, n: int, tenants: int, seed: int) -> None:
        rnd = random.Random(seed)
        vocab = DOMAIN + COMMON
        # Zipf-like: the k-th word of a shuffled vocabulary is drawn with weight 1/(k+1).
        order = vocab[:]
        rnd.shuffle(order)
        weights = [1 / (k + 1) ** 0.9 for k in range(len(order))]
        cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            cum.append(total)

        def words(k: int) -> list[str]:
            out = rnd.choices(order, cum_weights=cum, k=k)
            return [rnd.choice(CODES) if rnd.random() < 0.02 else w for w in out]

        def sentence(a: int, b: int) -> str:
            return " ".join(words(rnd.randint(a, b))).capitalize() + "."

        self.docs: list[Doc] = []
        for i in range(n):
            tenant = f"t{i % tenants:03d}"
            created = T0 + timedelta(minutes=i * 3)
            replies = {
                f"r{j:02d}": " ".join(sentence(6, 16) for _ in range(rnd.randint(1, 3)))
                for j in range(rnd.choices(range(7), weights=[15, 20, 20, 17, 13, 9, 6])[0])
            }
            self.docs.append(
                Doc(
                    tenant=tenant,
                    tid=f"tk{i:07d}",
                    client=f"c{rnd.randrange(20):02d}",
                    status=rnd.choices(STATUSES, weights=STATUS_WEIGHTS)[0],
                    priority=rnd.choices(PRIORITIES, weights=[30, 45, 20, 5])[0],
                    channel=rnd.choice(CHANNELS),
                    created=created,
                    updated=created + timedelta(minutes=rnd.randrange(1, 60 * 24 * 7)),
                    subject=sentence(4, 8).rstrip("."),
                    description=" ".join(sentence(8, 20) for _ in range(rnd.randint(1, 3))),
                    replies=replies,
                )
            )
        self.rnd = rnd

    def update(self, d: Doc, version: int) -> SearchUpdate:
        return SearchUpdate(
            d.tenant,
            d.tid,
            fields=TicketFields(
                version=version,
                client_id=d.client,
                status=d.status,
                priority=d.priority,
                channel=d.channel,
                assignee_id=None,
                created_at=d.created,
                updated_at=d.updated,
                sla_status="MET" if d.status in ("RESOLVED", "CLOSED") else "ON_TRACK",
                subject=d.subject,
                description=d.description,
            ),
            replies=d.replies,
        )


# --- SQLite FTS5 -------------------------------------------------------------------------------


def fts_open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, tenant TEXT, tid TEXT, client TEXT,"
        " status TEXT, priority TEXT, channel TEXT, created INTEGER, updated INTEGER, version INTEGER)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS by_tid ON tickets(tenant, tid)")
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(tenant, subject, description, replies,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    return db


def fts_row(rowid: int, d: Doc, version: int) -> tuple[tuple[object, ...], tuple[object, ...]]:
    return (
        (rowid, d.tenant, d.tid, d.client, d.status, d.priority, d.channel,
         int(d.created.timestamp()), int(d.updated.timestamp()), version),
        (rowid, d.tenant, d.subject, d.description, "\n".join(d.replies.values())),
    )  # fmt: skip


def fts_write(db: sqlite3.Connection, rows: list[tuple[int, Doc, int]]) -> None:
    db.execute("BEGIN")
    for rowid, d, version in rows:
        t, f = fts_row(rowid, d, version)
        db.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        db.execute("INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?)", t)
        db.execute("INSERT INTO fts(rowid, tenant, subject, description, replies) VALUES (?,?,?,?,?)", f)
    db.execute("COMMIT")


def fts_bulk(db: sqlite3.Connection, docs: list[Doc]) -> None:
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?)",
        (fts_row(i + 1, d, 1)[0] for i, d in enumerate(docs)),
    )
    db.executemany(
        "INSERT INTO fts(rowid, tenant, subject, description, replies) VALUES (?,?,?,?,?)",
        (fts_row(i + 1, d, 1)[1] for i, d in enumerate(docs)),
    )
    db.execute("COMMIT")


def fts_match(q: str) -> str:
    """The same query in FTS5 syntax: quoted words (implicit AND), "phrases", prefix*."""
    out = []
    for c in parse_query(q).clauses:
        if c.kind == "prefix":
            out.append('"' + " ".join(c.tokens) + '"*')
        else:
            out.append('"' + " ".join(c.tokens) + '"')
    return " AND ".join(out)


def fts_search(db: sqlite3.Connection, q: str, tenant: str, statuses: tuple[str, ...], priority: str | None):
    """Tenant scoping inside the MATCH (an indexed `tenant` column), as tantivy scopes inside its
    query; status/priority from the joined row; bm25 weights 0 (tenant), 3, 1.5, 1."""
    sql = "SELECT t.tid FROM fts JOIN tickets t ON t.id = fts.rowid WHERE fts MATCH ?"
    args: list[object] = [f'tenant : "{tenant}" AND {fts_match(q)}']
    if statuses:
        sql += f" AND t.status IN ({','.join('?' * len(statuses))})"
        args += list(statuses)
    if priority:
        sql += " AND t.priority = ?"
        args.append(priority)
    sql += " ORDER BY bm25(fts, 0.0, 3.0, 1.5, 1.0), t.updated DESC LIMIT 25"
    return [r[0] for r in db.execute(sql, args)]


# --- measuring ---------------------------------------------------------------------------------


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mib(n: float) -> str:
    return f"{n / 1024 / 1024:.1f}"


@dataclass
class QuerySpec:
    kind: str
    q: str
    tenant: str
    statuses: tuple[str, ...] = ()
    priority: str | None = None


def make_queries(corpus: Corpus, n: int) -> list[QuerySpec]:
    rnd = random.Random(99)
    out: list[QuerySpec] = []

    def words_of(d: Doc) -> list[str]:
        return [w for w in tokens(d.text()) if len(w) >= 3 and w not in COMMON]

    for kind in ("1-word", "3-word", "phrase", "filtered"):
        made = 0
        while made < n:
            d = rnd.choice(corpus.docs)
            ws = words_of(d)
            if len(ws) < 3:
                continue
            if kind == "1-word":
                spec = QuerySpec(kind, rnd.choice(ws), d.tenant)
            elif kind == "3-word":
                spec = QuerySpec(kind, " ".join(rnd.sample(ws, 3)), d.tenant)
            elif kind == "phrase":
                text = tokens(rnd.choice([d.subject, d.description, *d.replies.values()]))
                if len(text) < 3:
                    continue
                k = rnd.choice([2, 3])
                i = rnd.randrange(0, len(text) - k + 1)
                spec = QuerySpec(kind, '"' + " ".join(text[i : i + k]) + '"', d.tenant)
            else:
                other = rnd.choice([s for s in STATUSES if s != d.status])
                spec = QuerySpec(kind, rnd.choice(ws), d.tenant, (d.status, other), d.priority)
            out.append(spec)
            made += 1
    return out


def exact(q: str) -> str:
    """Every word quoted: the same matches without typo tolerance."""
    return " ".join(
        (" ".join(c.tokens) + "*") if c.kind == "prefix" else '"' + " ".join(c.tokens) + '"'
        for c in parse_query(q).clauses
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--tenants", type=int, default=50)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--updates", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--singles", type=int, default=50)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    print(header("bench/search.py: tantivy (regentra's adapter) beside SQLite FTS5"))
    print(f"sqlite {sqlite3.sqlite_version}, tantivy {_tantivy_version()}")
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="regentra-search-bench-"))
    try:
        t = time.perf_counter()
        corpus = Corpus(args.tickets, args.tenants, args.seed)
        replies = sum(len(d.replies) for d in corpus.docs)
        text_bytes = sum(len(d.text().encode()) for d in corpus.docs)
        print(
            f"\ncorpus: {len(corpus.docs):,} tickets, {replies:,} replies"
            f" ({replies / len(corpus.docs):.2f} per ticket), {mib(text_bytes)} MiB of text,"
            f" {args.tenants} tenants; generated in"
            f" {time.perf_counter() - t:.1f} s"
        )
        updates = [corpus.update(d, 1) for d in corpus.docs]

        # build ------------------------------------------------------------------------------
        gc.collect()
        index = TantivySearchIndex(work / "tantivy", lock_timeout=60)
        t = time.perf_counter()
        report = index.rebuild(iter(updates), lambda pairs: iter(()), grace_seconds=0.0)
        tantivy_build = time.perf_counter() - t
        tantivy_size = dir_size(work / "tantivy" / report.generation)
        gc.collect()
        db = fts_open(work / "fts.db")
        t = time.perf_counter()
        fts_bulk(db, corpus.docs)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fts_build = time.perf_counter() - t
        fts_size = sum(p.stat().st_size for p in work.glob("fts.db*"))
        print("\nbuild (every ticket with its replies, once):")
        print(
            table(
                [
                    ["tantivy (rebuild)", f"{tantivy_build:.1f}", f"{len(updates) / tantivy_build:,.0f}",
                     mib(tantivy_size), f"{tantivy_size / text_bytes:.2f}"],
                    ["sqlite fts5", f"{fts_build:.1f}", f"{len(updates) / fts_build:,.0f}", mib(fts_size),
                     f"{fts_size / text_bytes:.2f}"],
                    ["ratio tantivy/fts5", f"{tantivy_build / fts_build:.2f}x",
                     f"{fts_build / tantivy_build:.2f}x", f"{tantivy_size / fts_size:.2f}x", ""],
                ],
                ["engine", "seconds", "docs/s", "size MiB", "size/text"],
            )
        )  # fmt: skip

        # stream -----------------------------------------------------------------------------
        rnd = random.Random(5)
        picks = [rnd.randrange(len(corpus.docs)) for _ in range(args.updates)]
        version = {i: 1 for i in set(picks)}
        batches: list[list[int]] = [picks[i : i + args.batch] for i in range(0, len(picks), args.batch)]
        changed: list[tuple[int, Doc, int]] = []
        for i in picks:
            d = corpus.docs[i]
            version[i] += 1
            if rnd.random() < 0.5:
                d.replies = {
                    **d.replies,
                    f"r{len(d.replies):02d}x{version[i]}": "Customer says the vpn still drops.",
                }
            else:
                d.status = rnd.choice(STATUSES)
            d.updated = d.updated + timedelta(minutes=5)
            changed.append((i + 1, d, version[i]))
        stream_updates = [corpus.update(d, v) for _, d, v in changed]
        t = time.perf_counter()
        pos = 0
        for b in batches:
            index.upsert(stream_updates[pos : pos + len(b)])
            pos += len(b)
        tantivy_stream = time.perf_counter() - t
        t = time.perf_counter()
        pos = 0
        for b in batches:
            fts_write(db, changed[pos : pos + len(b)])
            pos += len(b)
        fts_stream = time.perf_counter() - t
        single_t: list[float] = []
        single_f: list[float] = []
        for k in range(args.singles):
            rowid, d, v = changed[k]
            v += 100 + k
            t = time.perf_counter()
            index.upsert([corpus.update(d, v)])
            single_t.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            fts_write(db, [(rowid, d, v)])
            single_f.append((time.perf_counter() - t) * 1000)
        print(f"\nstream ({args.updates:,} ticket changes on the built index, batches of {args.batch}):")
        print(
            table(
                [
                    ["tantivy upsert()", f"{tantivy_stream:.1f}", f"{args.updates / tantivy_stream:,.0f}",
                     f"{tantivy_stream / len(batches) * 1000:.0f}", f"{percentile(single_t, 50):.1f}",
                     f"{percentile(single_t, 95):.1f}"],
                    ["sqlite fts5", f"{fts_stream:.1f}", f"{args.updates / fts_stream:,.0f}",
                     f"{fts_stream / len(batches) * 1000:.0f}", f"{percentile(single_f, 50):.1f}",
                     f"{percentile(single_f, 95):.1f}"],
                    ["ratio tantivy/fts5", f"{tantivy_stream / fts_stream:.2f}x", "", "",
                     f"{percentile(single_t, 50) / percentile(single_f, 50):.2f}x",
                     f"{percentile(single_t, 95) / percentile(single_f, 95):.2f}x"],
                ],
                ["engine", "seconds", "docs/s", "ms/batch", "1-doc p50 ms", "1-doc p95 ms"],
            )
        )  # fmt: skip
        tantivy_size2 = index.size_bytes()
        fts_size2 = sum(p.stat().st_size for p in work.glob("fts.db*"))
        print(
            f"size after the stream: tantivy {mib(tantivy_size2)} MiB,"
            f" fts5 {mib(fts_size2)} MiB (WAL included)"
        )

        # queries ----------------------------------------------------------------------------
        specs = make_queries(corpus, args.queries + args.warmup)
        kinds = ["1-word", "3-word", "phrase", "filtered"]
        engines: dict[str, Callable[[QuerySpec], list[str]]] = {
            "tantivy": lambda s: [
                h.ticket_id
                for h in index.search(
                    parse_query(s.q),
                    SearchScope(s.tenant, statuses=s.statuses, priority=s.priority),
                    offset=0,
                    limit=25,
                    window=1000,
                ).hits
            ],
            "tantivy exact": lambda s: [
                h.ticket_id
                for h in index.search(
                    parse_query(exact(s.q)),
                    SearchScope(s.tenant, statuses=s.statuses, priority=s.priority),
                    offset=0,
                    limit=25,
                    window=1000,
                ).hits
            ],
            "fts5": lambda s: fts_search(db, s.q, s.tenant, s.statuses, s.priority),
        }
        times: dict[tuple[str, str], list[float]] = {}
        hits: dict[tuple[str, str], list[int]] = {}
        for kind in kinds:
            ks = [s for s in specs if s.kind == kind]
            for n, spec in enumerate(ks):
                names = list(engines)
                if n % 2:
                    names.reverse()
                for name in names:
                    t = time.perf_counter()
                    found = engines[name](spec)
                    elapsed = (time.perf_counter() - t) * 1000
                    if n >= args.warmup:
                        times.setdefault((kind, name), []).append(elapsed)
                        hits.setdefault((kind, name), []).append(len(found))
        rows = []
        for kind in kinds:
            f50, f95 = percentile(times[(kind, "fts5")], 50), percentile(times[(kind, "fts5")], 95)
            for name in ("tantivy", "tantivy exact", "fts5"):
                if kind == "phrase" and name == "tantivy exact":
                    continue  # phrases are exact already
                p50, p95 = percentile(times[(kind, name)], 50), percentile(times[(kind, name)], 95)
                avg_hits = sum(hits[(kind, name)]) / len(hits[(kind, name)])
                rows.append([kind, name, f"{p50:.2f}", f"{p95:.2f}", f"{p50 / f50:.2f}x", f"{p95 / f95:.2f}x",
                             f"{avg_hits:.1f}"])  # fmt: skip
        print(f"\nqueries ({args.queries} per kind after {args.warmup} warm-up; first page of 25; ms):")
        print(
            table(
                rows,
                ["kind", "engine", "p50", "p95", "p50 vs fts5", "p95 vs fts5", "hits/page"],
                right={2, 3, 4, 5, 6},
            )
        )
        print(
            "\ntantivy = the API's query (typo tolerance on words of 5+ letters); tantivy exact = every word"
            " quoted (what FTS5 does)."
        )
        db.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load at end {load_average()}")


def _tantivy_version() -> str:
    try:
        from importlib.metadata import version

        return version("tantivy")
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    main()
