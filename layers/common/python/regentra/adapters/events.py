"""Publishing domain events to the EventBridge bus (the AWS side of the EventPublisher port)."""

from __future__ import annotations

import json
from typing import Any

from regentra.config import Settings, get_settings

SOURCE = "regentra.tickets"
_PUT_EVENTS_MAX = 10  # EventBridge's limit per PutEvents call


class EventBridgePublisher:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or get_settings()
        self._client: Any = None

    def _events(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("events", region_name=self._settings.region)
        return self._client

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Each event: {"id", "type", "at", "detail"}. Raises if any entry failed, so the stream
        batch is retried (consumers are idempotent on detail.event_id)."""
        for start in range(0, len(events), _PUT_EVENTS_MAX):
            chunk = events[start : start + _PUT_EVENTS_MAX]
            entries = [
                {
                    "Source": SOURCE,
                    "DetailType": e["type"],
                    "Detail": json.dumps({"event_id": e["id"], "at": e["at"], **e["detail"]}),
                    "EventBusName": self._settings.event_bus_name,
                }
                for e in chunk
            ]
            result = self._events().put_events(Entries=entries)
            if result.get("FailedEntryCount"):
                raise RuntimeError(
                    f"EventBridge refused {result['FailedEntryCount']} of {len(entries)} events"
                )
