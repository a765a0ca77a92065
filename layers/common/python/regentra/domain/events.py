"""Domain events: what a ticket change announces, and how consumers read it back.

Events are written as outbox items in the transaction of the change (each under a dedupe key,
so it exists once), published from the table's stream to the EventBridge bus, and consumed by
the AI analyzer, the priority policies and the automation rules. Pure: time is passed in.

| event          | written by                               | dedupe key                 |
|----------------|------------------------------------------|----------------------------|
| TicketCreated  | every ticket insert (any channel)        | TicketCreated              |
| StatusChanged  | any write that moves the status          | StatusChanged#v<version>   |
| TicketUpdated  | a write changing priority/assignee/...   | TicketUpdated#v<version>   |
| ReplyAdded     | the conversation service                 | ReplyAdded#<reply id>      |
| SlaAtRisk/...  | the SLA sweep                            | SlaAtRisk#<timer>          |

A change made by an automation rule carries its `cause` (the rules that led to it and the chain
depth), so a rule is never re-triggered by its own change and chains stop at MAX_CHAIN_DEPTH.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regentra.domain.sla import AT_RISK_EVENT, BREACHED_EVENT
from regentra.domain.tickets import DomainEvent, Ticket

TICKET_CREATED = "TicketCreated"
STATUS_CHANGED = "StatusChanged"
TICKET_UPDATED = "TicketUpdated"
REPLY_ADDED = "ReplyAdded"
SLA_AT_RISK = AT_RISK_EVENT
SLA_BREACHED = BREACHED_EVENT

# Automation triggers (API.md) and the event each one listens to.
TRIGGERS: dict[str, str] = {
    "ticket.created": TICKET_CREATED,
    "ticket.status_changed": STATUS_CHANGED,
    "ticket.updated": TICKET_UPDATED,
    "reply.added": REPLY_ADDED,
    "sla.at_risk": SLA_AT_RISK,
    "sla.breached": SLA_BREACHED,
}
TRIGGER_OF_EVENT = {event: trigger for trigger, event in TRIGGERS.items()}

# Fields a TicketUpdated reports (status has its own event).
UPDATED_FIELDS = ("priority", "assignee_id", "subject", "tags")

MAX_CHAIN_DEPTH = 3


@dataclass(frozen=True)
class Cause:
    """The automation chain behind a change: rules that made it (in order) and its depth."""

    rules: tuple[str, ...] = ()
    depth: int = 0

    def then(self, rule_id: str) -> Cause:
        return Cause(rules=(*self.rules, rule_id), depth=self.depth + 1)

    def as_detail(self) -> dict[str, Any]:
        return {"cause": {"rules": list(self.rules), "depth": self.depth}} if self.depth else {}

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> Cause:
        raw = detail.get("cause")
        if not isinstance(raw, dict):
            return cls()
        rules = raw.get("rules")
        depth = raw.get("depth")
        return cls(
            rules=tuple(str(r) for r in rules) if isinstance(rules, list) else (),
            depth=depth if isinstance(depth, int) and depth >= 0 else 0,
        )


def _base(ticket: Ticket, source: str) -> dict[str, Any]:
    return {
        "tenant_id": ticket.tenant_id,
        "ticket_id": ticket.id,
        "client_id": ticket.client_id,
        "priority": str(ticket.priority),
        "status": str(ticket.status),
        "channel": str(ticket.channel),
        "source": source,
    }


def ticket_created(ticket: Ticket, source: str) -> DomainEvent:
    detail = _base(ticket, source)
    if ticket.follow_up_of:
        detail["follow_up_of"] = ticket.follow_up_of
    return DomainEvent(type=TICKET_CREATED, at=ticket.created_at, key=TICKET_CREATED, detail=detail)


def _field_value(ticket: Ticket, name: str) -> Any:
    value = getattr(ticket, name)
    if name == "tags":
        return list(value)
    return str(value) if value is not None and name == "priority" else value


def change_events(
    before: Ticket, after: Ticket, *, source: str, at: datetime, cause: Cause | None = None
) -> list[DomainEvent]:
    """StatusChanged and/or TicketUpdated for a write of `after` over `before` (same version read).
    Keyed by the version the write creates, so each write announces itself once."""
    version = after.version + 1
    extra = (cause or Cause()).as_detail()
    out: list[DomainEvent] = []
    if after.status != before.status:
        detail = _base(after, source) | {"from": str(before.status), "to": str(after.status)} | extra
        out.append(DomainEvent(STATUS_CHANGED, at, f"{STATUS_CHANGED}#v{version}", detail))
    changes = {
        name: {"from": _field_value(before, name), "to": _field_value(after, name)}
        for name in UPDATED_FIELDS
        if getattr(before, name) != getattr(after, name)
    }
    if changes:
        detail = _base(after, source) | {"changes": changes} | extra
        out.append(DomainEvent(TICKET_UPDATED, at, f"{TICKET_UPDATED}#v{version}", detail))
    return out


def reply_added(
    ticket: Ticket, *, reply_id: str, author_type: str, channel: str, source: str, at: datetime
) -> DomainEvent:
    detail = _base(ticket, source) | {
        "reply_id": reply_id,
        "author_type": author_type,
        "reply_channel": channel,
    }
    return DomainEvent(REPLY_ADDED, at, f"{REPLY_ADDED}#{reply_id}", detail)


@dataclass(frozen=True)
class BusEvent:
    """An event as a consumer receives it from the bus (EventBridge `detail-type` and `detail`)."""

    id: str  # stable across redeliveries (the outbox item's key): consumers de-duplicate on it
    type: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        return str(self.detail["tenant_id"])

    @property
    def ticket_id(self) -> str:
        return str(self.detail["ticket_id"])

    @property
    def cause(self) -> Cause:
        return Cause.from_detail(self.detail)

    def changes(self) -> dict[str, Any]:
        """Field -> new value this event reports (status for StatusChanged, the changed fields
        for TicketUpdated); empty for other events."""
        if self.type == STATUS_CHANGED:
            return {"status": self.detail.get("to")}
        if self.type == TICKET_UPDATED:
            raw = self.detail.get("changes")
            if isinstance(raw, dict):
                return {k: v.get("to") for k, v in raw.items() if isinstance(v, dict)}
        return {}
