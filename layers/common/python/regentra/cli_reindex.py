"""``regentra reindex``: rebuild the search index from the table.

    regentra reindex --data-dir .regentra                 # local: stop `regentra local` first
    regentra reindex --data-dir .regentra --dynamodb-endpoint http://127.0.0.1:8000
    TABLE_NAME=... regentra reindex --index-dir /mnt/search/index   # AWS: a host that mounts the EFS

It reads the whole table with a Scan (tickets and public replies; never notes). That is the only
way to find every tenant's tickets, and it is acceptable here only because this is an offline
maintenance command: no request path scans. The new index generation is built beside the live
one, which keeps serving; then readers switch to it, and tickets the live indexer changed during
the build are re-read from the table. In AWS, pausing the indexer's event source mapping during
the run is not needed, but is the simplest way to make the build window quiet.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reindex",
        help="rebuild the search index from the table (a full Scan: offline maintenance only)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        help="a `regentra local` data dir: its DynamoDB Local data and its search index "
        "(DynamoDB Local is started on it unless --dynamodb-endpoint is given)",
    )
    parser.add_argument("--dynamodb-endpoint", help="DynamoDB endpoint URL (a running DynamoDB Local)")
    parser.add_argument(
        "--index-dir", help="the index folder (default: <data-dir>/search, else SEARCH_INDEX_DIR)"
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from regentra.config import reset_settings

    ddb = None
    clock_file = None
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        if not (data_dir / "dynamodb").is_dir() and not args.dynamodb_endpoint:
            print(f"{data_dir} holds no DynamoDB Local data (has `regentra local` used it?)")
            return 2
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        os.environ["TABLE_NAME"] = "RegentraTable"  # the local table is named by its logical id
        if not args.dynamodb_endpoint:
            from regentra.local.dynamodb_local import DynamoDBLocal

            ddb = DynamoDBLocal(data_dir / "dynamodb", log_path=data_dir / "dynamodb.log").start()
            args.dynamodb_endpoint = ddb.endpoint
        clock_file = data_dir / "clock.json"
        index_dir = Path(args.index_dir) if args.index_dir else data_dir / "search"
    else:
        configured = args.index_dir or os.environ.get("SEARCH_INDEX_DIR")
        if not configured:
            print("give --data-dir (local) or --index-dir / SEARCH_INDEX_DIR (the EFS mount)")
            return 2
        index_dir = Path(configured)
    if args.dynamodb_endpoint:
        os.environ["REGENTRA_DYNAMODB_ENDPOINT"] = args.dynamodb_endpoint
    reset_settings()
    try:
        from regentra.adapters.dynamo.ticket_lists import DynamoTicketLists
        from regentra.adapters.search_index import TantivySearchIndex
        from regentra.clock import get_clock
        from regentra.services.search import reindex

        now = get_clock().now
        if clock_file is not None:
            from regentra.local.scheduler import LocalClock

            now = LocalClock(clock_file).now  # the local stack's clock (SLA status at index time)
        index = TantivySearchIndex(index_dir.resolve(), writer_heap=256_000_000)
        report = reindex(index, DynamoTicketLists(), now)
    finally:
        if ddb is not None:
            ddb.stop()
    print(
        f"reindexed {report.documents} tickets into {index_dir}/{report.generation} "
        f"in {report.seconds:.1f} s; {report.caught_up} changed during the build and were re-read"
    )
    return 0
