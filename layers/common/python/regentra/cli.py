"""The `regentra` command: `regentra local`, `regentra calendar …`, `regentra reindex`,
`regentra reindex-kb`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from regentra.cli_calendar import add_parser as add_calendar
from regentra.cli_openapi import add_parser as add_openapi
from regentra.cli_reindex import add_parser as add_reindex
from regentra.cli_reindex_kb import add_parser as add_reindex_kb


def _serve_build(build: Path, argv: Sequence[str]) -> None:
    """`--from-build DIR`: run what `sam build` wrote, not this checkout. DIR/template.yaml names each
    function's built folder; the layer's python/ (the package and its locked dependencies, as Lambda mounts
    it at /opt/python) goes first on the path, so this process imports nothing of regentra from the source
    tree. Re-executes once with that path; returns when it already runs so."""
    import regentra
    from regentra.local.template import BUILD_DIR_ENV, Template

    if not (build / "template.yaml").is_file():
        raise SystemExit(f"--from-build: no template.yaml in {build} (run `make build-check` or `sam build`)")
    layers = [d / "python" for d in Template.load(build).layer_dirs() if (d / "python").is_dir()]
    if not layers:
        raise SystemExit(f"--from-build: {build} has no built layer (python/ folder)")
    if os.environ.get(BUILD_DIR_ENV) == str(build) and Path(regentra.__file__).resolve().is_relative_to(
        layers[0].resolve()
    ):
        return
    path = [str(d) for d in layers] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {**os.environ, BUILD_DIR_ENV: str(build), "PYTHONPATH": os.pathsep.join(path)}
    os.execve(sys.executable, [sys.executable, "-m", "regentra.cli", *argv], env)


def _local(args: argparse.Namespace) -> int:
    if args.from_build:
        _serve_build(Path(args.from_build).resolve(), sys.argv[1:] if args.argv is None else args.argv)
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
    local.add_argument(
        "--from-build",
        metavar="DIR",
        help="serve the functions and layer `sam build` wrote to DIR (e.g. .aws-sam/build-native), "
        "not the source tree",
    )
    local.set_defaults(func=_local)
    add_calendar(sub)
    add_openapi(sub)
    add_reindex(sub)
    add_reindex_kb(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(argv) if argv is not None else None
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
