"""Entry points for EventBridge bus rules: parse the event, run one consumer, log what it did.

EventBridge invokes a target asynchronously and retries it; a consumer is idempotent on
`detail.event_id` (services/priority.py: once-only markers), so a retry changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from regentra.clock import parse_iso
from regentra.domain.events import BusEvent
from regentra.services.deps import Deps, default_deps

logger = Logger(service="regentra")


def bus_event(event: dict[str, Any]) -> BusEvent:
    """A bus event (as EventBridge delivers it) read into a BusEvent; a malformed one fails loudly."""
    parsed = parse(event=event, model=EventBridgeModel)
    if not isinstance(parsed.detail, dict):
        raise ValueError("bus event detail is not an object")
    detail = dict(parsed.detail)
    for key in ("event_id", "at", "tenant_id", "ticket_id"):
        if not isinstance(detail.get(key), str) or not detail[key]:
            raise ValueError(f"bus event without detail.{key}")
    return BusEvent(id=detail["event_id"], type=parsed.detail_type, at=parse_iso(detail["at"]), detail=detail)


def bus_handler(consume: Callable[[Deps, BusEvent], Any]) -> Callable[[dict[str, Any], Any], Any]:
    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> Any:
        ev = bus_event(event)
        result = consume(default_deps(), ev)
        logger.info(
            "bus event consumed",
            extra={"consumer": consume.__name__, "event_type": ev.type, "event_id": ev.id, "result": result},
        )
        return result

    return handler
