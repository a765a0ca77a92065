"""The pure rules of master and child tickets (regentra.domain.cascade)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regentra.domain import cascade as rules
from regentra.domain.cascade import CascadeChange
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.tickets import Ticket, with_status
from regentra.errors import Conflict, InvalidTransition

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ticket(tid: str = "01JAAAAAAAAAAAAAAAAAAAAAAA", **kw: object) -> Ticket:
    base = Ticket(
        tenant_id="t", id=tid, number=1, subject="s", description="", status=Status.OPEN,
        priority=Priority.HIGH, channel=Channel.EMAIL, client_id="c", created_at=NOW, updated_at=NOW,
        version=3,
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


MASTER = ticket("01JMMMMMMMMMMMMMMMMMMMMMMM", is_master=True)


def test_promote_and_demote() -> None:
    promoted, activity = rules.promote(ticket(), NOW, "u", "staff:u")
    assert promoted.is_master and activity[0].change == {"field": "is_master", "from": False, "to": True}
    assert rules.promote(promoted, NOW, "u", "staff:u") == (promoted, [])
    with pytest.raises(Conflict):
        rules.promote(ticket(master_id=MASTER.id), NOW, "u", "staff:u")
    with pytest.raises(Conflict):
        rules.demote(replace(MASTER, child_count=1), NOW, "u", "staff:u")
    demoted, activity = rules.demote(MASTER, NOW, "u", "staff:u")
    assert not demoted.is_master and activity
    assert rules.demote(ticket(), NOW, "u", "staff:u") == (ticket(), [])


@pytest.mark.parametrize(
    ("child", "reason"),
    [
        (ticket(), None),
        (ticket(master_id=MASTER.id), None),  # already this master's: fine (no-op)
        (ticket(master_id="01JOTHEROTHEROTHEROTHEROTH"), rules.HAS_MASTER),
        (ticket(is_master=True), rules.IS_MASTER),
        (None, rules.NOT_FOUND),
    ],
)
def test_link_rejection(child: Ticket | None, reason: str | None) -> None:
    assert rules.link_rejection(MASTER, "01JAAAAAAAAAAAAAAAAAAAAAAA", child) == reason


def test_a_ticket_is_not_its_own_child() -> None:
    assert rules.link_rejection(MASTER, MASTER.id, MASTER) == rules.SELF


def test_eligibility_and_prompt() -> None:
    kids = [
        ticket(status=s) for s in (Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CLOSED)
    ]
    assert [rules.is_eligible(k) for k in kids] == [True, True, False, False]
    resolved = with_status(MASTER, Status.RESOLVED, NOW + timedelta(minutes=5))
    assert rules.moved_to_done(resolved)
    assert not rules.moved_to_done(replace(resolved, updated_at=NOW + timedelta(minutes=6)))
    assert rules.cascade_prompt(resolved, kids) == {
        "status": "RESOLVED", "eligible_children": 2, "skipped_children": 2,
    }  # fmt: skip


def test_cascade_id_is_the_same_for_the_same_request_on_the_same_master_version() -> None:
    change = CascadeChange(status=Status.RESOLVED, reply_body="fixed")
    a = rules.cascade_id_for("t", MASTER, change)
    assert rules.is_cascade_id(a) and a == rules.cascade_id_for("t", MASTER, change)
    assert a != rules.cascade_id_for("t2", MASTER, change)
    assert a != rules.cascade_id_for("t", replace(MASTER, version=4), change)
    assert a != rules.cascade_id_for("t", MASTER, replace(change, reply_body="fixed!"))
    assert CascadeChange.from_dict(change.as_dict()) == change


def test_applying_without_a_reply() -> None:
    change = CascadeChange(status=Status.RESOLVED, assignee_id="lead")
    updated, activity = rules.apply_without_reply(ticket(), change, NOW, "u", "cascade:x")
    assert updated.status == Status.RESOLVED and updated.assignee_id == "lead" and updated.resolved_at == NOW
    assert [a.change.get("field") for a in activity] == ["assignee_id", "status"]
    assert {a.source for a in activity} == {"cascade:x"}
    with pytest.raises(InvalidTransition):
        rules.apply_without_reply(
            ticket(status=Status.CLOSED), CascadeChange(status=Status.ESCALATED), NOW, "u", "s"
        )


def test_guard_leaves_finished_or_unlinked_children_alone() -> None:
    rules.guard_child(ticket(master_id=MASTER.id), MASTER.id)
    for child in (ticket(master_id=MASTER.id, status=Status.RESOLVED), ticket(master_id=None)):
        with pytest.raises(rules.ChildFinished):
            rules.guard_child(child, MASTER.id)


def test_tally() -> None:
    assert rules.tally(["1", "1", "skipped", "failed", "?"]) == {"applied": 2, "skipped": 1, "failed": 1}
