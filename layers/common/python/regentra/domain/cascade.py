"""Master and child tickets (API.md "Master and child tickets"): who may be linked to whom, which
children a cascade touches, and what it does to one child. Pure: time is passed in."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from regentra.domain.enums import Status
from regentra.domain.lifecycle import DONE_STATUSES
from regentra.domain.tickets import Activity, Ticket, with_status
from regentra.errors import Conflict

LINK_CHILD = "child"  # LinkItem type on the master's partition: LINK#child#<child id>
MAX_CHILDREN_PER_CALL = 500
# Children linked per transaction: 3 actions each (the child, its activity, the master's link
# item) plus the master's update and its activity stay within DynamoDB's 100 actions.
LINK_BATCH = 32

# Why a child was not linked (POST /tickets/{id}/children "rejected[].reason").
NOT_FOUND = "not_found"
SELF = "self"
IS_MASTER = "is_master"
HAS_MASTER = "has_master"

# What a cascade did to one child; stored in the (cascade, child) marker.
APPLIED = "applied"
SKIPPED = "skipped"
FAILED = "failed"

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED_STATE = "FAILED"


def promote(ticket: Ticket, now: datetime, actor: str, source: str) -> tuple[Ticket, list[Activity]]:
    """Make `ticket` a master. A child can't be one (409); a master stays one (no change)."""
    if ticket.master_id is not None:
        raise Conflict(
            "A child ticket cannot be a master; unlink it first.",
            [{"field": "master_id", "issue": "ticket is a child", "master_id": ticket.master_id}],
        )
    if ticket.is_master:
        return ticket, []
    change = {"field": "is_master", "from": False, "to": True}
    return replace(ticket, is_master=True, updated_at=now), [Activity(now, actor, source, change)]


def demote(ticket: Ticket, now: datetime, actor: str, source: str) -> tuple[Ticket, list[Activity]]:
    """Make a master an ordinary ticket again: only once it has no children (409 otherwise)."""
    if not ticket.is_master:
        return ticket, []
    if ticket.child_count > 0:
        raise Conflict(
            "The ticket still has children; unlink them first.",
            [{"field": "child_count", "issue": "has children", "child_count": ticket.child_count}],
        )
    change = {"field": "is_master", "from": True, "to": False}
    return replace(ticket, is_master=False, updated_at=now), [Activity(now, actor, source, change)]


def require_master(ticket: Ticket) -> None:
    if not ticket.is_master:
        raise Conflict(
            "The ticket is not a master; promote it first (POST /tickets/{id}/master).",
            [{"field": "is_master", "issue": "not a master"}],
        )


def link_rejection(master: Ticket, child_id: str, child: Ticket | None) -> str | None:
    """Why `child` can't become a child of `master` (None: it can, or already is).
    A child has one master; a master or the ticket itself can't be a child; a ticket of
    another tenant was never found (the caller passes None)."""
    if child_id == master.id:
        return SELF
    if child is None:
        return NOT_FOUND
    if child.is_master:
        return IS_MASTER
    if child.master_id is not None and child.master_id != master.id:
        return HAS_MASTER
    return None


REJECTION_MESSAGES = {
    NOT_FOUND: "no such ticket",
    SELF: "a ticket cannot be its own child",
    IS_MASTER: "a master cannot be a child",
    HAS_MASTER: "already a child of another master",
}


def linked_child(
    child: Ticket, master_id: str, now: datetime, actor: str, source: str
) -> tuple[Ticket, Activity]:
    entry = Activity(now, actor, source, {"event": "linked_to_master", "master_id": master_id})
    return replace(child, master_id=master_id, updated_at=now), entry


def unlinked_child(child: Ticket, now: datetime, actor: str, source: str) -> tuple[Ticket, Activity]:
    entry = Activity(now, actor, source, {"event": "unlinked_from_master", "master_id": child.master_id})
    return replace(child, master_id=None, updated_at=now), entry


def is_eligible(child: Ticket) -> bool:
    """A cascade touches a child that is not finished work (RESOLVED / CLOSED are left alone)."""
    return child.status not in DONE_STATUSES


def moved_to_done(ticket: Ticket) -> bool:
    """Whether the last change of `ticket` moved it to RESOLVED or CLOSED (its stamp is that change's)."""
    if ticket.status == Status.RESOLVED:
        return ticket.resolved_at == ticket.updated_at
    if ticket.status == Status.CLOSED:
        return ticket.closed_at == ticket.updated_at
    return False


def cascade_prompt(master: Ticket, children: list[Ticket]) -> dict[str, Any]:
    eligible = sum(1 for c in children if is_eligible(c))
    return {
        "status": str(master.status),
        "eligible_children": eligible,
        "skipped_children": len(children) - eligible,
    }


@dataclass(frozen=True)
class CascadeChange:
    """What a cascade pushes to each eligible child (any of them; at least one)."""

    status: Status | None = None
    assignee_id: str | None = None
    resolution: str | None = None
    reply_body: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": str(self.status) if self.status else None,
            "assignee_id": self.assignee_id,
            "resolution": self.resolution,
            "reply_body": self.reply_body,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CascadeChange:
        return cls(
            status=Status(data["status"]) if data.get("status") else None,
            assignee_id=data.get("assignee_id"),
            resolution=data.get("resolution"),
            reply_body=data.get("reply_body"),
        )

    @property
    def empty(self) -> bool:
        return not (self.status or self.assignee_id or self.resolution or self.reply_body)


def cascade_id_for(tenant_id: str, master: Ticket, change: CascadeChange) -> str:
    """The cascade's id: the same request against the same master version is the same cascade,
    so a double submit or a retried POST starts nothing new (and the Step Functions execution,
    named by this id, can't start twice). 32 lowercase hex digits."""
    canonical = json.dumps(
        {"tenant": tenant_id, "master": master.id, "version": master.version, "change": change.as_dict()},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def is_cascade_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def marker_name(cascade_id: str, child_id: str) -> str:
    """The once-only name of (cascade, child): written with the child's change, so a retried
    step or a re-posted cascade applies nothing twice."""
    return f"CASCADE#{cascade_id}#{child_id}"


def marker_prefix(cascade_id: str) -> str:
    return f"CASCADE#{cascade_id}#"


# The applied marker is an OnceMarker (value "1"), written in the child's own transaction.
MARKER_VALUES = {"1": APPLIED, SKIPPED: SKIPPED, FAILED: FAILED}


class ChildFinished(Exception):
    """The child was RESOLVED or CLOSED (or unlinked) at the moment of applying: left alone."""


def guard_child(child: Ticket, master_id: str) -> None:
    if child.master_id != master_id or not is_eligible(child):
        raise ChildFinished(child.id)


def assign(
    child: Ticket, change: CascadeChange, now: datetime, actor: str, source: str
) -> tuple[Ticket, list[Activity]]:
    """The assignee part of a cascade (the reply and the status go through the conversation)."""
    if change.assignee_id is None or change.assignee_id == child.assignee_id:
        return child, []
    entry = Activity(
        now, actor, source, {"field": "assignee_id", "from": child.assignee_id, "to": change.assignee_id}
    )
    return replace(child, assignee_id=change.assignee_id, updated_at=now), [entry]


def apply_without_reply(
    child: Ticket, change: CascadeChange, now: datetime, actor: str, source: str
) -> tuple[Ticket, list[Activity]]:
    """Status and assignee of a cascade that carries no reply. Raises InvalidTransition."""
    updated, activity = assign(child, change, now, actor, source)
    if change.status is not None and change.status != child.status:
        updated = with_status(updated, change.status, now)
        activity.append(
            Activity(
                now, actor, source, {"field": "status", "from": str(child.status), "to": str(change.status)}
            )
        )
    return updated, activity


@dataclass(frozen=True)
class Cascade:
    """One cascade of a master's change to its children, and its progress."""

    tenant_id: str
    id: str
    master_id: str
    change: CascadeChange
    actor: str
    created_at: datetime
    state: str = RUNNING
    total: int = 0
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    finished_at: datetime | None = None
    error: str | None = None


def tally(values: list[str]) -> dict[str, int]:
    """Counts of outcomes from the stored marker values of a cascade."""
    counts = {APPLIED: 0, SKIPPED: 0, FAILED: 0}
    for v in values:
        outcome = MARKER_VALUES.get(v)
        if outcome is not None:
            counts[outcome] += 1
    return counts
