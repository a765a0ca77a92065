"""Policy settings and spike windows (pure), and the local EventBridge bus: rules read from
template.yaml, EventBridge-shaped events, matching, retries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from regentra.domain.policies import PolicySettings, SpikePolicy, bucket_minutes, is_spike, window_buckets
from regentra.local.bus import BusRouter, BusRule, bridge_event, bus_rules
from regentra.local.template import Template

AT = datetime(2026, 11, 23, 9, 12, 40, tzinfo=UTC)


def test_policy_defaults_are_api_md() -> None:
    assert PolicySettings().model_dump() == {
        "vip": True,
        "spike": {"enabled": True, "threshold": 5, "window_minutes": 15},
        "ai_security": True,
        "ai_frustration": True,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"vip": "yes"},
        {"spike": {"threshold": 1}},
        {"spike": {"window_minutes": 0}},
        {"spike": {"window_minutes": 1441}},
        {"spike": {"enabled": True, "threshold": 5, "window_minutes": 15, "per": "client"}},
        {"surprise": True},
    ],
)
def test_bad_policy_settings(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PolicySettings.model_validate(body)


def test_fifteen_minute_window_is_fifteen_one_minute_buckets() -> None:
    size, names = window_buckets(AT, 15)
    assert size == 1
    assert names[0] == "2026-11-23T09:12" and names[-1] == "2026-11-23T08:58"
    assert len(names) == 15 and len(set(names)) == 15


def test_long_windows_use_longer_buckets_read_in_one_batch() -> None:
    assert bucket_minutes(100) == 1 and bucket_minutes(101) == 2 and bucket_minutes(1440) == 15
    size, names = window_buckets(AT, 1440)
    assert size == 15 and len(names) == 96 and names[0] == "2026-11-23T09:00"


def test_is_spike() -> None:
    policy = SpikePolicy(threshold=5, window_minutes=15)
    assert [is_spike(n, policy) for n in (4, 5, 6)] == [False, True, True]
    assert not is_spike(9, SpikePolicy(enabled=False))


# --- the local bus --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules() -> list[BusRule]:
    return bus_rules(Template.load())


def event(kind: str, **detail: Any) -> dict[str, Any]:
    return {
        "id": "T#t#TICKET#1|EVT#k",
        "type": kind,
        "at": "2026-11-23T09:00:00.000000+0000",
        "detail": {"tenant_id": "t", "ticket_id": "1", **detail},
    }


def targets(rules: list[BusRule], ev: dict[str, Any]) -> set[str]:
    calls: list[str] = []
    BusRouter(rules, lambda fn, e: calls.append(fn)).route([ev])
    return set(calls)


def test_template_rules_route_each_event_to_its_consumers(rules: list[BusRule]) -> None:
    assert targets(rules, event("TicketCreated")) >= {
        "AnalyzeTicketFunction",
        "PriorityPoliciesFunction",
        "RunAutomationsFunction",
    }
    assert "AnalyzeTicketFunction" in targets(rules, event("ReplyAdded", author_type="customer"))
    staff_reply = targets(rules, event("ReplyAdded", author_type="staff"))
    assert "AnalyzeTicketFunction" not in staff_reply and "RunAutomationsFunction" in staff_reply
    for kind in ("StatusChanged", "TicketUpdated", "SlaAtRisk", "SlaBreached"):
        assert "RunAutomationsFunction" in targets(rules, event(kind))
        assert "PriorityPoliciesFunction" not in targets(rules, event(kind))


def test_bridge_event_is_shaped_like_eventbridge() -> None:
    shaped = bridge_event(event("TicketCreated", priority="LOW"))
    assert shaped["source"] == "regentra.tickets" and shaped["detail-type"] == "TicketCreated"
    assert shaped["time"] == "2026-11-23T09:00:00Z"
    assert shaped["detail"]["event_id"] == "T#t#TICKET#1|EVT#k" and shaped["detail"]["priority"] == "LOW"
    assert bridge_event(event("TicketCreated"))["id"] == shaped["id"]  # stable for one outbox item


def test_a_failing_target_is_retried_then_dead_lettered_without_failing_the_publisher() -> None:
    attempts: list[str] = []

    def invoke(fn: str, e: dict[str, Any]) -> None:
        attempts.append(fn)
        if fn == "Broken":
            raise RuntimeError("boom")

    pattern = {"source": ["regentra.tickets"]}
    router = BusRouter([BusRule("Broken", "r", pattern), BusRule("Fine", "r", pattern)], invoke)
    assert router.route([event("TicketCreated")]) == 2
    assert attempts == ["Broken"] * 3 + ["Fine"]
    assert [d["function"] for d in router.dead_letters] == ["Broken"]
