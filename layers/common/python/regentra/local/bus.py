"""The EventBridge bus, locally: events that land in the local event sink are handed to the
functions whose template rules match them, as EventBridge would invoke them (asynchronously,
retried, never failing the publisher).

Rules come from template.yaml, the one source of wiring: SAM `EventBridgeRule` events on a
function, and `AWS::Events::Rule` resources whose targets are functions of the template. Patterns
are matched with the same code the local stream poller uses for Lambda filter criteria.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from regentra.adapters.events import SOURCE
from regentra.local.streams import _matches
from regentra.local.template import Template, _ref_name

logger = logging.getLogger("regentra.local.bus")

MAX_ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try and two retries


@dataclass(frozen=True)
class BusRule:
    function: str
    name: str
    pattern: dict[str, Any]


def bus_rules(template: Template) -> list[BusRule]:
    """Every rule of the template that sends bus events to one of its functions."""
    out: list[BusRule] = []
    for fn, name, props in template._events("EventBridgeRule"):
        pattern = props.get("Pattern")
        if isinstance(pattern, dict):
            out.append(BusRule(function=fn, name=name, pattern=pattern))
    functions = set(template.functions())
    for logical, res in template.of_type("AWS::Events::Rule").items():
        props = res.get("Properties", {})
        pattern = props.get("EventPattern")
        if not isinstance(pattern, dict) or props.get("State") == "DISABLED":
            continue
        for target in props.get("Targets") or []:
            target_fn = _ref_name(target.get("Arn"))
            if target_fn is not None and target_fn in functions:
                out.append(BusRule(function=target_fn, name=logical, pattern=pattern))
    return out


def bridge_event(event: dict[str, Any]) -> dict[str, Any]:
    """An outbox event ({"id", "type", "at", "detail"}) as EventBridge hands it to a Lambda target,
    with the detail our publisher sends (adapters/events.py: event_id, at, then the detail)."""
    at = str(event["at"])
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, event["id"])),
        "detail-type": event["type"],
        "source": SOURCE,
        "account": "000000000000",
        "time": at[:19] + "Z" if len(at) >= 19 else at,
        "region": "us-east-1",
        "resources": [],
        "detail": {"event_id": event["id"], "at": at, **event["detail"]},
    }


class BusRouter:
    def __init__(self, rules: list[BusRule], invoke: Callable[[str, dict[str, Any]], Any]) -> None:
        self.rules = rules
        self.invoke = invoke
        self.dead_letters: list[dict[str, Any]] = []
        self.delivered: list[tuple[str, str]] = []  # (function, event id), for inspection

    def route(self, events: list[dict[str, Any]]) -> int:
        """Invoke every matching rule's function for each event; returns invocations made."""
        count = 0
        for raw in events:
            event = bridge_event(raw)
            for rule in self.rules:
                if _matches(rule.pattern, event):
                    self._deliver(rule, event)
                    count += 1
        return count

    def _deliver(self, rule: BusRule, event: dict[str, Any]) -> None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                self.invoke(rule.function, event)
                self.delivered.append((rule.function, event["detail"]["event_id"]))
                return
            except Exception as exc:  # noqa: BLE001 - an async target's error never reaches the publisher
                logger.warning(
                    "bus target %s failed on %s (attempt %d): %s",
                    rule.function,
                    event["detail-type"],
                    attempt,
                    exc,
                )
        self.dead_letters.append({"function": rule.function, "event": event})


_lock = threading.Lock()
_router: BusRouter | None = None


def set_router(router: BusRouter | None) -> None:
    """The local runtime installs a router over its own function host."""
    global _router
    with _lock:
        _router = router


def router() -> BusRouter:
    """The installed router, or one over a function host of its own built from template.yaml
    (what a test gateway gets when it does not install one)."""
    global _router
    with _lock:
        if _router is None:
            import os

            from regentra.local.functions import FunctionHost
            from regentra.local.tables import local_table_name

            template = Template.load()
            host = FunctionHost(
                template, {n: local_table_name(n) for n in template.tables()}, fallback_env=dict(os.environ)
            )
            _router = BusRouter(bus_rules(template), host.invoke)
        return _router


def route(events: list[dict[str, Any]]) -> int:
    return router().route(events)
