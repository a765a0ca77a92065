"""The web app greys out board columns and status choices the lifecycle forbids, from its own copy
of the transition table (web/src/components/tickets.ts); the API enforces the real one
(regentra.domain.lifecycle). This keeps the copy equal to the rule."""

from __future__ import annotations

import re
from pathlib import Path

from regentra.domain.enums import Status
from regentra.domain.lifecycle import ALLOWED_TRANSITIONS

TICKETS_TS = Path(__file__).resolve().parents[2] / "web" / "src" / "components" / "tickets.ts"


def web_transitions() -> dict[str, set[str]]:
    source = TICKETS_TS.read_text()
    block = re.search(r"const ALLOWED: Record<Status, Status\[\]> = \{(.*?)\n\};", source, re.S)
    assert block, "the ALLOWED table moved: update this test"
    rows = re.findall(r"^\s*([A-Z_]+): \[([^\]]*)\],?$", block.group(1), re.M)
    return {name: set(re.findall(r'"([A-Z_]+)"', targets)) for name, targets in rows}


def test_the_web_apps_transition_table_is_the_lifecycles():
    expected = {s.value: {t.value for t in ALLOWED_TRANSITIONS[s]} for s in Status}
    assert web_transitions() == expected
