"""The `regentra` command: `regentra local`, `regentra calendar …`, `regentra reindex`,
`regentra reindex-kb`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from regentra.cli_calendar import add_parser as add_calendar
from regentra.cli_openapi import add_parser as add_openapi
from regentra.cli_reindex import add_parser as add_reindex
from regentra.cli_reindex_kb import add_parser as add_reindex_kb


def _local(args: argparse.Namespace) -> int:
    from regentra.local.runtime import serve

    web_dir = Path(args.web_dir).resolve() if args.web_dir else None
    data_dir = Path(args.data_dir).resolve()
    return serve(data_dir, args.port, args.smtp_port, demo=not args.no_demo, web_dir=web_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regentra", description="Regentra Tickets")
    sub = parser.add_subparsers(dest="command", required=True)
    local = sub.add_parser("local", help="run the whole stack on this machine")
    local.add_argument("--port", type=int, default=3000)
    local.add_argument("--smtp-port", type=int, default=2525)
    local.add_argument("--data-dir", default=".regentra")
    local.add_argument("--no-demo", action="store_true", help="do not seed the demo tenant")
    local.add_argument("--web-dir", help="the built web app to serve at / (default: <repo>/web/dist)")
    local.set_defaults(func=_local)
    add_calendar(sub)
    add_openapi(sub)
    add_reindex(sub)
    add_reindex_kb(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
