"""Pure ticket rules: lifecycle time stamps (`with_status`) and staff edits (`apply_patch`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.tickets import Activity, Ticket, TicketPatch, apply_patch, with_status
from regentra.errors import InvalidTransition

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
T3 = T0 + timedelta(hours=3)
SRC = "staff:u1"


def ticket(**overrides: object) -> Ticket:
    base = Ticket(
        tenant_id="t1",
        id="01JABCDEFGHJKMNPQRSTVWXYZ0",
        number=1042,
        subject="VPN down",
        description="Nobody can connect",
        status=Status.OPEN,
        priority=Priority.MEDIUM,
        channel=Channel.EMAIL,
        client_id="c1",
        created_at=T0,
        updated_at=T0,
        version=3,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def patch(**fields: object) -> TicketPatch:
    return TicketPatch(**fields, fields_set=frozenset(fields))  # type: ignore[arg-type]


# --- with_status ------------------------------------------------------------------------------


def test_resolve_stamps_resolved_at_only() -> None:
    t = with_status(ticket(status=Status.IN_PROGRESS), Status.RESOLVED, T1)
    assert t.status == Status.RESOLVED
    assert t.resolved_at == T1
    assert t.closed_at is None
    assert t.updated_at == T1


def test_close_after_resolve_keeps_resolved_at_and_stamps_closed_at() -> None:
    resolved = with_status(ticket(status=Status.IN_PROGRESS), Status.RESOLVED, T1)
    closed = with_status(resolved, Status.CLOSED, T2)
    assert closed.status == Status.CLOSED
    assert closed.resolved_at == T1
    assert closed.closed_at == T2
    assert closed.updated_at == T2


def test_close_directly_stamps_both() -> None:
    closed = with_status(ticket(status=Status.OPEN), Status.CLOSED, T1)
    assert closed.resolved_at == T1
    assert closed.closed_at == T1


@pytest.mark.parametrize("done", [Status.RESOLVED, Status.CLOSED])
def test_reopen_clears_resolved_and_closed(done: Status) -> None:
    finished = with_status(ticket(status=Status.IN_PROGRESS), done, T1)
    assert finished.resolved_at == T1
    reopened = with_status(finished, Status.IN_PROGRESS, T2)
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.resolved_at is None
    assert reopened.closed_at is None
    assert reopened.updated_at == T2


def test_resolve_close_reopen_resolve_again_uses_new_time() -> None:
    t = with_status(ticket(status=Status.IN_PROGRESS), Status.RESOLVED, T0)
    t = with_status(t, Status.CLOSED, T1)
    t = with_status(t, Status.IN_PROGRESS, T2)
    t = with_status(t, Status.RESOLVED, T3)
    assert t.resolved_at == T3
    assert t.closed_at is None


@pytest.mark.parametrize("working", [Status.WAITING_ON_CUSTOMER, Status.ESCALATED, Status.IN_PROGRESS])
def test_working_statuses_carry_no_finish_times(working: Status) -> None:
    t = with_status(ticket(status=Status.OPEN), working, T1)
    assert t.resolved_at is None and t.closed_at is None
    assert t.status == working


def test_same_status_is_a_noop_returning_the_same_ticket() -> None:
    t = ticket(status=Status.RESOLVED, resolved_at=T0)
    assert with_status(t, Status.RESOLVED, T2) is t


def test_forbidden_move_raises_and_leaves_ticket_untouched() -> None:
    t = ticket(status=Status.CLOSED, closed_at=T0, resolved_at=T0)
    with pytest.raises(InvalidTransition):
        with_status(t, Status.RESOLVED, T1)
    assert t.status == Status.CLOSED and t.closed_at == T0


def test_with_status_keeps_other_fields() -> None:
    t = ticket(assignee_id="tech-1", version=7)
    moved = with_status(t, Status.IN_PROGRESS, T1)
    assert moved.assignee_id == "tech-1" and moved.version == 7
    assert (moved.priority, moved.subject, moved.client_id) == (t.priority, t.subject, t.client_id)
    assert moved.created_at == T0


# --- apply_patch ------------------------------------------------------------------------------


def changes(activity: list[Activity]) -> list[dict[str, object]]:
    return [a.change for a in activity]


def test_empty_patch_changes_nothing() -> None:
    t = ticket()
    updated, activity = apply_patch(t, TicketPatch(), now=T1, actor="u1", source=SRC)
    assert activity == []
    assert updated == t
    assert updated.updated_at == T0


def test_patch_with_current_values_is_a_noop() -> None:
    t = ticket(assignee_id="tech-1")
    p = patch(status=Status.OPEN, priority=Priority.MEDIUM, subject="VPN down", assignee_id="tech-1")
    updated, activity = apply_patch(t, p, now=T1, actor="u1", source=SRC)
    assert activity == []
    assert updated == t
    assert updated.updated_at == T0


def test_clear_assignee_when_none_is_a_noop() -> None:
    t = ticket(assignee_id=None)
    updated, activity = apply_patch(t, patch(clear_assignee=True), now=T1, actor="u1", source=SRC)
    assert activity == []
    assert updated == t


def test_every_real_change_gets_one_activity_with_actor_source_and_time() -> None:
    t = ticket(assignee_id="tech-1")
    p = patch(
        status=Status.IN_PROGRESS, priority=Priority.HIGH, subject="VPN down at HQ", assignee_id="tech-2"
    )
    updated, activity = apply_patch(t, p, now=T1, actor="u1", source=SRC)
    assert updated.status == Status.IN_PROGRESS
    assert updated.priority == Priority.HIGH
    assert updated.subject == "VPN down at HQ"
    assert updated.assignee_id == "tech-2"
    assert updated.updated_at == T1
    assert sorted(changes(activity), key=lambda c: str(c["field"])) == [
        {"field": "assignee_id", "from": "tech-1", "to": "tech-2"},
        {"field": "priority", "from": "MEDIUM", "to": "HIGH"},
        {"field": "status", "from": "OPEN", "to": "IN_PROGRESS"},
        {"field": "subject", "from": "VPN down", "to": "VPN down at HQ"},
    ]
    for a in activity:
        assert a.at == T1
        assert a.actor == "u1"
        assert a.source == SRC


def test_only_changed_fields_are_logged() -> None:
    t = ticket(priority=Priority.HIGH)
    p = patch(priority=Priority.HIGH, subject="New subject")
    updated, activity = apply_patch(t, p, now=T1, actor="u1", source="automation:r9")
    assert changes(activity) == [{"field": "subject", "from": "VPN down", "to": "New subject"}]
    assert activity[0].source == "automation:r9"
    assert updated.priority == Priority.HIGH


def test_status_change_in_patch_stamps_lifecycle_times() -> None:
    t = ticket(status=Status.IN_PROGRESS)
    resolved, _ = apply_patch(t, patch(status=Status.RESOLVED), now=T1, actor="u1", source=SRC)
    assert resolved.resolved_at == T1 and resolved.closed_at is None
    closed, _ = apply_patch(resolved, patch(status=Status.CLOSED), now=T2, actor="u1", source=SRC)
    assert closed.resolved_at == T1 and closed.closed_at == T2
    reopened, activity = apply_patch(closed, patch(status=Status.IN_PROGRESS), now=T3, actor="u1", source=SRC)
    assert reopened.resolved_at is None and reopened.closed_at is None
    assert changes(activity) == [{"field": "status", "from": "CLOSED", "to": "IN_PROGRESS"}]


def test_forbidden_status_in_patch_raises() -> None:
    t = ticket(status=Status.CLOSED, closed_at=T0, resolved_at=T0)
    with pytest.raises(InvalidTransition):
        apply_patch(t, patch(status=Status.WAITING_ON_CUSTOMER), now=T1, actor="u1", source=SRC)


def test_clear_assignee() -> None:
    t = ticket(assignee_id="tech-1")
    updated, activity = apply_patch(t, patch(clear_assignee=True), now=T1, actor="u1", source=SRC)
    assert updated.assignee_id is None
    assert updated.updated_at == T1
    assert changes(activity) == [{"field": "assignee_id", "from": "tech-1", "to": None}]
    assert activity[0].source == SRC


def test_assign_from_nobody() -> None:
    updated, activity = apply_patch(ticket(), patch(assignee_id="tech-3"), now=T1, actor="u1", source=SRC)
    assert updated.assignee_id == "tech-3"
    assert changes(activity) == [{"field": "assignee_id", "from": None, "to": "tech-3"}]


def test_apply_patch_does_not_mutate_input() -> None:
    t = ticket(assignee_id="tech-1")
    snapshot = replace(t)
    apply_patch(t, patch(status=Status.RESOLVED, clear_assignee=True), now=T1, actor="u1", source=SRC)
    assert t == snapshot


def test_patch_keeps_identity_and_untouched_fields() -> None:
    t = ticket(assignee_id="tech-1")
    updated, _ = apply_patch(t, patch(subject="x"), now=T1, actor="u1", source=SRC)
    assert (updated.id, updated.tenant_id, updated.number) == (t.id, t.tenant_id, t.number)
    assert updated.client_id == "c1"
    assert (updated.status, updated.priority, updated.assignee_id) == (t.status, t.priority, "tech-1")
    assert updated.created_at == T0
