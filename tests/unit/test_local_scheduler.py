"""The local clock and the replay of template schedules (the mechanism behind POST /_local/clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regentra.local.scheduler import LocalClock, Scheduler, rate_interval
from regentra.local.template import Schedule

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_rate_expressions():
    assert rate_interval("rate(1 minute)") == timedelta(minutes=1)
    assert rate_interval("rate(5 minutes)") == timedelta(minutes=5)
    assert rate_interval("rate(2 hours)") == timedelta(hours=2)
    assert rate_interval("rate(1 day)") == timedelta(days=1)
    with pytest.raises(ValueError):
        rate_interval("cron(0 12 * * ? *)")


def test_clock_moves_only_forward_and_persists(tmp_path):
    state = tmp_path / "clock.json"
    clock = LocalClock(state, now=lambda: T0)
    assert clock.now() == T0
    clock.advance(timedelta(minutes=90))
    assert clock.now() == T0 + timedelta(minutes=90)
    with pytest.raises(ValueError):
        clock.advance(timedelta(minutes=-1))
    assert LocalClock(state, now=lambda: T0).now() == T0 + timedelta(minutes=90)


def test_every_due_run_is_replayed_in_time_order_at_its_own_instant():
    clock = LocalClock(now=lambda: T0)
    seen: list[tuple[str, datetime, str]] = []

    def invoke(function: str, event: dict) -> None:
        seen.append((function, clock.now(), event["time"]))

    sched = Scheduler(
        [
            Schedule("SweepFunction", "Every", "rate(1 minute)"),
            Schedule("CloseFunction", "Every", "rate(5 minutes)"),
        ],
        clock,
        invoke,
    )
    assert sched.run_due() == 0
    clock.advance(timedelta(minutes=10))
    assert sched.run_due() == 12
    sweeps = [at for fn, at, _ in seen if fn == "SweepFunction"]
    closes = [at for fn, at, _ in seen if fn == "CloseFunction"]
    assert sweeps == [T0 + timedelta(minutes=m) for m in range(1, 11)]
    assert closes == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=10)]
    assert [at for _, at, _ in seen] == sorted(at for _, at, _ in seen)
    assert seen[0][2] == "2026-11-23T09:01:00Z"  # the EventBridge event carries its own time
    assert clock.now() == T0 + timedelta(minutes=10)  # unpinned after the replay
    assert sched.run_due() == 0  # nothing runs twice


def test_template_schedules_are_read_from_the_template(template):
    # Every schedule in template.yaml must be one the local scheduler can run.
    for s in template.schedules():
        assert rate_interval(s.expression) > timedelta(0)
        assert s.function in template.functions()


def test_a_long_jump_is_thinned_but_always_ends_at_the_last_run():
    clock = LocalClock(now=lambda: T0)
    seen: list[datetime] = []
    sched = Scheduler(
        [Schedule("Sweep", "Every", "rate(1 minute)")],
        clock,
        lambda f, e: seen.append(clock.now()),
        max_runs=60,
    )
    clock.advance(timedelta(hours=24))
    runs = sched.run_due()
    assert 1 <= runs <= 60 and len(seen) == runs
    assert seen[-1] == T0 + timedelta(hours=24)
    assert seen == sorted(seen)
    clock.advance(timedelta(minutes=3))
    assert sched.run_due() == 3  # short jumps replay every run
