"""The one guarded path for priority, beyond decide_priority (test_priority.py): the activity entry
each change leaves, and the repository's guard that refuses any other priority write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.priority import PriorityChange, apply_priority, check_priority_write, decide_priority
from regentra.domain.tickets import Ticket
from regentra.errors import Forbidden, ValidationFailed

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
L, M, H, C = Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL
ALL = [L, M, H, C]
PAIRS = [(cur, req) for cur in ALL for req in ALL]
SOURCES = [
    "staff:u1",
    "automation:r1",
    "policy:vip",
    "policy:spike",
    "policy:ai_security",
    "policy:ai_frustration",
]


def ticket(priority: Priority) -> Ticket:
    return Ticket(
        tenant_id="t",
        id="01J0000000000000000000000A",
        number=1,
        subject="s",
        description="",
        status=Status.OPEN,
        priority=priority,
        channel=Channel.PORTAL,
        client_id="c",
        created_at=NOW,
        updated_at=NOW,
        version=3,
    )


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("current", "requested"), PAIRS, ids=[f"{c}->{r}" for c, r in PAIRS])
def test_apply_priority_logs_each_change_with_its_source(
    source: str, current: Priority, requested: Priority
) -> None:
    before = ticket(current)
    after, activity, change = apply_priority(before, requested, source, now=NOW, actor="x")
    expected = decide_priority(current, requested, source)
    assert after.priority == expected
    if expected == current:
        assert (after, activity, change) == (before, [], None)
    else:
        assert change == PriorityChange(current, source)
        assert [(a.source, a.change) for a in activity] == [
            (source, {"field": "priority", "from": str(current), "to": str(expected)})
        ]
        assert after.updated_at == NOW


@pytest.mark.parametrize("source", ["customer:c1", "ai:analyzer", "schedule:sla_sweep"])
def test_nobody_else_may_apply_a_priority(source: str) -> None:
    with pytest.raises(Forbidden):
        apply_priority(ticket(L), H, source, now=NOW, actor="x")


# --- the repository's guard -----------------------------------------------------------------------


@pytest.mark.parametrize(("stored", "written"), PAIRS, ids=[f"{c}->{r}" for c, r in PAIRS])
def test_a_write_without_a_priority_change_keeps_the_stored_priority(
    stored: Priority, written: Priority
) -> None:
    if stored == written:
        check_priority_write(stored, written, None)
    else:
        with pytest.raises(Forbidden):
            check_priority_write(stored, written, None)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("stored", "written"), PAIRS, ids=[f"{c}->{r}" for c, r in PAIRS])
def test_a_priority_change_is_re_decided_by_the_guard(
    source: str, stored: Priority, written: Priority
) -> None:
    change = PriorityChange(stored, source)
    if decide_priority(stored, written, source) == written:
        check_priority_write(stored, written, change)
    else:  # e.g. a policy lowering, or raising to CRITICAL
        with pytest.raises(Forbidden):
            check_priority_write(stored, written, change)


def test_the_guard_refuses_a_change_read_from_another_priority() -> None:
    with pytest.raises(Forbidden):
        check_priority_write(M, H, PriorityChange(L, "policy:vip"))


@pytest.mark.parametrize("source", ["customer:c1", "ai:analyzer", "policy:nope", "staff:"])
def test_the_guard_refuses_other_sources(source: str) -> None:
    with pytest.raises((Forbidden, ValidationFailed)):
        check_priority_write(L, H, PriorityChange(L, source))
