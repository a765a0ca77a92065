"""The one guarded path for priority (API.md "Priority"): the whole source × current × requested matrix."""

from __future__ import annotations

import pytest

from regentra.domain.enums import Priority
from regentra.domain.priority import decide_priority
from regentra.errors import Forbidden, ValidationFailed

L, M, H, C = Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL
ALL = [L, M, H, C]
PAIRS = [(cur, req) for cur in ALL for req in ALL]
PAIR_IDS = [f"{cur}->{req}" for cur, req in PAIRS]
POLICIES = ["policy:vip", "policy:spike", "policy:ai_security", "policy:ai_frustration"]

# Written out by hand: what a policy escalation ends with, keyed by (current, requested).
# Only LOW/MEDIUM asked to go to HIGH move (to HIGH); everything else stays where it is.
POLICY_EXPECTED = {
    (L, L): L, (L, M): L, (L, H): H, (L, C): L,
    (M, L): M, (M, M): M, (M, H): H, (M, C): M,
    (H, L): H, (H, M): H, (H, H): H, (H, C): H,
    (C, L): C, (C, M): C, (C, H): C, (C, C): C,
}  # fmt: skip


@pytest.mark.parametrize("source", ["staff:u1", "automation:r1"])
@pytest.mark.parametrize(("current", "requested"), PAIRS, ids=PAIR_IDS)
def test_staff_and_automation_set_any_value(source: str, current: Priority, requested: Priority) -> None:
    assert decide_priority(current, requested, source) == requested


@pytest.mark.parametrize("source", POLICIES)
@pytest.mark.parametrize(("current", "requested"), PAIRS, ids=PAIR_IDS)
def test_policy_escalation(source: str, current: Priority, requested: Priority) -> None:
    result = decide_priority(current, requested, source)
    assert result == POLICY_EXPECTED[(current, requested)]
    # The invariants behind the table, stated directly.
    assert ALL.index(result) >= ALL.index(current), "a policy never lowers"
    assert result in (current, H)


def test_policy_table_is_complete() -> None:
    assert len(POLICY_EXPECTED) == 16
    assert {k for k, v in POLICY_EXPECTED.items() if v != k[0]} == {(L, H), (M, H)}


@pytest.mark.parametrize("source", ["policy:unknown", "policy:", "policy:VIP", "policy:vip ", "policy"])
def test_unknown_policy_is_a_validation_error(source: str) -> None:
    with pytest.raises(ValidationFailed):
        decide_priority(L, H, source)


@pytest.mark.parametrize(
    "source", ["customer:c1", "ai:x", "", "ai", "schedule:auto_close", "Staff:u1", "system:x"]
)
@pytest.mark.parametrize(("current", "requested"), [(L, H), (H, H), (C, L)], ids=["raise", "same", "lower"])
def test_other_callers_are_forbidden(source: str, current: Priority, requested: Priority) -> None:
    with pytest.raises(Forbidden) as info:
        decide_priority(current, requested, source)
    assert info.value.code == "forbidden"


@pytest.mark.parametrize("source", ["staff:", "automation:", "staff", "automation"])
def test_staff_and_automation_need_an_id(source: str) -> None:
    with pytest.raises(ValidationFailed):
        decide_priority(L, H, source)
