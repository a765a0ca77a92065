"""Ticket lifecycle: which status changes are allowed (API.md "Lifecycle")."""

from __future__ import annotations

from regentra.domain.enums import Status
from regentra.errors import InvalidTransition

S = Status

ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.WAITING_ON_CUSTOMER, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.IN_PROGRESS, S.ESCALATED, S.RESOLVED, S.CLOSED}),
    S.ESCALATED: frozenset({S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    # Reopening a closed ticket is a technician's manual act; customers get a follow-up.
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}

# Statuses in which a ticket is finished work (muted on the board, stops the resolution timer).
DONE_STATUSES = frozenset({S.RESOLVED, S.CLOSED})


def can_transition(current: Status, target: Status) -> bool:
    """True when `current -> target` is allowed; the same status is an allowed no-op."""
    return current == target or target in ALLOWED_TRANSITIONS[current]


def check_transition(current: Status, target: Status) -> None:
    if not can_transition(current, target):
        allowed = sorted(ALLOWED_TRANSITIONS[current])
        raise InvalidTransition(
            f"A ticket cannot move from {current} to {target}.",
            [{"field": "status", "from": str(current), "to": str(target), "allowed": allowed}],
        )


def allowed_targets(current: Status) -> list[Status]:
    return sorted(ALLOWED_TRANSITIONS[current])
