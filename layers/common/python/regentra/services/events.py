"""Domain events leave through the table's stream: an outbox item written in the same
transaction as the change is published here, so a crash between the two cannot lose one."""

from __future__ import annotations

import json
from typing import Any

from regentra.services.ports import EventPublisher


def event_from_image(keys: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    """The published form of an outbox item (a stream NewImage, already deserialised)."""
    detail = image.get("detail")
    if isinstance(detail, str):
        detail = json.loads(detail)
    at = image.get("at")
    return {
        # Stable across redeliveries: consumers de-duplicate on it.
        "id": f"{keys['PK']}|{keys['SK']}",
        "type": str(image["type"]),
        "at": at if isinstance(at, str) else str(at),
        "detail": dict(detail or {}),
    }


def publish_outbox(records: list[tuple[dict[str, Any], dict[str, Any]]], publisher: EventPublisher) -> int:
    events = [event_from_image(keys, image) for keys, image in records]
    if events:
        publisher.publish(events)
    return len(events)
