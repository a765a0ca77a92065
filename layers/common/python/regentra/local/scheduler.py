"""The local clock and the schedules of template.yaml that run on it.

The local clock is real time plus an offset the user can grow (POST /_local/clock). Each
schedule remembers when it last ran; whenever the clock moves, every run that came due is
replayed in time order with the clock pinned to that run's instant, as EventBridge would
have fired it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from regentra.local.events import schedule_event
from regentra.local.template import Schedule

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")


def rate_interval(expression: str) -> timedelta:
    m = _RATE.match(expression.strip())
    if not m:
        raise ValueError(f"only rate(...) schedules run locally, not {expression!r}")
    n, unit = int(m.group(1)), m.group(2).rstrip("s")
    return timedelta(**{f"{unit}s": n})


class LocalClock:
    """Real time plus an offset that only grows; can be pinned while a schedule replays."""

    def __init__(self, state_file: Path | None = None, now: Callable[[], datetime] | None = None) -> None:
        self._real = now or (lambda: datetime.now(UTC))
        self._state_file = state_file
        self._offset = timedelta()
        self._pinned: datetime | None = None
        self._lock = threading.RLock()
        if state_file and state_file.exists():
            self._offset = timedelta(seconds=float(json.loads(state_file.read_text())["offset_seconds"]))

    def now(self) -> datetime:
        with self._lock:
            return self._pinned if self._pinned is not None else self._real() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta():
            raise ValueError("the local clock only moves forward")
        with self._lock:
            self._offset += delta
            if self._state_file:
                self._state_file.write_text(json.dumps({"offset_seconds": self._offset.total_seconds()}))
            return self._real() + self._offset

    @contextmanager
    def pinned(self, at: datetime) -> Iterator[None]:
        with self._lock:
            self._pinned = at
            try:
                yield
            finally:
                self._pinned = None


class Scheduler:
    """Replays due schedule runs. A long jump (say a day of a 1-minute schedule) is thinned to
    at most `max_runs` evenly spaced runs, always including the last: the jobs act on what is due
    by their run time and stamp events with the moment they became true, so the outcome is the
    same; only wall time is saved."""

    def __init__(
        self,
        schedules: list[Schedule],
        clock: LocalClock,
        invoke: Callable[[str, dict[str, Any]], Any],
        max_runs: int = 60,
        run_lock: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.max_runs = max_runs
        self.clock = clock
        self.invoke = invoke
        # The lock every function run takes (the function host's). A run takes it BEFORE pinning the
        # clock: a handler running on another thread holds it and reads the clock, so pinning first
        # and then waiting for it would deadlock (scheduler: clock -> host; request: host -> clock).
        self._run_lock: AbstractContextManager[Any] = run_lock or threading.RLock()
        start = clock.now()
        self._entries = [(s, rate_interval(s.expression)) for s in schedules]
        self._last: dict[tuple[str, str], datetime] = {(s.function, s.name): start for s, _ in self._entries}
        self._lock = threading.Lock()
        self.runs: list[tuple[str, datetime]] = []  # (function, instant) of every run, for inspection

    def run_due(self) -> int:
        """Run every schedule that came due up to the clock's now, in time order. Returns runs made."""
        with self._lock:
            until = self.clock.now()
            due: list[tuple[datetime, Schedule]] = []
            for sched, every in self._entries:
                key = (sched.function, sched.name)
                count = int((until - self._last[key]) / every)
                if count <= 0:
                    continue
                step = max(1, -(-count // self.max_runs))  # ceil(count / max_runs)
                picks = sorted({*range(count, 0, -step)})  # counts back from the last run
                due += [(self._last[key] + every * k, sched) for k in picks]
                self._last[key] += every * count
            due.sort(key=lambda x: (x[0], x[1].function))
            for at, sched in due:
                event = (
                    json.loads(sched.input)
                    if sched.input
                    else schedule_event(f"{sched.function}-{sched.name}", at)
                )
                with self._run_lock, self.clock.pinned(at):
                    self.invoke(sched.function, event)
                self.runs.append((sched.function, at))
            return len(due)
