"""Search, filtered lists and the board; keeping the search index in step with the table.

- `q` searches the tantivy index (tenant and client are terms of the index query), then the
  hits are hydrated from DynamoDB and re-checked against every filter: a lagging or wrong
  index can hide a ticket for a moment, never show one in the wrong column or to the wrong
  customer. Without `q`, lists read the table's indexes.
- `sla_status` is computed for the request's moment (it changes with time, without writes):
  the index narrows by the statuses that could have become the wanted one
  (domain.search.sla_index_candidates), and the live status decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from regentra.config import get_settings
from regentra.cursors import decode_cursor, encode_cursor, scope_of
from regentra.domain.conversation import Reply
from regentra.domain.enums import SlaStatus, Status
from regentra.domain.search import (
    NO_SLA,
    ReplyAdded,
    SearchQuery,
    SearchUpdate,
    TicketFields,
    TicketRemoved,
    parse_query,
    sla_index_candidates,
)
from regentra.domain.tickets import Ticket
from regentra.errors import ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps, search_index, ticket_lists
from regentra.services.ports import (
    Page,
    RebuildReport,
    SearchIndex,
    SearchScope,
    TicketFilter,
    TicketLists,
)
from regentra.services.requests import BoardQuery
from regentra.services.sla import sla_view

# Hits ranked per search; pages walk this window (a query matching more should be narrowed).
SEARCH_WINDOW = 1000
# Tickets one request may look at when only Python can judge them (the live SLA status).
LIST_MAX_EXAMINED = 1000
# Items a board count may read before it reports a lower bound (count_exact: false).
COUNT_MAX_EXAMINED = 10_000


# --- indexing ----------------------------------------------------------------------------------


def live_sla_status(ticket: Ticket, now: datetime) -> str:
    view = sla_view(ticket, now)
    return str(view["status"]) if view else NO_SLA


def ticket_fields(ticket: Ticket, now: datetime) -> TicketFields:
    return TicketFields(
        version=ticket.version,
        client_id=ticket.client_id,
        status=str(ticket.status),
        priority=str(ticket.priority),
        channel=str(ticket.channel),
        assignee_id=ticket.assignee_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        sla_status=live_sla_status(ticket, now),
        subject=ticket.subject,
        description=ticket.description,
    )


@dataclass(frozen=True)
class IndexReport:
    records: int
    changed: int
    removed: int

    def as_dict(self) -> dict[str, int]:
        return {"records": self.records, "changed": self.changed, "removed": self.removed}


def index_changes(
    index: SearchIndex, changes: Sequence[Ticket | ReplyAdded | TicketRemoved], now: datetime
) -> IndexReport:
    """Apply one stream batch: ticket versions, public replies, removals. One commit for the
    updates; replaying a batch, or an older record arriving late, changes nothing."""
    updates: list[SearchUpdate] = []
    removals: list[tuple[str, str, int]] = []
    for change in changes:
        if isinstance(change, Ticket):
            updates.append(SearchUpdate(change.tenant_id, change.id, fields=ticket_fields(change, now)))
        elif isinstance(change, ReplyAdded):
            updates.append(
                SearchUpdate(change.tenant_id, change.ticket_id, replies={change.reply_id: change.body})
            )
        else:
            removals.append((change.tenant_id, change.ticket_id, change.version))
    changed = index.upsert(updates) if updates else 0
    removed = index.delete(removals) if removals else 0
    return IndexReport(len(changes), changed, removed)


def full_update(tenant_id: str, ticket: Ticket, replies: Iterable[Reply], now: datetime) -> SearchUpdate:
    return SearchUpdate(
        tenant_id, ticket.id, fields=ticket_fields(ticket, now), replies={r.id: r.body for r in replies}
    )


def reindex(index: SearchIndex, lists: TicketLists, now: Callable[[], datetime]) -> RebuildReport:
    """Rebuild the index from the table (a full Scan: offline command only). The live index
    keeps serving until the new generation replaces it; tickets changed meanwhile are re-read."""

    def updates() -> Iterator[SearchUpdate]:
        for tenant_id, found in lists.search_sources():
            if isinstance(found, Ticket):
                yield SearchUpdate(tenant_id, found.id, fields=ticket_fields(found, now()))
            else:
                yield SearchUpdate(tenant_id, found.ticket_id, replies={found.id: found.body})

    def catch_up(pairs: list[tuple[str, str]]) -> Iterator[SearchUpdate]:
        for tenant_id, ticket_id in pairs:
            ticket, replies = lists.search_source(tenant_id, ticket_id)
            if ticket is not None:
                yield full_update(tenant_id, ticket, replies, now())

    return index.rebuild(updates(), catch_up)


# --- reading -----------------------------------------------------------------------------------


def ticket_matches(
    ticket: Ticket, tenant_id: str, flt: TicketFilter, sla: Sequence[str], now: datetime
) -> bool:
    """The authoritative check of a hydrated ticket against the caller's filters."""
    return (
        ticket.tenant_id == tenant_id
        and (flt.client_id is None or ticket.client_id == flt.client_id)
        and (not flt.statuses or ticket.status in flt.statuses)
        and (flt.priority is None or ticket.priority == flt.priority)
        and (flt.assignee_id is None or ticket.assignee_id == flt.assignee_id)
        and (flt.channel is None or ticket.channel == flt.channel)
        and (flt.created_from is None or ticket.created_at >= flt.created_from)
        and (flt.created_to is None or ticket.created_at <= flt.created_to)
        and (not sla or live_sla_status(ticket, now) in sla)
    )


def _viewer_client(principal: Principal) -> str | None:
    return principal.client_id if principal.is_customer else None


def _search_scope(tenant_id: str, flt: TicketFilter, sla: Sequence[str]) -> SearchScope:
    return SearchScope(
        tenant_id=tenant_id,
        client_id=flt.client_id,
        statuses=tuple(str(s) for s in flt.statuses),
        priority=str(flt.priority) if flt.priority else None,
        assignee_id=flt.assignee_id,
        channel=str(flt.channel) if flt.channel else None,
        created_from=flt.created_from,
        created_to=flt.created_to,
        sla_statuses=sla_index_candidates(SlaStatus(s) for s in sla) if sla else (),
    )


def _search_offset(scope: str, cursor: str | None) -> int:
    if not cursor:
        return 0
    position = decode_cursor(get_settings().cursor_secret, scope, cursor)
    offset = position.get("o")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset <= SEARCH_WINDOW:
        raise ValidationFailed(
            "The cursor is not valid for this query.", [{"field": "cursor", "issue": "invalid"}]
        )
    return offset


def _search(
    principal: Principal,
    flt: TicketFilter,
    sla: Sequence[str],
    query: SearchQuery,
    limit: int,
    cursor: str | None,
    deps: Deps,
    index: SearchIndex,
    lists: TicketLists,
) -> Page[Ticket]:
    """Relevance then recency. The cursor is the offset of the next hit to look at."""
    scope = scope_of(
        "tickets-search", principal.tenant_id, _viewer_client(principal), flt, tuple(sla), query.canonical
    )
    position = _search_offset(scope, cursor)
    search_scope = _search_scope(principal.tenant_id, flt, sla)
    now = deps.clock.now()
    found: list[Ticket] = []
    window = 0
    while len(found) < limit:
        chunk = max(2 * (limit - len(found)), 10)
        page = index.search(query, search_scope, offset=position, limit=chunk, window=SEARCH_WINDOW)
        window = page.window
        if not page.hits:
            break
        tickets = lists.get_many(principal.tenant_id, [h.ticket_id for h in page.hits])
        for hit in page.hits:
            position += 1
            ticket = tickets.get(hit.ticket_id)
            if ticket is not None and ticket_matches(ticket, principal.tenant_id, flt, sla, now):
                found.append(ticket)
                if len(found) == limit:
                    break
    more = position < window
    return Page(found, encode_cursor(get_settings().cursor_secret, scope, {"o": position}) if more else None)


def _sla_list(
    principal: Principal,
    flt: TicketFilter,
    sla: Sequence[str],
    limit: int,
    cursor: str | None,
    deps: Deps,
    lists: TicketLists,
) -> Page[Ticket]:
    scope = scope_of("tickets", principal.tenant_id, _viewer_client(principal), flt, "sla", tuple(sla))
    now = deps.clock.now()
    return lists.list_matching(
        principal.tenant_id,
        flt,
        lambda t: live_sla_status(t, now) in sla,
        limit,
        cursor,
        scope,
        LIST_MAX_EXAMINED,
    )


def filtered_page(
    principal: Principal,
    flt: TicketFilter,
    sla: Sequence[str],
    q: str | None,
    limit: int,
    cursor: str | None,
    deps: Deps,
    index: SearchIndex | None = None,
    lists: TicketLists | None = None,
) -> Page[Ticket]:
    """GET /tickets with `q` and/or `sla_status` (plain filters stay in tickets.list_tickets)."""
    sla = tuple(str(s) for s in sla)
    lists = lists or ticket_lists()
    if q is not None:
        query = parse_query(q)
        return _search(principal, flt, sla, query, limit, cursor, deps, index or search_index(), lists)
    if sla:
        return _sla_list(principal, flt, sla, limit, cursor, deps, lists)
    scope = scope_of("tickets", principal.tenant_id, _viewer_client(principal), flt)
    return deps.tickets.list(principal.tenant_id, flt, limit, cursor, scope)


# --- the board ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    items: list[Ticket]
    count: int
    count_exact: bool
    next_cursor: str | None


def _search_count(
    principal: Principal,
    flt: TicketFilter,
    sla: Sequence[str],
    query: SearchQuery,
    deps: Deps,
    index: SearchIndex,
    lists: TicketLists,
) -> tuple[int, bool]:
    """Hits in the window that pass the re-check (each hydrated: the index may lag)."""
    search_scope = _search_scope(principal.tenant_id, flt, sla)
    now = deps.clock.now()
    count = offset = 0
    matched = 0
    while True:
        page = index.search(query, search_scope, offset=offset, limit=100, window=SEARCH_WINDOW)
        matched = page.matched
        if not page.hits:
            break
        tickets = lists.get_many(principal.tenant_id, [h.ticket_id for h in page.hits])
        count += sum(
            1
            for h in page.hits
            if (t := tickets.get(h.ticket_id)) is not None
            and ticket_matches(t, principal.tenant_id, flt, sla, now)
        )
        offset += len(page.hits)
    return count, matched <= SEARCH_WINDOW


def board(
    principal: Principal,
    query: BoardQuery,
    deps: Deps,
    index: SearchIndex | None = None,
    lists: TicketLists | None = None,
) -> dict[str, Column]:
    """One column per status, each with its first page, its count and its next cursor (for
    GET /tickets?status=<column>&<same filters>). A status left out by `status=` is an empty
    column. A count costs nothing when the first page holds the whole column; otherwise see
    `count_column`."""
    from regentra.services.tickets import ticket_filter

    principal.require_staff()
    flt = ticket_filter(principal, query)
    assert flt is not None  # staff are never held to a client
    sla = tuple(dict.fromkeys(str(s) for s in query.sla_status))
    search = parse_query(query.q) if query.q is not None else None
    lists = lists or ticket_lists()
    if search is not None:
        index = index or search_index()
    wanted = set(flt.statuses) or set(Status)
    columns: dict[str, Column] = {}
    for status in Status:
        if status not in wanted:
            columns[str(status)] = Column([], 0, True, None)
            continue
        column = replace(flt, statuses=(status,))
        page = filtered_page(principal, column, sla, query.q, query.limit, None, deps, index, lists)
        if page.next_cursor is None:  # the first page holds the whole column
            count, exact = len(page.items), True
        elif search is not None:
            assert index is not None
            count, exact = _search_count(principal, column, sla, search, deps, index, lists)
        else:
            now = deps.clock.now()
            keep: Callable[[Ticket], bool] | None = (
                (lambda t, at=now: live_sla_status(t, at) in sla) if sla else None
            )
            count, exact = lists.count(principal.tenant_id, column, keep, COUNT_MAX_EXAMINED)
        columns[str(status)] = Column(page.items, count, exact, page.next_cursor)
    return columns


def board_view(columns: dict[str, Column], now: datetime, principal: Principal) -> dict[str, Any]:
    from regentra.services.views import ticket_view

    return {
        "columns": {
            status: {
                "items": [ticket_view(t, now, principal) for t in col.items],
                "count": col.count,
                "count_exact": col.count_exact,
                "next_cursor": col.next_cursor,
            }
            for status, col in columns.items()
        }
    }
