"""SLA timers as pure data and pure functions (API.md "SLA").

A timer runs from `started_at`; business time inside `pauses` does not count; it stops
once (`stopped_at`) and may be resumed, the stopped stretch then counting as a pause.
Its due instant is `started_at + target` business minutes, moved by paused business time.
A breach is permanent: once seen (`breached`), the timer stays BREACHED.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from regentra.clock import iso, parse_iso
from regentra.domain.calendar import BusinessCalendar, add, elapsed
from regentra.domain.enums import Priority, SlaStatus, Status
from regentra.domain.sla_policy import SlaPolicySettings

RESPONSE = "response"
RESOLUTION = "resolution"
TIMER_NAMES = (RESPONSE, RESOLUTION)

_WORST = {SlaStatus.BREACHED: 3, SlaStatus.AT_RISK: 2, SlaStatus.ON_TRACK: 1, SlaStatus.MET: 0}


@dataclass(frozen=True)
class Timer:
    started_at: datetime
    target_minutes: int
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    stopped_at: datetime | None = None
    breached: bool = False
    at_risk_notified: bool = False
    breach_notified: bool = False
    # What the SLA report last counted for this timer, so a re-stop corrects instead of adding.
    reported_outcome: str | None = None
    reported_minutes: float = 0.0

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.paused

    def closed_pauses(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """Pauses with an open end closed at `now` (the due time if the pause ended now)."""
        return [(s, e if e is not None else max(s, now)) for s, e in self.pauses]

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": iso(self.started_at),
            "target_minutes": self.target_minutes,
            "pauses": [[iso(s), iso(e)] for s, e in self.pauses],
            "stopped_at": iso(self.stopped_at),
            "breached": self.breached,
            "at_risk_notified": self.at_risk_notified,
            "breach_notified": self.breach_notified,
            "reported_outcome": self.reported_outcome,
            "reported_minutes": self.reported_minutes,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Timer:
        return cls(
            started_at=parse_iso(d["started_at"]),
            target_minutes=int(d["target_minutes"]),
            pauses=tuple((parse_iso(s), parse_iso(e) if e else None) for s, e in d.get("pauses", [])),
            stopped_at=parse_iso(d["stopped_at"]) if d.get("stopped_at") else None,
            breached=bool(d.get("breached")),
            at_risk_notified=bool(d.get("at_risk_notified")),
            breach_notified=bool(d.get("breach_notified")),
            reported_outcome=d.get("reported_outcome"),
            reported_minutes=float(d.get("reported_minutes") or 0.0),
        )


def due_at(timer: Timer, cal: BusinessCalendar, now: datetime) -> datetime:
    return add(cal, timer.started_at, timedelta(minutes=timer.target_minutes), timer.closed_pauses(now))


def at_risk_at(timer: Timer, cal: BusinessCalendar, now: datetime, at_risk_percent: int) -> datetime:
    threshold = timedelta(minutes=timer.target_minutes) * at_risk_percent / 100
    return add(cal, timer.started_at, threshold, timer.closed_pauses(now))


def business_elapsed(timer: Timer, cal: BusinessCalendar, now: datetime) -> timedelta:
    end = timer.stopped_at if timer.stopped_at is not None else now
    return elapsed(cal, timer.started_at, end, timer.closed_pauses(end))


def timer_status(timer: Timer, cal: BusinessCalendar, now: datetime, at_risk_percent: int) -> SlaStatus:
    if timer.breached:
        return SlaStatus.BREACHED
    target = timedelta(minutes=timer.target_minutes)
    spent = business_elapsed(timer, cal, now)
    if timer.stopped_at is not None:
        return SlaStatus.MET if spent <= target else SlaStatus.BREACHED
    if spent > target or (spent == target and now > due_at(timer, cal, now)):
        return SlaStatus.BREACHED
    if spent >= target * at_risk_percent / 100:
        return SlaStatus.AT_RISK
    return SlaStatus.ON_TRACK


def pause(timer: Timer, now: datetime) -> Timer:
    if not timer.running:
        return timer
    return replace(timer, pauses=(*timer.pauses, (now, None)))


def resume(timer: Timer, now: datetime) -> Timer:
    """End a pause, or restart a stopped timer (the stopped stretch then counts as a pause)."""
    if timer.stopped_at is not None:
        start = timer.stopped_at
        return replace(timer, stopped_at=None, pauses=(*timer.pauses, (start, now)))
    if timer.paused:
        start = timer.pauses[-1][0]
        return replace(timer, pauses=(*timer.pauses[:-1], (start, now)))
    return timer


def stop(timer: Timer, now: datetime, cal: BusinessCalendar) -> Timer:
    if timer.stopped_at is not None:
        return timer
    if timer.paused:
        timer = resume(timer, now)
    stopped = replace(timer, stopped_at=now)
    if business_elapsed(stopped, cal, now) > timedelta(minutes=timer.target_minutes):
        stopped = replace(stopped, breached=True)  # a late stop is a breach, for good
    return stopped


# --- the ticket's SLA: policy snapshot + two timers ---------------------------------------------


@lru_cache(maxsize=256)
def _policy(text: str) -> SlaPolicySettings:
    """Tickets of one tenant share a few policy snapshots: parse each once per process."""
    return SlaPolicySettings.model_validate_json(text)


@dataclass(frozen=True)
class TicketSla:
    policy: SlaPolicySettings
    policy_id: str
    priority: Priority
    response: Timer
    resolution: Timer

    def calendar(self) -> BusinessCalendar:
        return self.policy.calendar_for(str(self.priority))

    def timer(self, name: str) -> Timer:
        return self.response if name == RESPONSE else self.resolution

    def with_timer(self, name: str, timer: Timer) -> TicketSla:
        return replace(self, response=timer) if name == RESPONSE else replace(self, resolution=timer)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy.model_dump(mode="json"),
            "policy_id": self.policy_id,
            "priority": str(self.priority),
            RESPONSE: self.response.to_dict(),
            RESOLUTION: self.resolution.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TicketSla:
        return cls(
            policy=_policy(json.dumps(d["policy"], sort_keys=True)),
            policy_id=d["policy_id"],
            priority=Priority(d["priority"]),
            response=Timer.from_dict(d[RESPONSE]),
            resolution=Timer.from_dict(d[RESOLUTION]),
        )


def start_sla(
    policy: SlaPolicySettings, policy_id: str, priority: Priority, created_at: datetime
) -> TicketSla:
    target = policy.target(str(priority))
    return TicketSla(
        policy=policy,
        policy_id=policy_id,
        priority=priority,
        response=Timer(started_at=created_at, target_minutes=target.response_minutes),
        resolution=Timer(started_at=created_at, target_minutes=target.resolution_minutes),
    )


WORKING = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.ESCALATED})
DONE = frozenset({Status.RESOLVED, Status.CLOSED})


def on_status_change(
    sla: TicketSla, before: Status, after: Status, now: datetime, *, responded: bool
) -> TicketSla:
    """Resolution runs in OPEN/IN_PROGRESS/ESCALATED, pauses in WAITING_ON_CUSTOMER, stops when
    RESOLVED/CLOSED and resumes on reopen. The response timer stops with the ticket's resolution
    too, and resumes on reopen only while nobody has answered yet."""
    if before == after:
        return sla
    cal = sla.calendar()
    response, resolution = sla.response, sla.resolution
    if after in DONE:
        resolution = stop(resolution, now, cal)
        response = stop(response, now, cal)
    elif after == Status.WAITING_ON_CUSTOMER:
        resolution = pause(resume(resolution, now), now)
        if not responded:
            response = resume(response, now)
    else:  # a working status
        resolution = resume(resolution, now)
        if not responded:
            response = resume(response, now)
    return replace(sla, response=response, resolution=resolution)


def on_first_response(sla: TicketSla, now: datetime) -> TicketSla:
    return replace(sla, response=stop(sla.response, now, sla.calendar()))


def on_priority_change(sla: TicketSla, priority: Priority) -> TicketSla:
    """A new priority takes its target from the policy the ticket was created under."""
    target = sla.policy.target(str(priority))
    return replace(
        sla,
        priority=priority,
        response=replace(sla.response, target_minutes=target.response_minutes),
        resolution=replace(sla.resolution, target_minutes=target.resolution_minutes),
    )


def timer_view(sla: TicketSla, name: str, now: datetime) -> dict[str, Any]:
    timer, cal = sla.timer(name), sla.calendar()
    return {
        "status": str(timer_status(timer, cal, now, sla.policy.at_risk_percent)),
        "due_at": iso(due_at(timer, cal, now)),
        "stopped_at": iso(timer.stopped_at),
        "paused": timer.paused,
        "target_minutes": timer.target_minutes,
        "elapsed_minutes": round(business_elapsed(timer, cal, now).total_seconds() / 60, 2),
    }


def overall_status(statuses: list[SlaStatus]) -> SlaStatus:
    """Worst of the timers; MET only when every timer has stopped on time."""
    if all(s == SlaStatus.MET for s in statuses):
        return SlaStatus.MET
    return max((s for s in statuses if s != SlaStatus.MET), key=lambda s: _WORST[s])


def sla_view(sla: TicketSla, now: datetime) -> dict[str, Any]:
    timers = {name: timer_view(sla, name, now) for name in TIMER_NAMES}
    overall = overall_status([SlaStatus(t["status"]) for t in timers.values()])
    return {"status": str(overall), "policy_id": sla.policy_id, **timers}


# --- the sweep: at-risk and breach moments, each noticed once ---------------------------------

AT_RISK_EVENT = "SlaAtRisk"
BREACHED_EVENT = "SlaBreached"
# BREACHED means strictly past the due instant; the breach moment is the first instant after it.
_AFTER = timedelta(milliseconds=1)


@dataclass(frozen=True)
class SlaEvent:
    type: str  # SlaAtRisk | SlaBreached
    timer: str  # response | resolution
    at: datetime  # when it became true (the threshold or due instant), not when the sweep saw it


def next_moment(sla: TicketSla, now: datetime) -> datetime | None:
    """The next instant at which a running timer turns AT_RISK or BREACHED and nobody has
    noticed yet. Paused and stopped timers have none: their clocks do not move."""
    cal, pct = sla.calendar(), sla.policy.at_risk_percent
    moments = []
    for name in TIMER_NAMES:
        timer = sla.timer(name)
        if not timer.running:
            continue
        if not timer.at_risk_notified:
            moments.append(at_risk_at(timer, cal, now, pct))
        elif not timer.breach_notified:
            moments.append(due_at(timer, cal, now) + _AFTER)
    return min(moments) if moments else None


def evaluate(sla: TicketSla, now: datetime) -> tuple[TicketSla, list[SlaEvent]]:
    """Notice what has become true by `now`: each timer emits SlaAtRisk and SlaBreached once."""
    cal, pct = sla.calendar(), sla.policy.at_risk_percent
    events: list[SlaEvent] = []
    for name in TIMER_NAMES:
        timer = sla.timer(name)
        if timer.stopped_at is not None:
            continue
        risk_at = at_risk_at(timer, cal, now, pct)
        if not timer.at_risk_notified and now >= risk_at:
            events.append(SlaEvent(AT_RISK_EVENT, name, risk_at))
            timer = replace(timer, at_risk_notified=True)
        due = due_at(timer, cal, now)
        if not timer.breach_notified and now > due:
            events.append(SlaEvent(BREACHED_EVENT, name, due))
            timer = replace(timer, breached=True, breach_notified=True, at_risk_notified=True)
        sla = sla.with_timer(name, timer)
    return sla, events


# --- the service desk report: what each change adds to the counters ---------------------------


@dataclass(frozen=True)
class CounterDelta:
    day: str  # UTC date the outcome was recorded
    client_id: str
    priority: str
    field: str
    amount: float


def report_deltas(
    before: TicketSla | None, after: TicketSla, client_id: str, now: datetime
) -> tuple[TicketSla, list[CounterDelta]]:
    """Counter changes for timers that stopped, and for breaches that became known.

    A timer is counted once (met or breached, with its business minutes); if it is reopened
    and stops again, the counts are corrected by the difference, never added twice."""
    day = now.date().isoformat()
    deltas: list[CounterDelta] = []
    prio = str(after.priority)

    def add(field: str, amount: float) -> None:
        deltas.append(CounterDelta(day, client_id, prio, field, amount))

    for name in TIMER_NAMES:
        old = before.timer(name) if before else None
        timer = after.timer(name)
        if timer.breached and not (old and old.breached):
            add("breaches", 1)
        if timer.stopped_at is None or (old is not None and old.stopped_at == timer.stopped_at):
            continue
        cal = after.calendar()
        outcome = "breached" if timer.breached else "met"
        minutes = round(business_elapsed(timer, cal, now).total_seconds() / 60, 3)
        if timer.reported_outcome != outcome:
            if timer.reported_outcome is not None:
                add(f"{name}_{timer.reported_outcome}", -1)
            add(f"{name}_{outcome}", 1)
        if timer.reported_outcome is None:
            add(f"{name}_count", 1)
        add(f"{name}_minutes", minutes - timer.reported_minutes)
        after = after.with_timer(name, replace(timer, reported_outcome=outcome, reported_minutes=minutes))
    return after, deltas
