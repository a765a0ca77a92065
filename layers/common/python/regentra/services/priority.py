"""Writes made by event consumers (analyzer, priority policies, automation rules) on a ticket.

Every one goes through `write_guarded`: read the ticket, plan the change, keep the SLA timers in
step, announce it (StatusChanged / TicketUpdated with its source and automation cause), and save
it conditional on the version read — with the priority guard of the repository (a priority
changes only with a PriorityChange that `decide_priority` allows) and, when given, a once-only
marker for the event being consumed, so a redelivered event changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regentra.domain.conversation import OnceMarker
from regentra.domain.enums import Priority
from regentra.domain.events import Cause, change_events
from regentra.domain.priority import PriorityChange, apply_priority
from regentra.domain.tickets import Activity, Ticket
from regentra.errors import ConcurrentUpdate
from regentra.services.deps import Deps
from regentra.services.sla import on_change

MAX_WRITE_ATTEMPTS = 5
POLICY_ACTOR = "policy"


@dataclass
class Planned:
    """A change a consumer wants on a ticket."""

    ticket: Ticket
    activity: list[Activity]
    source: str  # who the change is announced as (policy:vip, automation:<rule>, ai:analyzer)
    priority_change: PriorityChange | None = None
    records: list[Any] = field(default_factory=list)
    cause: Cause | None = None


def consumed_marker(consumer: str, event_id: str) -> str:
    """The once-only marker a consumer writes with its change for one event."""
    return f"DONE#{consumer}#{event_id}"


def write_guarded(
    deps: Deps,
    tenant_id: str,
    ticket_id: str,
    plan: Callable[[Ticket, datetime], Planned | None],
    *,
    once: str | None = None,
) -> Ticket | None:
    """Apply `plan` to the current ticket and save it (re-reading on a lost race). Returns the
    saved ticket, or None when there was nothing to do (no ticket, nothing planned, or `once`
    already written by an earlier delivery)."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        if once is not None and deps.tickets.lookup(tenant_id, once) is not None:
            return None
        current = deps.tickets.get(tenant_id, ticket_id)
        if current is None:
            return None
        now = deps.clock.now()
        planned = plan(current, now)
        if planned is None:
            return None
        updated, counters = on_change(current, planned.ticket, now)
        events = change_events(current, updated, source=planned.source, at=now, cause=planned.cause)
        records = [*planned.records, *([OnceMarker(once)] if once is not None else [])]
        try:
            return deps.tickets.save(
                updated,
                planned.activity,
                events=events,
                counters=counters,
                records=records,
                priority_change=planned.priority_change,
            )
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(f"ticket {ticket_id} kept changing")


def escalations(
    ticket: Ticket, sources: list[tuple[str, dict[str, Any]]], now: datetime
) -> tuple[Ticket, list[Activity], PriorityChange | None]:
    """Ask for HIGH on behalf of each policy source, in order (a policy only raises LOW/MEDIUM to
    HIGH). `sources` pairs a source with what the activity entry should add (why it fired)."""
    activity: list[Activity] = []
    change: PriorityChange | None = None
    for source, why in sources:
        ticket, entries, asked = apply_priority(ticket, Priority.HIGH, source, now=now, actor=POLICY_ACTOR)
        activity += [Activity(e.at, e.actor, e.source, e.change | why) for e in entries]
        change = change or asked
    return ticket, activity, change
