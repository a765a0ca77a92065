"""The ``/settings/sla`` body (API.md "SLA"): a tenant's default policy, or a named one (``name``).

Parsing of times, ranges, timezones and dates is shared with ``regentra.domain.calendar`` so the API
rejects exactly what the calendar would reject, with the same messages.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from regentra.domain.calendar import (
    WEEKDAYS,
    BusinessCalendar,
    parse_day_ranges,
    parse_holiday,
    zone,
)

__all__ = ["BusinessHours", "SlaPolicySettings", "SlaTarget", "SlaTargets", "default_sla_policy"]

PositiveMinutes = Annotated[int, Field(strict=True, gt=0)]
DayRanges = list[tuple[str, str]]


class SlaTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response_minutes: PositiveMinutes
    resolution_minutes: PositiveMinutes
    hours: Literal["24x7", "business"]


class SlaTargets(BaseModel):
    """Exactly the four priorities; a missing or unknown one is a validation error."""

    model_config = ConfigDict(extra="forbid")

    LOW: SlaTarget
    MEDIUM: SlaTarget
    HIGH: SlaTarget
    CRITICAL: SlaTarget


class BusinessHours(BaseModel):
    """``[start, end)`` 'HH:MM' ranges per weekday; all seven keys are required (an empty list = closed)."""

    model_config = ConfigDict(extra="forbid")

    mon: DayRanges
    tue: DayRanges
    wed: DayRanges
    thu: DayRanges
    fri: DayRanges
    sat: DayRanges
    sun: DayRanges

    @field_validator(*WEEKDAYS)
    @classmethod
    def _valid_ranges(cls, value: DayRanges, info: ValidationInfo) -> DayRanges:
        parse_day_ranges(info.field_name or "day", [list(pair) for pair in value])  # same rules and messages
        return value


class SlaPolicySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    timezone: str
    business_hours: BusinessHours
    holidays: list[date] = Field(default_factory=list)
    at_risk_percent: Annotated[int, Field(strict=True, ge=1, le=99)]
    targets: SlaTargets
    _calendars: dict[str, BusinessCalendar] = PrivateAttr(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        return zone(value).key

    @field_validator("holidays", mode="before")
    @classmethod
    def _iso_dates(cls, value: Any) -> Any:
        # only 'YYYY-MM-DD' strings: pydantic alone would also take timestamps and datetimes
        if not isinstance(value, list):
            return value
        return sorted({parse_holiday(item) for item in value})

    @model_validator(mode="after")
    def _business_targets_need_hours(self) -> SlaPolicySettings:
        uses_business = [
            p for p in ("LOW", "MEDIUM", "HIGH", "CRITICAL") if self.target(p).hours == "business"
        ]
        if uses_business and not self.business_calendar().has_open_hours:
            raise ValueError(
                "business_hours has no open hours, but targets "
                + ", ".join(uses_business)
                + ' use "business" hours (open some hours or use "24x7")'
            )
        return self

    def __eq__(self, other: object) -> bool:
        # Equal policies are equal whatever calendars either has cached.
        return isinstance(other, SlaPolicySettings) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def target(self, priority: str) -> SlaTarget:
        """The target of a priority (LOW/MEDIUM/HIGH/CRITICAL)."""
        if priority not in ("LOW", "MEDIUM", "HIGH", "CRITICAL"):
            raise ValueError(f"unknown priority {priority!r}")
        target: SlaTarget = getattr(self.targets, str(priority))
        return target

    def business_calendar(self) -> BusinessCalendar:
        """The policy's business hours as a calendar (whatever the targets use)."""
        return BusinessCalendar.from_settings(
            {
                "timezone": self.timezone,
                "business_hours": {
                    day: [list(r) for r in getattr(self.business_hours, day)] for day in WEEKDAYS
                },
                "holidays": [d.isoformat() for d in self.holidays],
            }
        )

    def calendar_for(self, priority: str) -> BusinessCalendar:
        """The calendar a priority's timers count in: 24x7 (always open, holidays ignored) or business."""
        hours = self.target(priority).hours
        cached = self._calendars.get(hours)
        if cached is None:  # built once per policy object: every ticket view asks for it
            cached = BusinessCalendar.twenty_four_seven() if hours == "24x7" else self.business_calendar()
            self._calendars[hours] = cached
        return cached


def default_sla_policy() -> SlaPolicySettings:
    """A new tenant's default policy (API.md values, timezone UTC, no holidays)."""
    weekday = [("09:00", "17:00")]
    return SlaPolicySettings(
        timezone="UTC",
        business_hours=BusinessHours(
            mon=weekday, tue=weekday, wed=weekday, thu=weekday, fri=weekday, sat=[], sun=[]
        ),
        holidays=[],
        at_risk_percent=75,
        targets=SlaTargets(
            CRITICAL=SlaTarget(response_minutes=30, resolution_minutes=240, hours="24x7"),
            HIGH=SlaTarget(response_minutes=60, resolution_minutes=480, hours="business"),
            MEDIUM=SlaTarget(response_minutes=240, resolution_minutes=1440, hours="business"),
            LOW=SlaTarget(response_minutes=480, resolution_minutes=2400, hours="business"),
        ),
    )
