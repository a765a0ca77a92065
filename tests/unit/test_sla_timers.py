"""SLA timers as pure rules (API.md "SLA"): pause, stop, resume, statuses, sweep moments, report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regentra.domain import sla
from regentra.domain.enums import Priority, SlaStatus, Status
from regentra.domain.sla_policy import SlaPolicySettings, default_sla_policy

MON_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday
M = timedelta(minutes=1)


def berlin_policy() -> SlaPolicySettings:
    body = default_sla_policy().model_dump(mode="json")
    body.update(timezone="Europe/Berlin", holidays=["2026-12-25", "2026-12-26"])
    return SlaPolicySettings.model_validate(body)


def start(priority: Priority = Priority.HIGH, at: datetime = MON_9, policy: SlaPolicySettings | None = None):
    return sla.start_sla(policy or default_sla_policy(), "default", priority, at)


def status(state: sla.TicketSla, name: str, now: datetime) -> str:
    return sla.timer_view(state, name, now)["status"]


def test_high_targets_count_business_hours_only():
    s = start()  # HIGH: 60 min response, 480 min resolution, business hours Mon-Fri 09-17 UTC
    assert sla.due_at(s.response, s.calendar(), MON_9) == MON_9 + 60 * M
    assert sla.due_at(s.resolution, s.calendar(), MON_9) == MON_9.replace(hour=17)


def test_due_date_over_a_weekend():
    fri_16 = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    s = start(at=fri_16)  # 480 business minutes: 60 on Friday, 420 on Monday
    assert sla.due_at(s.resolution, s.calendar(), fri_16) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_due_date_over_a_holiday_and_dst_in_berlin():
    # Thu 24 Dec 2026 16:00 Berlin (15:00 UTC): 60 min that day, 25/26 Dec holidays, weekend, Mon 28 Dec.
    policy = berlin_policy()
    at = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
    s = start(Priority.HIGH, at, policy)
    assert sla.due_at(s.resolution, s.calendar(), at) == datetime(
        2026, 12, 28, 15, 0, tzinfo=UTC
    )  # 16:00 CET
    # Fri 23 Oct 2026 16:00 CEST (14:00 UTC) -> Mon 26 Oct 16:00 CET (15:00 UTC) across the DST end.
    at = datetime(2026, 10, 23, 14, 0, tzinfo=UTC)
    s = start(Priority.HIGH, at, policy)
    assert sla.due_at(s.resolution, s.calendar(), at) == datetime(2026, 10, 26, 15, 0, tzinfo=UTC)


def test_critical_runs_24x7():
    sat = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    s = start(Priority.CRITICAL, sat)
    assert sla.due_at(s.response, s.calendar(), sat) == sat + 30 * M
    assert sla.due_at(s.resolution, s.calendar(), sat) == sat + 240 * M


def test_at_risk_exactly_at_threshold_and_breach_after_due():
    s = start()  # response 60 min, at risk at 75 % = 45 min
    assert status(s, "response", MON_9 + 44 * M) == "ON_TRACK"
    assert status(s, "response", MON_9 + 45 * M) == "AT_RISK"
    assert status(s, "response", MON_9 + 60 * M) == "AT_RISK"  # due, not yet past due
    assert status(s, "response", MON_9 + 61 * M) == "BREACHED"


def test_met_on_time_and_breached_when_late():
    s = sla.on_first_response(start(), MON_9 + 60 * M)
    assert status(s, "response", MON_9 + 600 * M) == "MET"
    late = sla.on_first_response(start(), MON_9 + 61 * M)
    assert status(late, "response", MON_9 + 61 * M) == "BREACHED"
    assert late.response.breached


def test_waiting_on_customer_pauses_resolution_only_and_due_moves():
    s = start()
    s = sla.on_status_change(s, Status.OPEN, Status.WAITING_ON_CUSTOMER, MON_9 + 60 * M, responded=True)
    assert s.resolution.paused and not s.response.paused
    view = sla.timer_view(s, "resolution", MON_9 + 180 * M)
    assert view["paused"] is True and view["elapsed_minutes"] == 60
    s = sla.on_status_change(
        s, Status.WAITING_ON_CUSTOMER, Status.IN_PROGRESS, MON_9 + 180 * M, responded=True
    )
    # 2 h paused inside business hours: the due time moves from 17:00 to Tuesday 11:00
    assert sla.due_at(s.resolution, s.calendar(), MON_9 + 180 * M) == datetime(
        2026, 11, 24, 11, 0, tzinfo=UTC
    )


def test_resolve_stops_and_reopen_resumes_with_the_gap_not_counted():
    s = start()
    s = sla.on_status_change(s, Status.OPEN, Status.RESOLVED, MON_9 + 120 * M, responded=True)
    assert s.resolution.stopped_at == MON_9 + 120 * M
    assert status(s, "resolution", MON_9 + 2000 * M) == "MET"
    s = sla.on_status_change(s, Status.RESOLVED, Status.IN_PROGRESS, MON_9 + 240 * M, responded=True)
    assert s.resolution.stopped_at is None
    assert sla.timer_view(s, "resolution", MON_9 + 300 * M)["elapsed_minutes"] == 180


def test_a_breach_is_permanent():
    s = start()
    s, events = sla.evaluate(s, MON_9 + 481 * M)
    assert s.resolution.breached
    s = sla.on_status_change(s, Status.OPEN, Status.RESOLVED, MON_9 + 500 * M, responded=True)
    assert status(s, "resolution", MON_9 + 500 * M) == "BREACHED"
    assert sla.sla_view(s, MON_9 + 500 * M)["status"] == "BREACHED"
    # even a later priority change with a longer target does not un-breach it
    s = sla.on_priority_change(s, Priority.LOW)
    assert status(s, "resolution", MON_9 + 500 * M) == "BREACHED"


def test_overall_status_is_the_worst_and_met_only_when_all_met():
    assert sla.overall_status([SlaStatus.MET, SlaStatus.ON_TRACK]) == SlaStatus.ON_TRACK
    assert sla.overall_status([SlaStatus.AT_RISK, SlaStatus.BREACHED]) == SlaStatus.BREACHED
    assert sla.overall_status([SlaStatus.MET, SlaStatus.MET]) == SlaStatus.MET
    assert sla.overall_status([SlaStatus.ON_TRACK, SlaStatus.AT_RISK]) == SlaStatus.AT_RISK


def test_evaluate_emits_each_event_once_with_its_own_moment():
    s = start()
    s1, ev1 = sla.evaluate(s, MON_9 + 50 * M)
    assert [(e.type, e.timer, e.at) for e in ev1] == [("SlaAtRisk", "response", MON_9 + 45 * M)]
    s2, ev2 = sla.evaluate(s1, MON_9 + 50 * M)
    assert ev2 == []
    s3, ev3 = sla.evaluate(s2, MON_9 + 8 * 60 * M)  # 17:00: resolution at risk since 15:00, response breached
    assert {(e.type, e.timer) for e in ev3} == {("SlaBreached", "response"), ("SlaAtRisk", "resolution")}
    assert sla.evaluate(s3, MON_9 + 8 * 60 * M)[1] == []


def test_next_moment_walks_at_risk_then_breach_and_none_when_paused_or_stopped():
    s = start()
    assert sla.next_moment(s, MON_9) == MON_9 + 45 * M
    s, _ = sla.evaluate(s, MON_9 + 45 * M)
    assert sla.next_moment(s, MON_9 + 45 * M) == MON_9 + 60 * M + timedelta(milliseconds=1)
    paused = sla.on_status_change(
        sla.on_first_response(s, MON_9 + 46 * M),
        Status.OPEN,
        Status.WAITING_ON_CUSTOMER,
        MON_9 + 46 * M,
        responded=True,
    )
    assert sla.next_moment(paused, MON_9 + 46 * M) is None
    stopped = sla.on_status_change(s, Status.OPEN, Status.CLOSED, MON_9 + 50 * M, responded=False)
    assert sla.next_moment(stopped, MON_9 + 50 * M) is None


def test_report_counts_a_timer_once_and_corrects_on_restop():
    s = start()
    after = sla.on_status_change(s, Status.OPEN, Status.RESOLVED, MON_9 + 30 * M, responded=False)
    after, deltas = sla.report_deltas(s, after, "c1", MON_9 + 30 * M)
    got = {(d.field, d.amount) for d in deltas}
    assert (
        ("resolution_met", 1) in got and ("resolution_count", 1) in got and ("resolution_minutes", 30) in got
    )
    assert ("response_met", 1) in got
    reopened = sla.on_status_change(
        after, Status.RESOLVED, Status.IN_PROGRESS, MON_9 + 40 * M, responded=False
    )
    again = sla.on_status_change(
        reopened, Status.IN_PROGRESS, Status.RESOLVED, MON_9 + 25 * 60 * M, responded=False
    )
    again, deltas2 = sla.report_deltas(reopened, again, "c1", MON_9 + 25 * 60 * M)
    fields: dict[str, float] = {}
    for d in deltas2:
        fields[d.field] = fields.get(d.field, 0) + d.amount
    assert fields["resolution_met"] == -1 and fields["resolution_breached"] == 1
    assert "resolution_count" not in fields  # still one resolution, now breached
    assert fields["breaches"] == 2  # response and resolution both breached on the late stop


@pytest.mark.parametrize("priority", list(Priority))
def test_state_round_trips(priority):
    s = sla.on_status_change(
        start(priority), Status.OPEN, Status.WAITING_ON_CUSTOMER, MON_9 + M, responded=False
    )
    assert sla.TicketSla.from_dict(s.to_dict()) == s
