"""The `regentra` command wires the calendar questions a support engineer asks."""

from __future__ import annotations

import json

from regentra.cli import main

BERLIN = {
    "timezone": "Europe/Berlin",
    "business_hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [], "sun": []},
    "holidays": ["2026-12-25", "2026-12-26"],
}


def test_calendar_add_and_between_through_the_main_command(tmp_path, capsys):
    cal = tmp_path / "berlin.json"
    cal.write_text(json.dumps(BERLIN))
    # Thu 24 Dec 16:00 CET + 8 business hours: 1 h that day, holidays, weekend, 7 h on Mon 28 Dec.
    assert (
        main(
            ["calendar", "add", "--calendar", str(cal), "--start", "2026-12-24T15:00:00Z", "--minutes", "480"]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "2026-12-28T15:00:00Z"
    assert (
        main(
            [
                "calendar",
                "between",
                "--calendar",
                str(cal),
                "--start",
                "2026-12-24T15:00:00Z",
                "--end",
                "2026-12-28T16:00:00Z",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "540"


def test_calendar_add_with_a_pause(tmp_path, capsys):
    cal = tmp_path / "berlin.json"
    cal.write_text(json.dumps(BERLIN))
    args = [
        "calendar",
        "add",
        "--calendar",
        str(cal),
        "--start",
        "2026-11-23T08:00:00Z",
        "--minutes",
        "60",
        "--pause",
        "2026-11-23T08:30:00Z/2026-11-23T09:00:00Z",
    ]
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == "2026-11-23T09:30:00Z"
