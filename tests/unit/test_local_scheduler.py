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


def test_a_schedule_run_waits_for_a_running_function_before_pinning_the_clock():
    """A request's handler holds the function host's lock and reads the clock; a schedule run that
    came due meanwhile must not pin the clock first and then wait for that lock (the deadlock
    `regentra local` once hit under load: scheduler clock -> host, request host -> clock)."""
    import threading

    clock = LocalClock(now=lambda: T0)
    host_lock = threading.RLock()
    ran: list[datetime] = []

    def invoke(function: str, event: dict) -> None:  # the function host: one function at a time
        with host_lock:
            ran.append(clock.now())

    sched = Scheduler([Schedule("Sweep", "Every", "rate(1 minute)")], clock, invoke, run_lock=host_lock)
    clock.advance(timedelta(minutes=1))
    handler_in = threading.Event()
    handler_may_read = threading.Event()
    read: list[datetime] = []

    def request() -> None:  # a handler running on a gateway thread
        with host_lock:
            handler_in.set()
            handler_may_read.wait(10)
            read.append(clock.now())

    req = threading.Thread(target=request, daemon=True)
    req.start()
    assert handler_in.wait(10)
    tick = threading.Thread(target=sched.run_due, daemon=True)
    tick.start()
    tick.join(0.3)  # give the schedule run time to reach the lock (or, wrongly, to pin the clock)
    handler_may_read.set()
    req.join(10)
    tick.join(10)
    assert not req.is_alive() and not tick.is_alive(), "deadlock between a schedule run and a request"
    assert read == [T0 + timedelta(minutes=1)]  # the handler read the real (unpinned) clock
    assert ran == [T0 + timedelta(minutes=1)]
