"""Table stream records -> domain values, for the search indexer. Only ticket items and public
replies mean anything here; notes, activity, outbox events and every other item are ignored
(the indexer's FilterCriteria in template.yaml already keeps them away)."""

from __future__ import annotations

from typing import Any

from regentra.adapters.dynamo.items import Item, ReplyItem, TicketItem
from regentra.adapters.dynamo.repository import item_to_ticket
from regentra.domain.conversation import CUSTOMER, STAFF
from regentra.domain.search import ReplyAdded, TicketRemoved
from regentra.domain.tickets import Ticket

StreamChange = Ticket | TicketRemoved | ReplyAdded

PUBLIC_AUTHORS = frozenset({STAFF, CUSTOMER})


def _item(image: dict[str, Any] | None) -> Item | None:
    if not image or (image.get("kind") or {}).get("S") not in ("ticket", "reply"):
        return None
    return Item.from_raw_data(image)


def stream_change(record: dict[str, Any]) -> StreamChange | None:
    """The change one stream record (Lambda's DynamoDB JSON shape) describes, or None."""
    data = record.get("dynamodb") or {}
    if record.get("eventName") == "REMOVE":
        old = _item(data.get("OldImage"))
        if isinstance(old, TicketItem):
            return TicketRemoved(old.tenant_id, old.id, int(old.version or 0))
        return None
    new = _item(data.get("NewImage"))
    if isinstance(new, TicketItem):
        return item_to_ticket(new)
    if isinstance(new, ReplyItem) and new.author_type in PUBLIC_AUTHORS:
        return ReplyAdded(new.tenant_id, new.ticket_id, new.id, new.body)
    return None
