"""``regentra calendar add|between``: try a business calendar from the command line.

    regentra calendar add --calendar cal.json --start 2026-03-27T15:00:00Z --minutes 120 \\
        [--pause 2026-03-30T08:00:00Z/2026-03-30T09:00:00Z ...]
    regentra calendar between --calendar cal.json --start 2026-03-27T15:00:00Z --end 2026-03-30T10:00:00Z

The calendar file is JSON in the ``/settings/sla`` shape (``timezone``, ``business_hours``, ``holidays``;
other keys are ignored). Times need an offset or ``Z``; output times are UTC with ``Z``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from regentra.domain.calendar import BusinessCalendar, add, elapsed

__all__ = ["add_parser", "main", "run"]

_MINUTE = timedelta(minutes=1)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``calendar`` (with ``add`` and ``between``) on an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "calendar",
        help="business-time arithmetic with an SLA calendar",
        description="Business-time arithmetic with an SLA calendar "
        "(a JSON file with timezone, business_hours and holidays).",
    )
    commands = parser.add_subparsers(dest="calendar_command", metavar="{add,between}", required=True)

    p_add = commands.add_parser("add", help="print when N business minutes after START fall due (UTC)")
    p_add.add_argument("--calendar", required=True, metavar="FILE", help="calendar JSON file")
    p_add.add_argument("--start", required=True, type=_instant, metavar="ISO", help="start instant")
    p_add.add_argument(
        "--minutes", required=True, type=_minutes, metavar="N", help="business minutes (may have decimals)"
    )
    p_add.add_argument(
        "--pause",
        action="extend",
        nargs="+",
        type=_pause,
        default=[],
        metavar="ISO/ISO",
        help="a pause (e.g. waiting on customer) whose time does not count; repeatable",
    )

    p_between = commands.add_parser("between", help="print the business minutes between START and END")
    p_between.add_argument("--calendar", required=True, metavar="FILE", help="calendar JSON file")
    p_between.add_argument("--start", required=True, type=_instant, metavar="ISO", help="start instant")
    p_between.add_argument("--end", required=True, type=_instant, metavar="ISO", help="end instant")

    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Execute a parsed ``calendar`` command; prints the result, returns the exit code."""
    try:
        cal = load_calendar(args.calendar)
        if args.calendar_command == "add":
            due = add(cal, args.start, args.minutes, args.pause)
            print(format_instant(due))
        elif args.calendar_command == "between":
            print(format_minutes(elapsed(cal, args.start, args.end)))
        else:  # argparse makes the sub-command required; this guards direct callers
            raise ValueError(f"unknown calendar command {args.calendar_command!r}")
    except (OSError, ValueError) as exc:
        print(f"regentra calendar: error: {exc}", file=sys.stderr)
        return 2
    return 0


def load_calendar(path: str | Path) -> BusinessCalendar:
    """Read a calendar JSON file; every problem becomes a ValueError/OSError with the file named."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    try:
        return BusinessCalendar.from_settings(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def format_instant(t: datetime) -> str:
    """ISO 8601 UTC with ``Z`` (microseconds only when present)."""
    return t.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def format_minutes(d: timedelta) -> str:
    """Whole minutes as an integer, else with decimals (up to 6, trailing zeros dropped)."""
    micros = d // timedelta(microseconds=1)
    if micros % 60_000_000 == 0:
        return str(micros // 60_000_000)
    text = f"{Decimal(micros) / Decimal(60_000_000):.6f}".rstrip("0")
    # never let rounding make a fraction look whole: fall back to the float's shortest repr
    return text if not text.endswith(".") else repr(micros / 60_000_000)


def _instant(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if t.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no timezone: add 'Z' (UTC) or an offset like +01:00")
    return t


def _minutes(text: str) -> timedelta:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"minutes must be a finite number >= 0, got {text!r}")
    # Decimal keeps "0.5" exact; round to the microsecond, the calendar's resolution
    return timedelta(microseconds=int((value * 60_000_000).to_integral_value()))


def _pause(text: str) -> tuple[datetime, datetime]:
    start, sep, end = text.partition("/")
    if not sep:
        raise argparse.ArgumentTypeError(f"a pause is START/END, got {text!r}")
    a, b = _instant(start), _instant(end)
    if b < a:
        raise argparse.ArgumentTypeError(f"pause {text!r} ends before it starts")
    return a, b


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (the main ``regentra`` CLI registers the same parser)."""
    parser = argparse.ArgumentParser(prog="regentra")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
