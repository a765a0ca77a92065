"""Cost of business-time arithmetic: add() and elapsed() for a 10,000-hour business-hours target,
against a 10-hour baseline. Prints figures only (no pass/fail).

    python bench/calendar_cost.py [--runs N]

Another bench can ``from calendar_cost import measure`` (with bench/ on sys.path) and use the dict.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

try:
    from regentra.domain.calendar import BusinessCalendar, add, elapsed
except ModuleNotFoundError:  # a plain checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "common" / "python"))
    from regentra.domain.calendar import BusinessCalendar, add, elapsed

# A realistic desk: Mon-Fri 09:00-17:00 in a DST zone, a few public holidays a year.
CALENDAR = BusinessCalendar.from_settings(
    {
        "timezone": "Europe/Berlin",
        "business_hours": {
            **{day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
            "sat": [],
            "sun": [],
        },
        "holidays": [
            f"{y}-{md}" for y in range(2026, 2033) for md in ("01-01", "05-01", "10-03", "12-25", "12-26")
        ],
    }
)
START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # a Monday morning (09:30 CET)


def _mean_seconds(fn: Callable[[], object], runs: int, batch: int = 1) -> float:
    """Mean seconds per call over ``runs`` runs of ``batch`` calls each."""
    fn()  # warm-up: zoneinfo caches, imports
    t0 = time.perf_counter()
    for _ in range(runs * batch):
        fn()
    return (time.perf_counter() - t0) / (runs * batch)


def measure(runs: int = 20, hours: int = 10_000, baseline_hours: int = 10) -> dict[str, float | int | str]:
    """Mean wall time (seconds) of add()/elapsed() for ``hours`` and ``baseline_hours`` business hours."""
    big, small = timedelta(hours=hours), timedelta(hours=baseline_hours)
    due_big, due_small = add(CALENDAR, START, big), add(CALENDAR, START, small)
    add_big = _mean_seconds(lambda: add(CALENDAR, START, big), runs)
    # the baseline takes microseconds: batch it so timer noise does not dominate the ratio
    add_small = _mean_seconds(lambda: add(CALENDAR, START, small), runs, batch=200)
    el_big = _mean_seconds(lambda: elapsed(CALENDAR, START, due_big), runs)
    el_small = _mean_seconds(lambda: elapsed(CALENDAR, START, due_small), runs, batch=200)
    return {
        "runs": runs,
        "hours": hours,
        "baseline_hours": baseline_hours,
        "calendar_days_spanned": (due_big - START).days,
        "due": due_big.isoformat(),
        "add_s": add_big,
        "add_baseline_s": add_small,
        "add_ratio": add_big / add_small,
        "elapsed_s": el_big,
        "elapsed_baseline_s": el_small,
        "elapsed_ratio": el_big / el_small,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20, help="runs to average (default 20)")
    args = parser.parse_args(argv)
    r = measure(runs=args.runs)
    print(f"calendar: Europe/Berlin Mon-Fri 09:00-17:00 with holidays; mean of {r['runs']} runs")
    print(f"{r['hours']} business hours span {r['calendar_days_spanned']} calendar days (due {r['due']})")
    for op in ("add", "elapsed"):
        big, small, ratio = r[f"{op}_s"], r[f"{op}_baseline_s"], r[f"{op}_ratio"]
        print(
            f"{op:>7}: {float(big) * 1e3:8.3f} ms for {r['hours']} h | "
            f"{float(small) * 1e6:8.1f} us for {r['baseline_hours']} h | ratio {float(ratio):7.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
