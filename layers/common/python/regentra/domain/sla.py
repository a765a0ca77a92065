"""SLA timers as pure data and pure functions (API.md "SLA").

A timer runs from `started_at`; business time inside `pauses` does not count; it stops
once (`stopped_at`) and may be resumed, the stopped stretch then counting as a pause.
Its due instant is `started_at + target` business minutes, moved by paused business time.
A breach is permanent: once seen (`breached`), the timer stays BREACHED.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
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
        return replace(self, **{name: timer})

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
            policy=SlaPolicySettings.model_validate(d["policy"]),
            policy_id=d["policy_id"],
            priority=Priority(d["priority"]),
            response=Timer.from_dict(d[RESPONSE]),
            resolution=Timer.from_dict(d[RESOLUTION]),
        )


def start_sla(policy: SlaPolicySettings, policy_id: str, priority: Priority, created_at: datetime) -> TicketSla:
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
