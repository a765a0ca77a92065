"""The two SLA schedules: the sweep (AT_RISK / BREACHED, noticed once) and auto-close.

Both read only the sparse due index (what is due), re-read each ticket, and write
conditionally on its version: running twice, or overlapping itself, changes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from regentra.domain import sla as sla_rules
from regentra.domain.events import change_events
from regentra.domain.tickets import DUE_AUTO_CLOSE, DUE_SLA, Activity, DomainEvent, auto_close
from regentra.errors import ConcurrentUpdate
from regentra.services.deps import Deps
from regentra.services.sla import on_change

MAX_WRITE_ATTEMPTS = 5
_EVENT_NAMES = {sla_rules.AT_RISK_EVENT: "sla_at_risk", sla_rules.BREACHED_EVENT: "sla_breached"}


@dataclass
class JobResult:
    read: int = 0  # due-index entries read
    changed: int = 0  # tickets written
    events: int = 0  # events emitted

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "changed": self.changed, "events": self.events}


def sweep_ticket(deps: Deps, tenant_id: str, ticket_id: str, now: datetime) -> int:
    """Notice what became true for one ticket; returns the number of events emitted."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = deps.tickets.get(tenant_id, ticket_id)
        if ticket is None or ticket.sla is None:
            return 0
        before = sla_rules.TicketSla.from_dict(ticket.sla)
        after, noticed = sla_rules.evaluate(before, now)
        if not noticed:
            return 0
        after, counters = sla_rules.report_deltas(before, after, ticket.client_id, now)
        activity = [
            Activity(
                at=e.at,
                actor="schedule",
                source="schedule:sla_sweep",
                change={"event": _EVENT_NAMES[e.type], "timer": e.timer},
            )
            for e in noticed
        ]
        events = [
            DomainEvent(
                type=e.type,
                at=e.at,
                key=f"{e.type}#{e.timer}",
                detail={
                    "tenant_id": tenant_id,
                    "ticket_id": ticket_id,
                    "timer": e.timer,
                    "priority": str(ticket.priority),
                    "client_id": ticket.client_id,
                },
            )
            for e in noticed
        ]
        try:
            deps.tickets.save(
                replace(ticket, sla=after.to_dict()), activity, events=events, counters=counters
            )
            return len(events)
        except ConcurrentUpdate:
            continue  # someone else wrote first: re-read, and notice only what is still new
    return 0


def run_sla_sweep(deps: Deps, now: datetime | None = None) -> JobResult:
    now = now or deps.clock.now()
    result = JobResult()
    for tenant_id, ticket_id in deps.tickets.due(DUE_SLA, now):
        result.read += 1
        emitted = sweep_ticket(deps, tenant_id, ticket_id, now)
        result.changed += 1 if emitted else 0
        result.events += emitted
    return result


def close_ticket(deps: Deps, tenant_id: str, ticket_id: str, now: datetime) -> bool:
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = deps.tickets.get(tenant_id, ticket_id)
        if ticket is None:
            return False
        decided = auto_close(ticket, now)
        if decided is None:
            return False  # reopened, replied to or closed meanwhile: that change wins
        closed, activity = decided
        closed, counters = on_change(ticket, closed, now)
        events = change_events(ticket, closed, source="schedule:auto_close", at=now)
        try:
            deps.tickets.save(closed, activity, counters=counters, events=events)
            return True
        except ConcurrentUpdate:
            continue
    return False


def run_auto_close(deps: Deps, now: datetime | None = None) -> JobResult:
    now = now or deps.clock.now()
    result = JobResult()
    for tenant_id, ticket_id in deps.tickets.due(DUE_AUTO_CLOSE, now):
        result.read += 1
        result.changed += 1 if close_ticket(deps, tenant_id, ticket_id, now) else 0
    return result
