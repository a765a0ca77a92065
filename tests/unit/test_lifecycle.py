"""Ticket lifecycle: every (from, to) pair against the table in API.md "Lifecycle", written out here
by hand so that a change to the module cannot silently change what the tests expect."""

from __future__ import annotations

import pytest

from regentra.domain.enums import Status
from regentra.domain.lifecycle import ALLOWED_TRANSITIONS, can_transition, check_transition
from regentra.errors import InvalidTransition

OPN, PRG, WAI, ESC, RES, CLO = "OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ESCALATED", "RESOLVED", "CLOSED"
ORDER = [OPN, PRG, WAI, ESC, RES, CLO]

# Rows: from; columns: to, in ORDER. "=" same status (allowed no-op), "Y" allowed, "." forbidden (409).
MATRIX_TEXT = """
                      OPEN  IN_PROGRESS  WAITING  ESCALATED  RESOLVED  CLOSED
OPEN                   =        Y           Y         Y          Y        Y
IN_PROGRESS            .        =           Y         Y          Y        Y
WAITING_ON_CUSTOMER    .        Y           =         Y          Y        Y
ESCALATED              .        Y           Y         =          Y        Y
RESOLVED               .        Y           .         .          =        Y
CLOSED                 .        Y           .         .          .        =
"""


def _matrix() -> dict[tuple[str, str], str]:
    rows = [line.split() for line in MATRIX_TEXT.strip().splitlines()[1:]]
    assert [r[0] for r in rows] == ORDER
    out = {}
    for row in rows:
        cells = row[1:]
        assert len(cells) == 6, row
        for target, cell in zip(ORDER, cells, strict=True):
            out[(row[0], target)] = cell
    return out


EXPECTED = _matrix()
PAIRS = [(a, b) for a in ORDER for b in ORDER]


def test_matrix_is_complete_and_consistent() -> None:
    assert len(EXPECTED) == 36
    assert all((EXPECTED[(s, s)] == "=") for s in ORDER)
    assert all(EXPECTED[(a, b)] in "Y." for a, b in PAIRS if a != b)
    # Spot-check the parse against the prose of API.md, so a mis-typed grid is caught.
    assert {b for b in ORDER if EXPECTED[(RES, b)] == "Y"} == {PRG, CLO}
    assert {b for b in ORDER if EXPECTED[(CLO, b)] == "Y"} == {PRG}
    assert {b for b in ORDER if EXPECTED[(OPN, b)] == "Y"} == {PRG, WAI, ESC, RES, CLO}


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition(current: str, target: str) -> None:
    cur, tgt = Status(current), Status(target)
    expected = EXPECTED[(current, target)]
    if expected in "=Y":
        assert can_transition(cur, tgt) is True
        check_transition(cur, tgt)  # does not raise
        if expected == "=":
            assert tgt not in ALLOWED_TRANSITIONS[cur], "same status is a no-op, not a listed move"
        else:
            assert tgt in ALLOWED_TRANSITIONS[cur]
    else:
        assert can_transition(cur, tgt) is False
        assert tgt not in ALLOWED_TRANSITIONS[cur]
        with pytest.raises(InvalidTransition) as info:
            check_transition(cur, tgt)
        err = info.value
        assert err.code == "invalid_transition"
        assert err.details, "a 409 must say what was refused"
        detail = err.details[0]
        assert detail["from"] == current
        assert detail["to"] == target
        assert detail.get("field") == "status"
        assert current in err.message and target in err.message


def test_allowed_transitions_covers_every_status_exactly() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(Status)
    for current in ORDER:
        listed = {str(s) for s in ALLOWED_TRANSITIONS[Status(current)]}
        assert listed == {b for b in ORDER if EXPECTED[(current, b)] == "Y"}, current


def test_invalid_transition_details_list_the_allowed_targets() -> None:
    with pytest.raises(InvalidTransition) as info:
        check_transition(Status.CLOSED, Status.RESOLVED)
    assert [str(s) for s in info.value.details[0]["allowed"]] == [PRG]
