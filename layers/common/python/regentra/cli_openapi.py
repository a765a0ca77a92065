"""``regentra openapi``: write openapi.json, generated from the HTTP handlers.

    regentra openapi                         # the document on stdout
    regentra openapi --output openapi.json   # what `make openapi` runs (written whole, and only if changed)
    regentra openapi --check openapi.json    # exit 1 when the file is not what the handlers give

The web client's TypeScript types are generated from the committed openapi.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "openapi",
        help="generate openapi.json from the HTTP handlers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--output", "-o", help="write the document to this file instead of stdout")
    target.add_argument("--check", metavar="FILE", help="compare FILE with a fresh document; exit 1 if stale")
    parser.add_argument("--root", help="the repository (default: found from the installed package)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from regentra.api.openapi import generate

    text = generate(Path(args.root).resolve() if args.root else None)
    if args.check:
        path = Path(args.check)
        if not path.is_file() or path.read_text() != text:
            print(f"{path} is out of date with the handlers: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    if not args.output:
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    if path.is_file() and path.read_text() == text:
        return 0  # unchanged: the file keeps its mtime, so make does not rebuild what depends on it
    # Written beside the target and renamed: a failed run never leaves a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.resolve().parent, prefix=".openapi-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return 0
