"""The /settings/sla body: defaults, validation messages, and the calendars it hands to SLA timers."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from regentra.domain.calendar import BusinessCalendar, add, elapsed
from regentra.domain.enums import Priority
from regentra.domain.sla_policy import SlaPolicySettings, default_sla_policy

WEEKDAY = [["09:00", "17:00"]]
API_EXAMPLE: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "business_hours": {
        "mon": WEEKDAY,
        "tue": WEEKDAY,
        "wed": WEEKDAY,
        "thu": WEEKDAY,
        "fri": WEEKDAY,
        "sat": [],
        "sun": [],
    },
    "holidays": ["2026-12-25", "2026-12-26"],
    "at_risk_percent": 75,
    "targets": {
        "CRITICAL": {"response_minutes": 30, "resolution_minutes": 240, "hours": "24x7"},
        "HIGH": {"response_minutes": 60, "resolution_minutes": 480, "hours": "business"},
        "MEDIUM": {"response_minutes": 240, "resolution_minutes": 1440, "hours": "business"},
        "LOW": {"response_minutes": 480, "resolution_minutes": 2400, "hours": "business"},
    },
}


def body(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(API_EXAMPLE)
    out.update(copy.deepcopy(changes))
    return out


def errors(payload: dict[str, Any]) -> list[tuple[tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as info:
        SlaPolicySettings.model_validate(payload)
    return [(tuple(e["loc"]), e["msg"]) for e in info.value.errors()]


def test_api_example_round_trips() -> None:
    policy = SlaPolicySettings.model_validate(API_EXAMPLE)
    assert policy.holidays == [date(2026, 12, 25), date(2026, 12, 26)]
    dumped = policy.model_dump(mode="json", exclude_none=True)
    assert dumped == API_EXAMPLE


def test_defaults_are_the_api_values_in_utc_without_holidays() -> None:
    policy = default_sla_policy()
    assert policy.model_dump(mode="json", exclude_none=True) == body(timezone="UTC", holidays=[])
    assert policy.name is None
    assert policy.target("LOW").resolution_minutes == 2400


def test_named_policy() -> None:
    policy = SlaPolicySettings.model_validate(body(name="Gold"))
    assert policy.name == "Gold"
    assert errors(body(name=""))[0][0] == ("name",)


def test_holidays_are_sorted_and_deduplicated() -> None:
    policy = SlaPolicySettings.model_validate(body(holidays=["2026-12-26", "2026-12-25", "2026-12-26"]))
    assert policy.holidays == [date(2026, 12, 25), date(2026, 12, 26)]


def hours(**days: Any) -> dict[str, Any]:
    """The example body with some days' ranges replaced (None removes the day)."""
    merged = {**API_EXAMPLE["business_hours"], **days}
    return body(business_hours={k: v for k, v in merged.items() if v is not None})


def targets(**changes: Any) -> dict[str, Any]:
    """The example body with some priorities' targets replaced (None removes the priority)."""
    merged = {**API_EXAMPLE["targets"], **changes}
    return body(targets={k: v for k, v in merged.items() if v is not None})


@pytest.mark.parametrize(
    ("payload", "loc", "message"),
    [
        (body(timezone="Europe/Atlantis"), ("timezone",), "unknown timezone 'Europe/Atlantis'"),
        (body(timezone=5), ("timezone",), "valid string"),
        (hours(mon=[["09:00", "25:00"]]), ("business_hours", "mon"), "invalid time '25:00'"),
        (hours(mon=[["9:00", "17:00"]]), ("business_hours", "mon"), "invalid time '9:00'"),
        (hours(tue=[["17:00", "09:00"]]), ("business_hours", "tue"), "tue: range 17:00-09:00 must end after"),
        (
            hours(wed=[["09:00", "12:00"], ["11:30", "17:00"]]),
            ("business_hours", "wed"),
            "wed: ranges 09:00-12:00 and 11:30-17:00 overlap",
        ),
        (hours(thu=[["24:00", "24:00"]]), ("business_hours", "thu"), "'24:00' may only end a range"),
        (hours(fri=[["09:00"]]), ("business_hours", "fri", 0, 1), "Field required"),
        (hours(sun=None), ("business_hours", "sun"), "Field required"),
        (hours(holiday=[]), ("business_hours", "holiday"), "Extra inputs are not permitted"),
        (body(holidays=["2026-13-01"]), ("holidays",), "invalid holiday '2026-13-01'"),
        (body(holidays=["2026-12-25T00:00:00Z"]), ("holidays",), "expected an ISO date"),
        (body(at_risk_percent=0), ("at_risk_percent",), "greater than or equal to 1"),
        (body(at_risk_percent=100), ("at_risk_percent",), "less than or equal to 99"),
        (body(at_risk_percent="75"), ("at_risk_percent",), "valid integer"),
        (body(at_risk_percent=75.0), ("at_risk_percent",), "valid integer"),
        (targets(LOW=None), ("targets", "LOW"), "Field required"),
        (
            targets(URGENT=API_EXAMPLE["targets"]["LOW"]),
            ("targets", "URGENT"),
            "Extra inputs are not permitted",
        ),
        (
            targets(HIGH={"response_minutes": 0, "resolution_minutes": 5, "hours": "business"}),
            ("targets", "HIGH", "response_minutes"),
            "greater than 0",
        ),
        (
            targets(HIGH={"response_minutes": 10, "resolution_minutes": "5", "hours": "business"}),
            ("targets", "HIGH", "resolution_minutes"),
            "valid integer",
        ),
        (
            targets(HIGH={"response_minutes": 10, "resolution_minutes": 5, "hours": "always"}),
            ("targets", "HIGH", "hours"),
            "'24x7' or 'business'",
        ),
        (body(sla="x"), ("sla",), "Extra inputs are not permitted"),
    ],
)
def test_validation_messages(payload: dict[str, Any], loc: tuple[str, ...], message: str) -> None:
    found = errors(payload)
    assert any(where == loc and message in msg for where, msg in found), found


def test_business_targets_need_open_hours() -> None:
    closed: dict[str, list[list[str]]] = {day: [] for day in API_EXAMPLE["business_hours"]}
    found = errors(body(business_hours=closed))
    assert 'targets LOW, MEDIUM, HIGH use "business" hours' in found[0][1]
    all_24x7 = {p: {**t, "hours": "24x7"} for p, t in API_EXAMPLE["targets"].items()}
    assert SlaPolicySettings.model_validate(body(business_hours=closed, targets=all_24x7))


def test_calendar_for_business_priority() -> None:
    policy = SlaPolicySettings.model_validate(API_EXAMPLE)
    cal = policy.calendar_for("HIGH")
    assert cal.timezone == "Europe/Berlin"
    assert cal.holidays == frozenset({date(2026, 12, 25), date(2026, 12, 26)})
    assert not cal.always_open
    assert policy.calendar_for(Priority.LOW) == cal
    # Thu 2026-12-24 16:00 Berlin + 480 business minutes: 1 h Thu, holidays Fri/Sat, Sun closed, 7 h Mon
    created = datetime(2026, 12, 24, 15, tzinfo=UTC)
    due = add(cal, created, timedelta(minutes=policy.target("HIGH").resolution_minutes))
    assert due == datetime(2026, 12, 28, 15, tzinfo=UTC)


def test_calendar_for_24x7_priority_is_always_open_and_ignores_holidays() -> None:
    policy = SlaPolicySettings.model_validate(API_EXAMPLE)
    cal = policy.calendar_for("CRITICAL")
    assert cal == BusinessCalendar.twenty_four_seven()
    christmas = datetime(2026, 12, 25, tzinfo=UTC)
    assert elapsed(cal, christmas, christmas + timedelta(days=1)) == timedelta(days=1)
    assert add(cal, christmas, timedelta(minutes=30)) == christmas + timedelta(minutes=30)


def test_calendar_for_unknown_priority() -> None:
    with pytest.raises(ValueError, match="unknown priority 'URGENT'"):
        default_sla_policy().calendar_for("URGENT")


def test_default_policy_calendar_is_utc_office_hours() -> None:
    cal = default_sla_policy().calendar_for("MEDIUM")
    assert cal == BusinessCalendar(
        timezone="UTC", weekly_hours=(((540, 1020),),) * 5 + ((), ()), holidays=frozenset()
    )
