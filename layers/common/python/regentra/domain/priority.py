"""The one guarded path for priority (API.md "Priority").

`priority` is set at creation and is the source of truth. Staff and automation rules
may set any value; policy escalations only raise LOW/MEDIUM to HIGH and never lower.
The AI analyzer never calls this: it writes only `suggested_priority`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from regentra.domain.enums import Priority
from regentra.domain.tickets import Activity, Ticket
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


@dataclass(frozen=True)
class PriorityChange:
    """What a ticket write that changes priority carries: the priority it was read with and who
    asked. The repository re-decides the write with `decide_priority` and conditions it on the
    stored priority, so no writer can set a priority any other way."""

    before: Priority
    source: str


def apply_priority(
    ticket: Ticket, requested: Priority, source: str, *, now: datetime, actor: str
) -> tuple[Ticket, list[Activity], PriorityChange | None]:
    """Ask for `requested` on behalf of `source`: the ticket it ends as, the activity entry that
    records the change with its source, and the PriorityChange the save must carry (None: no change)."""
    decided = decide_priority(ticket.priority, requested, source)
    if decided == ticket.priority:
        return ticket, [], None
    entry = Activity(
        at=now,
        actor=actor,
        source=source,
        change={"field": "priority", "from": str(ticket.priority), "to": str(decided)},
    )
    return replace(ticket, priority=decided, updated_at=now), [entry], PriorityChange(ticket.priority, source)


def check_priority_write(stored: Priority, written: Priority, change: PriorityChange | None) -> None:
    """The repository's guard: a write keeps the stored priority, or carries a PriorityChange
    whose source `decide_priority` allows to end at `written`."""
    if change is None:
        if written != stored:
            raise Forbidden("priority changes only through the guarded path (decide_priority)")
        return
    if change.before != stored or decide_priority(change.before, written, change.source) != written:
        raise Forbidden(f"{change.source} may not change priority from {change.before} to {written}")
