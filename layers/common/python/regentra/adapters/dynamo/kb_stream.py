"""Table stream records -> KB index changes. Only KB article items mean anything here (the
KB indexer's FilterCriteria in template.yaml keeps every other item away)."""

from __future__ import annotations

from typing import Any

from regentra.adapters.dynamo.items import Item, KbArticleItem
from regentra.adapters.dynamo.kb import _article
from regentra.domain.kb_retrieval import KbArticleRemoved, KbChange

KB_ARTICLE = "kb_article"


def _item(image: dict[str, Any] | None) -> Item | None:
    if not image or (image.get("kind") or {}).get("S") != KB_ARTICLE:
        return None
    return Item.from_raw_data(image)


def kb_stream_change(record: dict[str, Any]) -> KbChange | None:
    """The change one stream record (Lambda's DynamoDB JSON shape) describes, or None."""
    data = record.get("dynamodb") or {}
    if record.get("eventName") == "REMOVE":
        old = _item(data.get("OldImage"))
        if isinstance(old, KbArticleItem):
            return KbArticleRemoved(old.tenant_id, old.id, int(old.version or 0))
        return None
    new = _item(data.get("NewImage"))
    return _article(new) if isinstance(new, KbArticleItem) else None
