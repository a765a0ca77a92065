"""Ticket reads behind search and the board: lists filtered by something only Python can
decide (the live SLA status), per-column counts, hydration of search hits, and the offline
sources of `regentra reindex`. Lists read the same GSIs as `DynamoTicketRepository.list`
(`ticket_list_plan`); only `search_sources` scans, and only the reindex command calls it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pynamodb.constants import COUNT

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import Item, ReplyItem, TicketItem, ticket_pk
from regentra.adapters.dynamo.repository import (
    _item_to_reply,
    _python_name,
    item_to_ticket,
    ticket_list_plan,
)
from regentra.config import get_settings
from regentra.cursors import decode_cursor, encode_cursor
from regentra.domain.conversation import CUSTOMER, STAFF, Reply
from regentra.domain.tickets import Ticket
from regentra.services.ports import Page, TicketFilter

_PUBLIC = (STAFF, CUSTOMER)


def _position(item: TicketItem, key_attrs: tuple[str, ...]) -> dict[str, Any]:
    return {a: {"S": getattr(item, _python_name(type(item), a))} for a in key_attrs}


class DynamoTicketLists:
    def __init__(self) -> None:
        ensure_configured()

    def list_matching(
        self,
        tenant_id: str,
        flt: TicketFilter,
        keep: Callable[[Ticket], bool],
        limit: int,
        cursor: str | None,
        scope: str,
        max_examined: int,
    ) -> Page[Ticket]:
        """Newest activity first, keeping tickets `keep` accepts. At most `max_examined` tickets
        are looked at per call: a page can come back short (even empty) with a cursor, the way a
        DynamoDB filter expression pages, so a rare match never reads a whole tenant at once."""
        index, hash_key, key_attr, condition = ticket_list_plan(tenant_id, flt)
        key_attrs = ("PK", "SK", key_attr, "activity_key")
        secret = get_settings().cursor_secret
        start = decode_cursor(secret, scope, cursor) if cursor else None
        results = index.query(
            hash_key,
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=100,
        )
        out: list[TicketItem] = []
        for examined, item in enumerate(results, start=1):
            ticket = item_to_ticket(item)
            if keep(ticket):
                if len(out) == limit:  # one more exists: resume after the last one returned
                    return Page(
                        [item_to_ticket(i) for i in out],
                        encode_cursor(secret, scope, _position(out[-1], key_attrs)),
                    )
                out.append(item)
            if examined >= max_examined:  # resume after the last one looked at
                return Page(
                    [item_to_ticket(i) for i in out], encode_cursor(secret, scope, _position(item, key_attrs))
                )
        return Page([item_to_ticket(i) for i in out], None)

    def count(
        self, tenant_id: str, flt: TicketFilter, keep: Callable[[Ticket], bool] | None, max_examined: int
    ) -> tuple[int, bool]:
        """Tickets matching `flt` (and `keep`). Without `keep`: Query with Select=COUNT and the
        list's filter expression, page after page (DynamoDB bills every item read, filtered or
        not: the cost grows with the tickets under that key). With `keep` the items are read and
        judged here. Stops after `max_examined` items read: then the count is a lower bound."""
        index, hash_key, _, condition = ticket_list_plan(tenant_id, flt)
        if keep is not None:
            total = 0
            for examined, item in enumerate(
                index.query(hash_key, filter_condition=condition, page_size=100), 1
            ):
                total += keep(item_to_ticket(item))
                if examined >= max_examined:
                    return total, False
            return total, True
        conn = TicketItem._get_connection()
        total = scanned = 0
        start: dict[str, Any] | None = None
        while True:
            page = conn.query(
                hash_key,
                filter_condition=condition,
                index_name=index.Meta.index_name,
                select=COUNT,
                exclusive_start_key=start,
            )
            total += int(page.get("Count", 0))
            scanned += int(page.get("ScannedCount", 0))
            start = page.get("LastEvaluatedKey")
            if not start:
                return total, True
            if scanned >= max_examined:
                return total, False

    def get_many(self, tenant_id: str, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        """The tickets (of this tenant only: the tenant leads every key) behind search hits."""
        keys = [(ticket_pk(tenant_id, tid), "TICKET") for tid in dict.fromkeys(ticket_ids)]
        if not keys:
            return {}
        out = {}
        for item in TicketItem.batch_get(keys):
            ticket = item_to_ticket(item)
            if ticket.tenant_id == tenant_id:
                out[ticket.id] = ticket
        return out

    def search_source(self, tenant_id: str, ticket_id: str) -> tuple[Ticket | None, list[Reply]]:
        """A ticket and its public replies, read now (consistent): what its search document holds."""
        try:
            ticket: Ticket | None = item_to_ticket(
                TicketItem.get(ticket_pk(tenant_id, ticket_id), "TICKET", consistent_read=True)
            )
        except TicketItem.DoesNotExist:
            ticket = None
        replies = [
            _item_to_reply(i)
            for i in ReplyItem.query(
                ticket_pk(tenant_id, ticket_id),
                range_key_condition=ReplyItem.sk.startswith("REPLY#"),
                consistent_read=True,
            )
            if i.author_type in _PUBLIC
        ]
        return ticket, replies

    def search_sources(self) -> Iterator[tuple[str, Ticket | Reply]]:
        """Every ticket and public reply in the table: a full Scan. Only `regentra reindex` (an
        offline rebuild) calls this; tenants are not enumerable any other way, and no request
        path may scan."""
        for item in Item.scan(filter_condition=Item.kind.is_in(TicketItem, ReplyItem), page_size=500):
            if isinstance(item, TicketItem):
                yield item.tenant_id, item_to_ticket(item)
            elif isinstance(item, ReplyItem) and item.author_type in _PUBLIC:
                yield item.tenant_id, _item_to_reply(item)
