"""The one guarded path for priority (API.md "Priority").

`priority` is set at creation and is the source of truth. Staff and automation rules
may set any value; policy escalations only raise LOW/MEDIUM to HIGH and never lower.
The AI analyzer never calls this: it writes only `suggested_priority`.
"""

from __future__ import annotations

from regentra.domain.enums import Priority
from regentra.errors import Forbidden, ValidationFailed

POLICY_NAMES = frozenset({"vip", "spike", "ai_security", "ai_frustration"})


def decide_priority(current: Priority, requested: Priority, source: str) -> Priority:
    """The priority a ticket ends with when `source` asks for `requested`."""
    kind, _, name = source.partition(":")
    if kind in ("staff", "automation"):
        if not name:
            raise ValidationFailed(f"priority source {source!r} needs an id")
        return requested
    if kind == "policy":
        if name not in POLICY_NAMES:
            raise ValidationFailed(f"unknown policy {name!r}")
        if current in (Priority.LOW, Priority.MEDIUM) and requested == Priority.HIGH:
            return Priority.HIGH
        return current
    raise Forbidden(f"{source or 'this caller'} may not change priority")
