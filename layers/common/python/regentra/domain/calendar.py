"""Business calendars: how much *business time* lies between two instants, and when a target falls due.

Pure and exact: stdlib + zoneinfo only, never reads the clock, microsecond-exact (all arithmetic is
``datetime``/``timedelta``), and the cost grows with the number of days spanned, not with minutes.

Semantics (the DST choice)
--------------------------
A real instant ``t`` is business time iff the wall clock of the calendar's timezone, *at that instant*,
shows a date that is not a holiday and a time inside one of that weekday's ``[start, end)`` ranges.
So we measure real elapsed time while the desk is open, as staff experience it:

* spring forward (Europe/Berlin 2026-03-29, 02:00 -> 03:00): the wall times 02:00-02:59 never occur,
  so a range 02:00-03:00 contributes nothing that day, and a range 01:00-04:00 contributes 2 hours;
* fall back (Europe/Berlin 2026-10-25, 03:00 -> 02:00): the wall times 02:00-02:59 occur twice and
  both passes count, so a range 02:00-03:00 contributes 2 hours and a range 01:00-04:00 4 hours;
* a calendar open 00:00-24:00 every day counts every real instant: a local day lasts 23 or 25 hours;
* ranges that touch midnight (mon 22:00-24:00 + tue 00:00-06:00) are one continuous stretch.

No wall time is ever converted with a guessed ``fold``: we split the timeline into pieces with a
constant UTC offset (transitions are located exactly by bisection) and shift each piece by its offset,
so gaps and repeats fall out of the definition instead of being special-cased.
(Assumption: no zone has two transitions that cancel out within one local day; none in tzdata does.)

``always_open`` (24x7) counts every instant and ignores holidays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "WEEKDAYS",
    "BusinessCalendar",
    "add",
    "elapsed",
    "parse_day_ranges",
    "parse_holiday",
    "parse_time",
    "zone",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 1440

Range = tuple[int, int]  # [start, end) in minutes of the local day, 0..1440
Interval = tuple[datetime, datetime]  # internal: naive UTC, half-open

_UTC = UTC
_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_US = timedelta(microseconds=1)
_MIDNIGHT = time()
_NO_LIMIT = datetime.max
_HHMM = re.compile(r"(\d\d):(\d\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---------------------------------------------------------------------------------------------- parsing


def zone(name: object) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or a ValueError naming the bad value."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"timezone must be a non-empty IANA name such as 'Europe/Berlin', got {name!r}")
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown timezone {name!r} (expected an IANA name like 'Europe/Berlin')") from exc


def parse_time(text: object, *, is_end: bool = False) -> int:
    """'HH:MM' -> minutes of the day. '24:00' is accepted only as the end of a range."""
    m = _HHMM.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"invalid time {text!r}: expected 'HH:MM' between '00:00' and '24:00'")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"invalid time {text!r}: expected 'HH:MM' between '00:00' and '24:00'")
    if hours == 24 and not is_end:
        raise ValueError(f"invalid time {text!r}: '24:00' may only end a range")
    return hours * 60 + minutes


def parse_day_ranges(day: str, ranges: object) -> tuple[Range, ...]:
    """A day's ``[["09:00", "17:00"], ...]`` -> sorted minute ranges; ValueError if bad or overlapping."""
    if not isinstance(ranges, list | tuple):
        raise ValueError(f"{day}: expected a list of [start, end] pairs, got {ranges!r}")
    parsed: list[Range] = []
    for item in ranges:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(f"{day}: expected a [start, end] pair such as ['09:00', '17:00'], got {item!r}")
        parsed.append((parse_time(item[0]), parse_time(item[1], is_end=True)))
    return _check_ranges(day, parsed)


def parse_holiday(text: object) -> date:
    """'YYYY-MM-DD' -> date (a whole local day closed)."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"invalid holiday {text!r}: expected an ISO date 'YYYY-MM-DD'")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"invalid holiday {text!r}: {exc}") from exc


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _is_minute(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_ranges(day: str, ranges: Iterable[object]) -> tuple[Range, ...]:
    out: list[Range] = []
    for item in ranges:
        if not isinstance(item, list | tuple) or len(item) != 2 or not all(map(_is_minute, item)):
            raise ValueError(f"{day}: a range must be a (start, end) pair of integer minutes, got {item!r}")
        out.append((item[0], item[1]))
    out.sort()
    for start, end in out:
        if not 0 <= start < MINUTES_PER_DAY or not 0 < end <= MINUTES_PER_DAY:
            raise ValueError(f"{day}: range {_fmt(start)}-{_fmt(end)} is outside 00:00-24:00")
        if end <= start:
            raise ValueError(
                f"{day}: range {_fmt(start)}-{_fmt(end)} must end after it starts "
                "(split an overnight range at midnight: ['22:00', '24:00'] and next day ['00:00', '06:00'])"
            )
    for (s1, e1), (s2, e2) in zip(out, out[1:], strict=False):
        if s2 < e1:  # touching ranges (e1 == s2) are fine: they are one continuous stretch
            raise ValueError(f"{day}: ranges {_fmt(s1)}-{_fmt(e1)} and {_fmt(s2)}-{_fmt(e2)} overlap")
    return tuple(out)


# ---------------------------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly opening hours in one timezone, minus holidays; or always open (24x7).

    ``weekly_hours[i]`` holds the ``[start, end)`` minute ranges of weekday ``i`` (Mon=0 .. Sun=6);
    ``holidays`` are whole local days closed. Ranges are normalised (sorted) and validated.
    """

    timezone: str = "UTC"
    weekly_hours: tuple[tuple[Range, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    always_open: bool = False
    # derived, for speed: the ZoneInfo and the ranges as timedeltas (touching ranges merged)
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _week: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tz = zone(self.timezone)
        hours = tuple(self.weekly_hours)
        if len(hours) != 7:
            raise ValueError(f"weekly_hours must have 7 entries (Mon..Sun), got {len(hours)}")
        hours = tuple(_check_ranges(WEEKDAYS[i], day) for i, day in enumerate(hours))
        holidays = frozenset(parse_holiday(h) for h in self.holidays)
        object.__setattr__(self, "weekly_hours", hours)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "always_open", bool(self.always_open))
        object.__setattr__(self, "_tz", tz)
        object.__setattr__(self, "_week", tuple(_merged_day(day) for day in hours))

    @classmethod
    def from_settings(cls, d: Mapping[str, Any]) -> BusinessCalendar:
        """Build from the ``/settings/sla`` shape: ``timezone``, ``business_hours`` (all of mon..sun),
        optional ``holidays`` (ISO dates) and optional ``always_open``; other keys are ignored."""
        if not isinstance(d, Mapping):
            raise ValueError(f"calendar settings must be an object, got {type(d).__name__}")
        if "timezone" not in d:
            raise ValueError("calendar settings: 'timezone' is required")
        always_open = d.get("always_open", False)
        if not isinstance(always_open, bool):
            raise ValueError(f"always_open must be true or false, got {always_open!r}")
        hours = d.get("business_hours")
        if hours is None and always_open:
            hours = {day: [] for day in WEEKDAYS}
        if not isinstance(hours, Mapping):
            raise ValueError("calendar settings: 'business_hours' must be an object with keys mon..sun")
        unknown = sorted(set(hours) - set(WEEKDAYS))
        missing = [day for day in WEEKDAYS if day not in hours]
        if unknown or missing:
            raise ValueError(
                f"business_hours needs exactly the keys {', '.join(WEEKDAYS)}"
                + (f"; unknown: {', '.join(map(str, unknown))}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        holidays = d.get("holidays", [])
        if not isinstance(holidays, list | tuple):
            raise ValueError(f"holidays must be a list of ISO dates, got {holidays!r}")
        return cls(
            timezone=zone(d["timezone"]).key,
            weekly_hours=tuple(parse_day_ranges(day, hours[day]) for day in WEEKDAYS),
            holidays=frozenset(parse_holiday(h) for h in holidays),
            always_open=always_open,
        )

    @classmethod
    def twenty_four_seven(cls) -> BusinessCalendar:
        """Always open, UTC, no holidays."""
        return cls(timezone="UTC", always_open=True)

    @property
    def has_open_hours(self) -> bool:
        """False for a calendar that is never open (then add() cannot reach any target)."""
        return self.always_open or any(self.weekly_hours)


def _merged_day(ranges: tuple[Range, ...]) -> tuple[tuple[timedelta, timedelta], ...]:
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and merged[-1][1] == start:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return tuple((timedelta(minutes=s), timedelta(minutes=e)) for s, e in merged)


# ---------------------------------------------------------------------------------------------- public ops


def elapsed(
    cal: BusinessCalendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[tuple[datetime, datetime]] = (),
) -> timedelta:
    """Business time in ``[start, end)`` that is not inside any pause (0 if ``end <= start``)."""
    s, e = _naive_utc(start, "start"), _naive_utc(end, "end")
    if e <= s:
        return _ZERO
    total = _ZERO
    for a, b in _effective(cal, s, _merge_pauses(pauses), limit=e):
        total += min(b, e) - a
    return total


def add(
    cal: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: Sequence[tuple[datetime, datetime]] = (),
) -> datetime:
    """The earliest instant ``u >= start`` with ``elapsed(cal, start, u, pauses) == duration``.

    For ``duration == 0`` it is the next business instant at/after ``start`` outside the pauses
    (when a timer would start counting). Returns an aware UTC datetime.
    """
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    s = _naive_utc(start, "start")
    if not cal.has_open_hours:
        raise ValueError("calendar has no open hours at all: no business time can ever elapse")
    remaining = duration
    try:
        for a, b in _effective(cal, s, _merge_pauses(pauses), limit=_NO_LIMIT):
            span = b - a
            # ">=": the earliest such instant is the end of this stretch, not the next opening
            if span >= remaining:
                return (a + remaining).replace(tzinfo=_UTC)
            remaining -= span
    except OverflowError:
        pass
    raise ValueError(f"business time of {duration} after {start.isoformat()} is beyond the supported range")


# ---------------------------------------------------------------------------------------------- internals


def _naive_utc(dt: datetime, what: str) -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got naive {dt.isoformat()}")
    return dt.astimezone(_UTC).replace(tzinfo=None)


def _merge_pauses(pauses: Sequence[tuple[datetime, datetime]]) -> list[Interval]:
    spans: list[Interval] = []
    for i, pause in enumerate(pauses):
        try:
            ps, pe = pause
        except (TypeError, ValueError) as exc:
            raise ValueError(f"pause {i} must be a (start, end) pair, got {pause!r}") from exc
        a, b = _naive_utc(ps, f"pause {i} start"), _naive_utc(pe, f"pause {i} end")
        if b < a:
            raise ValueError(f"pause {i} ends ({pe.isoformat()}) before it starts ({ps.isoformat()})")
        if a < b:
            spans.append((a, b))
    spans.sort()
    merged: list[Interval] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _effective(
    cal: BusinessCalendar, start: datetime, pauses: list[Interval], limit: datetime
) -> Iterator[Interval]:
    """Business intervals from ``start`` (clipped to ``limit``), outside the pauses, in order.

    We walk the gaps *between* pauses and only compute business time inside them, so a long
    pause costs nothing (no day-by-day walk through paused time).
    """
    windows: list[Interval] = []
    cursor = start
    for ps, pe in pauses:
        if pe <= cursor:
            continue
        if ps > cursor:
            windows.append((cursor, min(ps, limit)))
        cursor = max(cursor, pe)
        if cursor >= limit:
            break
    if cursor < limit:
        windows.append((cursor, limit))
    for w0, w1 in windows:
        if w0 >= w1:
            continue
        if cal.always_open:
            yield (w0, w1)
            continue
        for a, b in _open_intervals(cal, w0, w1):
            if a >= w1:  # the generator works in whole days and may run past the window
                break
            yield (a, min(b, w1))


def _offset_at(tz: ZoneInfo, t: datetime) -> timedelta:
    """UTC offset in force at the naive-UTC instant t."""
    off = tz.fromutc(t.replace(tzinfo=tz)).utcoffset()
    assert off is not None
    return off


def _next_change(tz: ZoneInfo, a: datetime, b: datetime, off_a: timedelta) -> datetime:
    """Smallest instant in (a, b] whose offset differs from off_a, given that b's does (bisection)."""
    lo, hi = 0, (b - a) // _US
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_at(tz, a + timedelta(microseconds=mid)) == off_a:
            lo = mid
        else:
            hi = mid
    return a + timedelta(microseconds=hi)


def _open_intervals(cal: BusinessCalendar, start: datetime, limit: datetime) -> Iterator[Interval]:
    """Open business intervals (naive UTC, in order) from ``start``, day by day, until ``limit``.

    Touching intervals (a range ending at 24:00 and the next day's starting at 00:00) are *not*
    merged: add() and elapsed() don't need it, and a calendar open around the clock would otherwise
    make us look ahead forever for the end of the stretch.
    """
    if not any(cal._week):
        return
    tz = cal._tz
    c = start
    try:
        off_c = _offset_at(tz, c)
        while c < limit:
            # one chunk per local day: up to the next local midnight as seen with the current offset
            n = datetime.combine((c + off_c).date() + _DAY, _MIDNIGHT) - off_c
            off_n = _offset_at(tz, n)
            a, off_a = c, off_c
            while True:  # split the chunk where the offset changes (DST), then shift each piece
                b = n if off_a == off_n else _next_change(tz, a, n, off_a)
                yield from _wall_open(cal, a, b, off_a)
                if b == n:
                    break
                a, off_a = b, _offset_at(tz, b)
            c, off_c = n, off_n
    except OverflowError:  # walked off datetime's range (year 9999): no more business time
        return


def _wall_open(cal: BusinessCalendar, a: datetime, b: datetime, off: timedelta) -> Iterator[Interval]:
    """Open intervals within the real instants [a, b) during which the UTC offset is constantly ``off``."""
    if b <= a:
        return
    ws, we = a + off, b + off  # the same stretch in wall-clock time
    d = ws.date()
    last = (we - _US).date()
    holidays, week = cal.holidays, cal._week
    while d <= last:
        ranges = week[d.weekday()]
        if ranges and d not in holidays:
            base = datetime(d.year, d.month, d.day)
            for s, e in ranges:
                x, y = base + s, base + e
                if x < ws:
                    x = ws
                if y > we:
                    y = we
                if x < y:
                    yield (x - off, y - off)
        d += _DAY
