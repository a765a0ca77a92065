"""Full-text search rules (pure): the query language, the per-ticket search document and how
stream updates merge into it, and which index-time SLA statuses can still match a filter.

Query language (every clause must match; there are no operators):

    vpn crash          words; each must appear in the subject, the description or a public reply
    "restart the vpn"  a phrase: these words, adjacent, in this order
    vpn*               a prefix (at least 2 characters before the star, star only at the end)
    outlok             a word of 5+ letters also matches words one edit away (typo tolerance)

Words are split on anything that is not a letter or a digit and lowercased, as the index does
("e-mail" is the phrase "e mail"). Bad syntax raises ValidationFailed (a 400, never a 500).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from regentra.domain.enums import SlaStatus
from regentra.errors import ValidationFailed

MAX_QUERY_CHARS = 200
MAX_CLAUSES = 12
MAX_TOKEN_CHARS = 40  # the index drops longer tokens, so a longer word could never match
MIN_PREFIX_CHARS = 2
FUZZY_MIN_LETTERS = 5

ClauseKind = Literal["word", "phrase", "prefix"]


@dataclass(frozen=True)
class Clause:
    """One thing that must match. `prefix` with several tokens is a phrase whose last word is a
    prefix ("wi-fi*" -> "wi" followed by a word starting with "fi")."""

    kind: ClauseKind
    tokens: tuple[str, ...]

    @property
    def fuzzy(self) -> bool:
        """Typo tolerance (one edit) for plain words of FUZZY_MIN_LETTERS+ letters; never for
        numbers or mixed tokens (ticket numbers, error codes, versions stay exact)."""
        token = self.tokens[0]
        return self.kind == "word" and token.isalpha() and len(token) >= FUZZY_MIN_LETTERS


@dataclass(frozen=True)
class SearchQuery:
    clauses: tuple[Clause, ...]

    @property
    def canonical(self) -> str:
        """One spelling per meaning (bound into cursors)."""
        out = []
        for c in self.clauses:
            text = " ".join(c.tokens)
            out.append(f'"{text}"' if c.kind == "phrase" else f"{text}*" if c.kind == "prefix" else text)
        return " ".join(out)


def _bad(message: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": "q", "issue": message}])


def tokens(text: str) -> list[str]:
    """Lowercased runs of letters and digits (the index's tokenizer splits the same way)."""
    out: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalnum():
            current.append(ch)
        elif current:
            out.append("".join(current).lower())
            current = []
    if current:
        out.append("".join(current).lower())
    return out


def _checked(toks: list[str]) -> tuple[str, ...]:
    for t in toks:
        if len(t) > MAX_TOKEN_CHARS:
            raise _bad(f"Words longer than {MAX_TOKEN_CHARS} characters cannot be searched.")
    return tuple(toks)


def _word(raw: str) -> Clause | None:
    if "*" in raw:
        if raw.count("*") > 1 or not raw.endswith("*"):
            raise _bad("'*' is allowed only once, at the end of a word (vpn*).")
        toks = _checked(tokens(raw[:-1]))
        if not toks or len(toks[-1]) < MIN_PREFIX_CHARS or not raw[:-1][-1:].isalnum():
            raise _bad(f"A prefix needs at least {MIN_PREFIX_CHARS} letters or digits before '*'.")
        return Clause("prefix", toks)
    toks = _checked(tokens(raw))
    if not toks:
        return None  # punctuation alone ("-", "&") matches nothing and narrows nothing
    return Clause("word", toks) if len(toks) == 1 else Clause("phrase", toks)


def parse_query(q: str) -> SearchQuery:
    """Parse the `q` parameter. Raises ValidationFailed on bad syntax."""
    if len(q) > MAX_QUERY_CHARS:
        raise _bad(f"The query is longer than {MAX_QUERY_CHARS} characters.")
    clauses: list[Clause] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace() or not ch.isprintable():
            i += 1
            continue
        if ch == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise _bad('A quoted phrase is not closed (missing ").')
            toks = _checked(tokens(q[i + 1 : end]))
            if not toks:
                raise _bad("A quoted phrase is empty.")
            if end + 1 < n and q[end + 1] == "*":
                raise _bad("'*' cannot follow a quoted phrase.")
            clauses.append(Clause("phrase", toks))  # quoted: exact, even a single word
            i = end + 1
            continue
        j = i
        while j < n and not q[j].isspace() and q[j] != '"' and q[j].isprintable():
            j += 1
        clause = _word(q[i:j])
        if clause is not None:
            clauses.append(clause)
        i = j
    unique = tuple(dict.fromkeys(clauses))
    if not unique:
        raise _bad("Nothing to search for: give at least one word.")
    if len(unique) > MAX_CLAUSES:
        raise _bad(f"At most {MAX_CLAUSES} words or phrases per query.")
    return SearchQuery(unique)


# --- SLA: what an index-time status can have become by now -------------------------------------

NO_SLA = "NONE"

# Without a write, time only moves a ticket's SLA forward: ON_TRACK -> AT_RISK -> BREACHED.
# Stopped timers (MET) and breaches never change by themselves; paused timers do not move.
# Every other change is a write, which the stream re-indexes.
_REACHABLE_FROM: dict[str, set[SlaStatus]] = {
    SlaStatus.ON_TRACK: {SlaStatus.ON_TRACK, SlaStatus.AT_RISK, SlaStatus.BREACHED},
    SlaStatus.AT_RISK: {SlaStatus.AT_RISK, SlaStatus.BREACHED},
    SlaStatus.BREACHED: {SlaStatus.BREACHED},
    SlaStatus.MET: {SlaStatus.MET},
}


def sla_index_candidates(wanted: Iterable[SlaStatus]) -> tuple[str, ...]:
    """The index-time SLA statuses whose tickets may have any `wanted` status now. The index
    narrows with these; the live status (computed at request time) decides."""
    want = set(wanted)
    return tuple(sorted(str(s) for s, reach in _REACHABLE_FROM.items() if reach & want))


# --- the search document of one ticket -----------------------------------------------------------


@dataclass(frozen=True)
class TicketFields:
    """The ticket's side of its search document, as of one ticket `version`."""

    version: int
    client_id: str
    status: str
    priority: str
    channel: str
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    sla_status: str  # at index time; a hint for narrowing, never the answer
    subject: str
    description: str


@dataclass(frozen=True)
class SearchDoc:
    """Everything the index holds for one ticket: its fields (None while only replies are known,
    e.g. a reply record delivered before its ticket's) and its public replies by id."""

    tenant_id: str
    ticket_id: str
    fields: TicketFields | None = None
    replies: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return doc_key(self.tenant_id, self.ticket_id)

    @property
    def version(self) -> int:
        return self.fields.version if self.fields else 0


def doc_key(tenant_id: str, ticket_id: str) -> str:
    return f"{tenant_id}#{ticket_id}"


@dataclass(frozen=True)
class SearchUpdate:
    """What one or more stream records (or a table read) say about a ticket."""

    tenant_id: str
    ticket_id: str
    fields: TicketFields | None = None
    replies: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return doc_key(self.tenant_id, self.ticket_id)


def merge(doc: SearchDoc | None, update: SearchUpdate) -> tuple[SearchDoc, bool]:
    """Apply an update; returns the document and whether it changed. Idempotent and ordered:
    ticket fields are taken only from a strictly newer version (an old or repeated stream
    record changes nothing); replies are kept by id (a reply is added once, never removed)."""
    doc = doc or SearchDoc(update.tenant_id, update.ticket_id)
    changed = False
    fields = doc.fields
    if update.fields is not None and (fields is None or update.fields.version > fields.version):
        fields, changed = update.fields, True
    new_replies = {rid: body for rid, body in update.replies.items() if rid not in doc.replies}
    replies: Mapping[str, str] = doc.replies
    if new_replies:
        replies, changed = dict(sorted({**doc.replies, **new_replies}.items())), True
    return (replace(doc, fields=fields, replies=replies), True) if changed else (doc, False)


def deletes(doc: SearchDoc | None, version: int) -> bool:
    """Whether a ticket removal at `version` removes this document (never a newer one)."""
    return doc is not None and doc.version <= version


# --- what the table stream says ------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRemoved:
    tenant_id: str
    ticket_id: str
    version: int


@dataclass(frozen=True)
class ReplyAdded:
    tenant_id: str
    ticket_id: str
    reply_id: str
    body: str
