"""Business calendar: worked examples, DST, pauses, errors, CLI, and properties against a minute-stepping
reference implementation."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regentra.cli_calendar import add_parser, main, run
from regentra.domain.calendar import WEEKDAYS, BusinessCalendar, add, elapsed

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)
NINE_TO_FIVE = [["09:00", "17:00"]]


def make(
    tz: str = "UTC",
    holidays: Sequence[str] = (),
    every_day: list[list[str]] | None = None,
    **days: list[list[str]],
) -> BusinessCalendar:
    """Calendar from the settings shape; days not given are closed (or get ``every_day``)."""
    hours = {day: days.get(day, every_day or []) for day in WEEKDAYS}
    return BusinessCalendar.from_settings(
        {"timezone": tz, "business_hours": hours, "holidays": list(holidays)}
    )


def office(tz: str = "Europe/Berlin", holidays: Sequence[str] = ()) -> BusinessCalendar:
    return make(tz, holidays, **{d: NINE_TO_FIVE for d in WEEKDAYS[:5]})


def berlin(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A Berlin wall time that exists and is unambiguous, as an aware datetime."""
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ examples


def test_due_date_over_a_weekend() -> None:
    cal = office(tz="UTC")
    fri_4pm = utc(2026, 1, 9, 16)
    assert add(cal, fri_4pm, 2 * H) == utc(2026, 1, 12, 10)
    assert elapsed(cal, fri_4pm, utc(2026, 1, 12, 10)) == 2 * H
    assert elapsed(cal, utc(2026, 1, 9, 17), utc(2026, 1, 12, 9)) == timedelta(0)


def test_weekend_with_spring_forward_in_berlin() -> None:
    # Fri 16:00 CET (15:00Z) + 2 business hours -> Mon 10:00 CEST (08:00Z); the lost Sunday hour is irrelevant
    cal = office()
    assert add(cal, berlin(2026, 3, 27, 16), 2 * H) == utc(2026, 3, 30, 8)


def test_holiday_is_closed_all_day() -> None:
    cal = office(holidays=["2026-12-25", "2026-12-26"])
    assert add(cal, berlin(2026, 12, 24, 16), 2 * H) == berlin(2026, 12, 28, 10)
    assert elapsed(cal, berlin(2026, 12, 24), berlin(2026, 12, 29)) == 16 * H
    assert elapsed(office(), berlin(2026, 12, 24), berlin(2026, 12, 29)) == 24 * H


def test_result_is_aware_utc_and_inputs_may_use_any_offset() -> None:
    due = add(office(), berlin(2026, 6, 1, 9), 30 * M)
    assert due.tzinfo is UTC
    assert due == utc(2026, 6, 1, 7, 30)


# DST: a calendar open around the clock in Berlin counts real time, so local days last 23 / 25 hours.
ROUND_THE_CLOCK = [["00:00", "24:00"]]


def test_round_the_clock_berlin_spring_forward() -> None:
    cal = make("Europe/Berlin", every_day=ROUND_THE_CLOCK)
    assert elapsed(cal, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * H
    assert add(cal, berlin(2026, 3, 29), 24 * H) == berlin(2026, 3, 30, 1)
    assert elapsed(cal, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)) == 48 * H


def test_round_the_clock_berlin_fall_back() -> None:
    cal = make("Europe/Berlin", every_day=ROUND_THE_CLOCK)
    assert elapsed(cal, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * H
    assert add(cal, berlin(2026, 10, 25), 24 * H) == berlin(2026, 10, 25, 23)
    assert elapsed(cal, utc(2026, 10, 24, 12), utc(2026, 10, 26, 12)) == 48 * H


def test_twenty_four_seven_is_plain_time_and_ignores_holidays() -> None:
    cal = BusinessCalendar.twenty_four_seven()
    assert cal.always_open
    start = utc(2026, 3, 28, 22, 15, 0, 123)
    assert add(cal, start, 30 * H) == start + 30 * H
    assert elapsed(cal, start, start + 30 * H) == 30 * H
    berlin_24x7 = BusinessCalendar(
        timezone="Europe/Berlin", always_open=True, holidays=frozenset({date(2026, 12, 25)})
    )
    assert elapsed(berlin_24x7, berlin(2026, 12, 25), berlin(2026, 12, 26)) == 24 * H


def test_hours_spanning_two_to_three_on_spring_forward() -> None:
    # 2026-03-29 Berlin: 02:00 CET jumps to 03:00 CEST (01:00Z). Wall times 02:00-02:59 never happen.
    only = make("Europe/Berlin", sun=[["02:00", "03:00"]])
    assert elapsed(only, utc(2026, 3, 28), utc(2026, 3, 30)) == timedelta(0)
    assert add(only, utc(2026, 3, 28), timedelta(0)) == utc(2026, 4, 5, 0)  # next Sunday 02:00 CEST
    around = make("Europe/Berlin", sun=[["01:00", "04:00"]])  # 00:00Z .. 02:00Z, continuous
    assert elapsed(around, utc(2026, 3, 28), utc(2026, 3, 30)) == 2 * H
    assert add(around, utc(2026, 3, 28), 90 * M) == utc(2026, 3, 29, 1, 30)
    half = make("Europe/Berlin", sun=[["02:30", "03:30"]])  # only 03:00-03:30 CEST exists
    assert elapsed(half, utc(2026, 3, 28), utc(2026, 3, 30)) == 30 * M
    assert add(half, utc(2026, 3, 28), timedelta(0)) == utc(2026, 3, 29, 1)


def test_hours_spanning_two_to_three_on_fall_back() -> None:
    # 2026-10-25 Berlin: 03:00 CEST falls back to 02:00 CET (01:00Z). Wall times 02:00-02:59 happen twice.
    only = make("Europe/Berlin", sun=[["02:00", "03:00"]])
    assert elapsed(only, utc(2026, 10, 24), utc(2026, 10, 26)) == 2 * H  # 00:00Z .. 02:00Z
    assert add(only, utc(2026, 10, 24), 90 * M) == utc(2026, 10, 25, 1, 30)  # 02:30 CET, second pass
    around = make("Europe/Berlin", sun=[["01:00", "04:00"]])  # 23:00Z .. 03:00Z
    assert elapsed(around, utc(2026, 10, 24), utc(2026, 10, 26)) == 4 * H
    assert add(around, utc(2026, 10, 24), 150 * M) == utc(2026, 10, 25, 1, 30)
    half = make("Europe/Berlin", sun=[["02:30", "03:00"]])  # 00:30-01:00Z and 01:30-02:00Z
    assert elapsed(half, utc(2026, 10, 24), utc(2026, 10, 26)) == H
    assert add(half, utc(2026, 10, 25, 0, 45), 30 * M) == utc(2026, 10, 25, 1, 45)


def test_ranges_touching_midnight_are_continuous() -> None:
    cal = make(mon=[["22:00", "24:00"]], tue=[["00:00", "06:00"]])
    mon = utc(2026, 1, 5)
    assert elapsed(cal, mon + 21 * H, mon + 31 * H) == 8 * H
    assert add(cal, mon + 23 * H, 3 * H) == mon + 26 * H
    assert add(cal, mon + 22 * H, 2 * H) == mon + 24 * H  # earliest instant: Tue 00:00, not later
    assert add(cal, mon + 24 * H, timedelta(0)) == mon + 24 * H
    assert add(cal, mon + 30 * H, timedelta(0)) == mon + 7 * 24 * H + 22 * H  # Tue 06:00 -> next Mon 22:00


def test_sunday_to_monday_wraps_around_the_week() -> None:
    cal = make(sun=[["20:00", "24:00"]], mon=[["00:00", "04:00"]])
    sun = utc(2026, 1, 4)
    assert add(cal, sun + 21 * H, 5 * H) == sun + 26 * H
    assert elapsed(cal, sun, sun + 7 * 24 * H) == 8 * H


def test_touching_ranges_within_a_day_equal_one_range() -> None:
    split = make(mon=[["12:00", "17:00"], ["09:00", "12:00"]])
    whole = make(mon=NINE_TO_FIVE)
    start = utc(2026, 1, 5, 8)
    for minutes in (0, 1, 180, 181, 480, 481):
        assert add(split, start, minutes * M) == add(whole, start, minutes * M)
    assert split.weekly_hours[0] == ((540, 720), (720, 1020))  # normalised: sorted


def test_start_outside_hours() -> None:
    cal = office(tz="UTC")
    assert add(cal, utc(2026, 1, 10, 12), 30 * M) == utc(2026, 1, 12, 9, 30)  # Saturday
    assert add(cal, utc(2026, 1, 12, 7), timedelta(0)) == utc(2026, 1, 12, 9)  # before opening
    assert add(cal, utc(2026, 1, 12, 18), H) == utc(2026, 1, 13, 10)  # after closing
    assert add(cal, utc(2026, 1, 12, 17), timedelta(0)) == utc(2026, 1, 13, 9)  # end is exclusive
    assert add(cal, utc(2026, 1, 12, 10), timedelta(0)) == utc(2026, 1, 12, 10)  # already open
    assert elapsed(cal, utc(2026, 1, 10), utc(2026, 1, 11)) == timedelta(0)
    assert elapsed(cal, utc(2026, 1, 12, 12), utc(2026, 1, 12, 10)) == timedelta(0)  # end before start


def test_microsecond_exact() -> None:
    cal = office(tz="Asia/Kolkata")
    start = datetime(2026, 2, 2, 16, 59, 59, 999_999, tzinfo=ZoneInfo("Asia/Kolkata"))
    due = add(cal, start, timedelta(microseconds=3))
    assert due == datetime(2026, 2, 3, 9, 0, 0, 2, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert elapsed(cal, start, due) == timedelta(microseconds=3)


def test_pauses() -> None:
    cal = office(tz="UTC")
    mon9 = utc(2026, 1, 12, 9)
    assert add(cal, mon9, 4 * H, [(mon9 + H, mon9 + 2 * H)]) == mon9 + 5 * H
    # overlapping and unordered pauses are merged
    pauses = [(mon9 + 2 * H, mon9 + 3 * H), (mon9 + H, mon9 + 150 * M)]
    assert add(cal, mon9, 4 * H, pauses) == mon9 + 6 * H
    assert elapsed(cal, mon9, mon9 + 8 * H, pauses) == 6 * H
    # a pause outside business hours changes nothing; one covering the start delays counting
    assert add(cal, mon9, 8 * H + H, [(mon9 + 9 * H, mon9 + 23 * H)]) == utc(2026, 1, 13, 10)
    assert add(cal, mon9, timedelta(0), [(mon9 - H, mon9 + 30 * M)]) == mon9 + 30 * M
    assert add(cal, mon9, H, [(mon9 - H, mon9 + 30 * M)]) == mon9 + 90 * M
    # a pause up to the end of the day pushes to the next morning
    assert add(cal, mon9, timedelta(0), [(mon9, mon9 + 8 * H)]) == mon9 + 24 * H
    # empty pauses are ignored; backwards pauses are an error
    assert add(cal, mon9, H, [(mon9, mon9)]) == mon9 + H
    with pytest.raises(ValueError, match="ends .* before it starts"):
        add(cal, mon9, H, [(mon9 + H, mon9)])


def test_long_pause_is_not_walked_day_by_day() -> None:
    cal = office(tz="UTC")
    start = utc(2026, 1, 12, 9)
    due = add(cal, start, H, [(start, utc(2900, 1, 1))])  # cost: bench/calendar_cost.py
    assert due == utc(2900, 1, 1, 10)  # 2900-01-01 is a Friday


def test_ten_thousand_business_hours() -> None:
    cal = office(tz="UTC")
    start = utc(2026, 1, 5, 9)  # Monday
    due = add(cal, start, 10_000 * H)  # = 250 working weeks of 40 h
    assert due == start + timedelta(weeks=249, days=4, hours=8)  # Friday 17:00 of the 250th week
    assert elapsed(cal, start, due) == 10_000 * H


def test_no_open_hours() -> None:
    never = make("Europe/Berlin")
    assert not never.has_open_hours
    assert elapsed(never, utc(2026, 1, 1), utc(2027, 1, 1)) == timedelta(0)
    for duration in (timedelta(0), M):
        with pytest.raises(ValueError, match="no open hours"):
            add(never, utc(2026, 1, 1), duration)


@pytest.mark.parametrize(
    ("settings_patch", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"timezone": ""}, "timezone must be"),
        ({"business_hours": {"mon": [["09:00", "25:00"]]}}, "invalid time '25:00'"),
        ({"business_hours": {"mon": [["9:00", "17:00"]]}}, "invalid time '9:00'"),
        ({"business_hours": {"mon": [["09:60", "17:00"]]}}, "invalid time '09:60'"),
        ({"business_hours": {"mon": [["24:00", "24:00"]]}}, "'24:00' may only end a range"),
        ({"business_hours": {"mon": [["17:00", "09:00"]]}}, "must end after it starts"),
        ({"business_hours": {"mon": [["09:00", "09:00"]]}}, "must end after it starts"),
        ({"business_hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "overlap"),
        ({"business_hours": {"mon": [["09:00"]]}}, "pair"),
        ({"business_hours": {"mon": "09:00-17:00"}}, "list of"),
        ({"business_hours": {"monday": []}}, "unknown: monday"),
        ({"holidays": ["2026-02-30"]}, "invalid holiday '2026-02-30'"),
        ({"holidays": ["25.12.2026"]}, "invalid holiday"),
        ({"holidays": "2026-12-25"}, "holidays must be a list"),
    ],
)
def test_invalid_calendars(settings_patch: dict[str, Any], message: str) -> None:
    body: dict[str, Any] = {"timezone": "UTC", "business_hours": {d: [] for d in WEEKDAYS}, "holidays": []}
    for key, value in settings_patch.items():
        if key == "business_hours":
            body["business_hours"].update(value)
        else:
            body[key] = value
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_settings(body)


def test_missing_day_and_direct_construction_errors() -> None:
    with pytest.raises(ValueError, match="missing: sun"):
        BusinessCalendar.from_settings({"timezone": "UTC", "business_hours": {d: [] for d in WEEKDAYS[:6]}})
    with pytest.raises(ValueError, match="7 entries"):
        BusinessCalendar(weekly_hours=((),) * 6)
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar(weekly_hours=(((60, 120), (90, 150)),) + ((),) * 6)
    with pytest.raises(ValueError, match="outside 00:00-24:00"):
        BusinessCalendar(weekly_hours=(((60, 1500),),) + ((),) * 6)


def test_bad_arguments() -> None:
    cal = office()
    with pytest.raises(ValueError, match="timezone-aware"):
        add(cal, datetime(2026, 1, 1), H)
    with pytest.raises(ValueError, match="timezone-aware"):
        elapsed(cal, utc(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="negative"):
        add(cal, utc(2026, 1, 1), -H)


def test_settings_shape_is_accepted_with_extra_keys() -> None:
    body = {
        "timezone": "Europe/Berlin",
        "business_hours": {d: NINE_TO_FIVE if d not in ("sat", "sun") else [] for d in WEEKDAYS},
        "holidays": ["2026-12-25", "2026-12-26"],
        "at_risk_percent": 75,
        "targets": {},
    }
    cal = BusinessCalendar.from_settings(body)
    assert cal == office(holidays=["2026-12-26", "2026-12-25"])
    assert hash(cal) == hash(office(holidays=["2026-12-25", "2026-12-26"]))


# ------------------------------------------------------------------------------------------ CLI


@pytest.fixture
def cal_file(tmp_path: Path) -> Path:
    path = tmp_path / "cal.json"
    body = {
        "timezone": "Europe/Berlin",
        "business_hours": {d: NINE_TO_FIVE if d not in ("sat", "sun") else [] for d in WEEKDAYS},
        "holidays": ["2026-12-25"],
    }
    path.write_text(json.dumps(body))
    return path


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="regentra")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    assert args.func is run
    return run(args)


def test_cli_add(cal_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "calendar",
        "add",
        "--calendar",
        str(cal_file),
        "--start",
        "2026-03-27T15:00:00Z",
        "--minutes",
        "120",
    ]
    assert _run(argv) == 0
    assert capsys.readouterr().out == "2026-03-30T08:00:00Z\n"
    pause = "2026-03-30T07:00:00Z/2026-03-30T08:00:00+00:00"
    assert _run([*argv, "--pause", pause]) == 0
    assert capsys.readouterr().out == "2026-03-30T09:00:00Z\n"
    assert _run([*argv[:-1], "0.5"]) == 0
    assert capsys.readouterr().out == "2026-03-27T15:00:30Z\n"


def test_cli_between(cal_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["calendar", "between", "--calendar", str(cal_file), "--start", "2026-03-27T15:00:00Z"]
    assert _run([*base, "--end", "2026-03-30T08:00:00Z"]) == 0
    assert capsys.readouterr().out == "120\n"
    assert _run([*base, "--end", "2026-03-30T08:00:30Z"]) == 0
    assert capsys.readouterr().out == "120.5\n"
    assert main([*base, "--end", "2026-03-30T08:00:20Z"]) == 0
    assert capsys.readouterr().out == "120.333333\n"


def test_cli_errors(cal_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"timezone": "UTC", "business_hours": {"mon": [["17:00", "09:00"]]}}))
    argv = ["calendar", "between", "--calendar", str(bad), "--start", "2026-01-01T00:00:00Z"]
    assert _run([*argv, "--end", "2026-01-02T00:00:00Z"]) == 2
    assert "bad.json" in capsys.readouterr().err
    argv[3] = str(tmp_path / "missing.json")
    assert _run([*argv, "--end", "2026-01-02T00:00:00Z"]) == 2
    assert "missing.json" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse rejects a naive time
        _run(
            ["calendar", "add", "--calendar", str(cal_file), "--start", "2026-01-01T00:00", "--minutes", "1"]
        )
    assert "has no timezone" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ properties

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
# days with DST changes (EU, US, Lord Howe's 30-minute shifts) and a few ordinary ones
ANCHORS = [
    utc(2026, 3, 8),
    utc(2026, 3, 29),
    utc(2026, 4, 5),
    utc(2026, 10, 4),
    utc(2026, 10, 25),
    utc(2026, 11, 1),
    utc(2026, 6, 15),
    utc(2026, 12, 24),
]
GRID = list(range(0, 1441, 15))


@st.composite
def day_ranges(draw: st.DrawFn) -> list[tuple[int, int]]:
    points = sorted(draw(st.sets(st.sampled_from(GRID), max_size=6)))
    if draw(st.booleans()):  # consecutive ranges that touch
        return list(zip(points, points[1:], strict=False))
    return [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    anchor = draw(st.sampled_from(ANCHORS)).date()
    holidays = draw(st.sets(st.integers(-4, 6).map(lambda k: anchor + timedelta(days=k)), max_size=3))
    return BusinessCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        weekly_hours=tuple(tuple(draw(day_ranges())) for _ in range(7)),
        holidays=frozenset(holidays),
        always_open=draw(st.integers(0, 19)) == 0,
    )


def on_grid_instants() -> st.SearchStrategy[datetime]:
    return st.builds(lambda a, m: a + m * M, st.sampled_from(ANCHORS), st.integers(-3 * 1440, 3 * 1440))


def precise_instants() -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda a, us: a + us * US,
        st.sampled_from(ANCHORS),
        st.integers(-3 * 86_400_000_000, 3 * 86_400_000_000),
    )


def ref_open(cal: BusinessCalendar, t: datetime) -> bool:
    """Is the minute starting at t (on the minute grid) business time? Straight from the definition."""
    if cal.always_open:
        return True
    local = t.astimezone(ZoneInfo(cal.timezone))
    if local.date() in cal.holidays:
        return False
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in cal.weekly_hours[local.weekday()])


def ref_counted(
    cal: BusinessCalendar, start: datetime, minutes: int, pauses: list[tuple[datetime, datetime]]
) -> list[bool]:
    """Per minute from start: does it count (business and not paused)?"""
    flags = []
    for i in range(minutes):
        t = start + i * M
        flags.append(ref_open(cal, t) and not any(ps <= t < pe for ps, pe in pauses))
    return flags


# CALENDAR_EXAMPLES=5000 for a soak run; the default keeps this file well under 20 s
PROPS = settings(
    max_examples=int(os.environ.get("CALENDAR_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPS
@given(
    cal=calendars(),
    start=on_grid_instants(),
    span=st.integers(0, 4 * 1440),
    raw_pauses=st.lists(st.tuples(st.integers(-120, 4 * 1440), st.integers(0, 600)), max_size=3),
    data=st.data(),
)
def test_agrees_with_minute_stepping_reference(
    cal: BusinessCalendar,
    start: datetime,
    span: int,
    raw_pauses: list[tuple[int, int]],
    data: st.DataObject,
) -> None:
    pauses = [(start + a * M, start + (a + n) * M) for a, n in raw_pauses]
    flags = ref_counted(cal, start, span, pauses)
    prefix = [0]
    for f in flags:
        prefix.append(prefix[-1] + f)

    ends = [span, *data.draw(st.lists(st.integers(0, span), max_size=4), label="ends")]
    for k in ends:
        assert elapsed(cal, start, start + k * M, pauses) == prefix[k] * M

    total = prefix[-1]
    for d in [total, *data.draw(st.lists(st.integers(0, total), max_size=4), label="durations")]:
        if not cal.has_open_hours:
            with pytest.raises(ValueError, match="no open hours"):
                add(cal, start, d * M, pauses)
            continue
        got = add(cal, start, d * M, pauses)
        if d > 0:
            expected_index = prefix.index(d)  # first k with d counted minutes before start + k
            assert got == start + expected_index * M
        elif True in flags:
            assert got == start + flags.index(True) * M
        else:
            assert got >= start + span * M


@PROPS
@given(
    cal=calendars().filter(lambda c: c.has_open_hours),
    t=precise_instants(),
    gap=st.integers(0, 4 * 86_400_000_000),
    raw_pauses=st.lists(
        st.tuples(st.integers(-3_600_000_000, 4 * 86_400_000_000), st.integers(0, 10**10)), max_size=3
    ),
)
def test_add_inverts_elapsed(
    cal: BusinessCalendar, t: datetime, gap: int, raw_pauses: list[tuple[int, int]]
) -> None:
    # add(t, elapsed(t, u)) is u, or the end of the last business stretch before u: either way it normalises
    # (add(., 0)) to the same next business instant as u.
    pauses = [(t + a * US, t + (a + n) * US) for a, n in raw_pauses]
    u = t + gap * US
    d = elapsed(cal, t, u, pauses)
    r = add(cal, t, d, pauses)
    assert elapsed(cal, t, r, pauses) == d
    if d > timedelta(0):
        assert t < r <= u
        assert elapsed(cal, r, u, pauses) == timedelta(0)
        if elapsed(cal, u - US, u, pauses) == US:  # u is inside business time: exact round trip
            assert r == u
        assert add(cal, r, timedelta(0), pauses) == add(cal, u, timedelta(0), pauses)
    else:
        assert r >= t
        assert elapsed(cal, r, r + US, pauses) == US  # r is a business instant
    assert r.tzinfo is UTC


@PROPS
@given(
    cal=calendars().filter(lambda c: c.has_open_hours),
    t=precise_instants(),
    d1=st.integers(0, 3 * 86_400_000_000),
    d2=st.integers(0, 3 * 86_400_000_000),
)
def test_add_is_monotonic_in_duration(cal: BusinessCalendar, t: datetime, d1: int, d2: int) -> None:
    lo, hi = sorted((d1, d2))
    a, b = add(cal, t, lo * US), add(cal, t, hi * US)
    assert t <= a <= b
    assert b - a >= (hi - lo) * US  # business time never runs faster than real time


@PROPS
@given(
    cal=calendars(),
    t=precise_instants(),
    e1=st.integers(0, 4 * 86_400_000_000),
    e2=st.integers(0, 4 * 86_400_000_000),
)
def test_elapsed_is_monotonic_and_additive(cal: BusinessCalendar, t: datetime, e1: int, e2: int) -> None:
    lo, hi = sorted((e1, e2))
    a, b = t + lo * US, t + hi * US
    assert elapsed(cal, t, a) <= elapsed(cal, t, b)
    assert elapsed(cal, t, b) == elapsed(cal, t, a) + elapsed(cal, a, b)
    assert elapsed(cal, a, b) <= b - a
