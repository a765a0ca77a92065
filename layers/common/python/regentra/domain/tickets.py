"""The ticket aggregate and the pure rules that change it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.lifecycle import check_transition
from regentra.domain.sla import TicketSla, next_moment


@dataclass(frozen=True)
class Activity:
    """One line of a ticket's history: who or what changed what, and when."""

    at: datetime
    actor: str  # user id, contact id, or the name of a system actor ("schedule", "cascade")
    source: str  # staff:<user>, customer:<contact>, automation:<rule>, policy:<name>, schedule:<name>, ...
    change: dict[str, Any]


@dataclass(frozen=True)
class DomainEvent:
    """Something other parts react to (SlaAtRisk, SlaBreached, ...). Stored in the same
    transaction as the change (an outbox item keyed by `key`, so it is written once) and
    published from the table's stream."""

    type: str
    at: datetime
    key: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class Ticket:
    tenant_id: str
    id: str
    number: int
    subject: str
    description: str
    status: Status
    priority: Priority
    channel: Channel
    client_id: str
    created_at: datetime
    updated_at: datetime
    contact_id: str | None = None
    assignee_id: str | None = None
    suggested_priority: Priority | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    is_master: bool = False
    master_id: str | None = None
    child_count: int = 0
    follow_up_of: str | None = None
    created_by: str | None = None
    billable_minutes: int = 0
    non_billable_minutes: int = 0
    # SLA timer state (regentra.domain.sla); kept as plain data so the aggregate stays serialisable.
    sla: dict[str, Any] | None = None
    # The AI analyzer's last result (regentra.domain.analysis), staff-only; never sets `priority`.
    analysis: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()  # staff-only labels (automation `add_tag`)
    version: int = 0


@dataclass(frozen=True)
class TicketPatch:
    """What a staff PATCH asks for; None means 'not asked'. assignee_id may be cleared."""

    status: Status | None = None
    priority: Priority | None = None
    subject: str | None = None
    assignee_id: str | None = None
    clear_assignee: bool = False
    fields_set: frozenset[str] = field(default_factory=frozenset)


def with_status(ticket: Ticket, target: Status, now: datetime) -> Ticket:
    """Move a ticket to `target`, stamping the lifecycle times. Raises InvalidTransition."""
    check_transition(ticket.status, target)
    if target == ticket.status:
        return ticket
    resolved_at = ticket.resolved_at
    closed_at = ticket.closed_at
    if target == Status.RESOLVED:
        resolved_at = now
        closed_at = None
    elif target == Status.CLOSED:
        closed_at = now
        resolved_at = resolved_at or now
    else:  # any reopen or working status: the ticket is no longer finished
        resolved_at = None
        closed_at = None
    return replace(ticket, status=target, resolved_at=resolved_at, closed_at=closed_at, updated_at=now)


def apply_patch(
    ticket: Ticket, patch: TicketPatch, *, now: datetime, actor: str, source: str
) -> tuple[Ticket, list[Activity]]:
    """Apply a staff edit: returns the new ticket and one activity entry per real change."""
    activity: list[Activity] = []
    updated = ticket

    def log(field_name: str, before: Any, after: Any) -> None:
        activity.append(
            Activity(
                at=now, actor=actor, source=source, change={"field": field_name, "from": before, "to": after}
            )
        )

    if patch.status is not None and patch.status != ticket.status:
        updated = with_status(updated, patch.status, now)
        log("status", str(ticket.status), str(patch.status))
    if patch.priority is not None and patch.priority != ticket.priority:
        updated = replace(updated, priority=patch.priority)
        log("priority", str(ticket.priority), str(patch.priority))
    if patch.subject is not None and patch.subject != ticket.subject:
        updated = replace(updated, subject=patch.subject)
        log("subject", ticket.subject, patch.subject)
    if patch.clear_assignee and ticket.assignee_id is not None:
        updated = replace(updated, assignee_id=None)
        log("assignee_id", ticket.assignee_id, None)
    elif patch.assignee_id is not None and patch.assignee_id != ticket.assignee_id:
        updated = replace(updated, assignee_id=patch.assignee_id)
        log("assignee_id", ticket.assignee_id, patch.assignee_id)
    if activity:
        updated = replace(updated, updated_at=now)
    return updated, activity


AUTO_CLOSE_AFTER = timedelta(hours=24)
DUE_SLA = "sla"
DUE_AUTO_CLOSE = "auto_close"


def next_due(ticket: Ticket) -> tuple[str, datetime] | None:
    """The one moment a schedule must look at this ticket again, if any: auto-close for a
    RESOLVED ticket, else the next SLA moment of a running timer. Written to the sparse
    due index, so a sweep reads only what is due."""
    if ticket.status == Status.RESOLVED and ticket.resolved_at is not None:
        return DUE_AUTO_CLOSE, ticket.resolved_at + AUTO_CLOSE_AFTER
    if ticket.sla is None:
        return None
    moment = next_moment(TicketSla.from_dict(ticket.sla), ticket.updated_at)
    return (DUE_SLA, moment) if moment is not None else None


def auto_close(ticket: Ticket, now: datetime) -> tuple[Ticket, list[Activity]] | None:
    """Close a ticket RESOLVED for 24 h; None when it no longer qualifies (reopened, replied)."""
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        return None
    if now < ticket.resolved_at + AUTO_CLOSE_AFTER:
        return None
    closed = with_status(ticket, Status.CLOSED, now)
    entry = Activity(
        at=now,
        actor="schedule",
        source="schedule:auto_close",
        change={"field": "status", "from": "RESOLVED", "to": "CLOSED", "event": "auto_closed"},
    )
    return closed, [entry]
