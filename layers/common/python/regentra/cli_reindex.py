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
from typing import Any

from regentra.cli_table import add_table_arguments, open_table

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reindex",
        help="rebuild the search index from the table (a full Scan: offline maintenance only)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_table_arguments(
        parser,
        index_what="search index",
        index_dir_help="the index folder (default: <data-dir>/search, else SEARCH_INDEX_DIR)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    table = open_table(args, index_subdir="search", index_env="SEARCH_INDEX_DIR", index_where="the EFS mount")
    if table is None:
        return 2
    index_dir = table.index_dir
    try:
        from regentra.adapters.dynamo.ticket_lists import DynamoTicketLists
        from regentra.adapters.search_index import TantivySearchIndex
        from regentra.clock import get_clock
        from regentra.services.search import reindex

        now = get_clock().now
        if table.data_dir is not None:
            from regentra.local.scheduler import LocalClock

            now = LocalClock(
                table.data_dir / "clock.json"
            ).now  # the local stack's clock (SLA status at index time)
        index = TantivySearchIndex(index_dir.resolve(), writer_heap=256_000_000)
        report = reindex(index, DynamoTicketLists(), now)
    finally:
        table.stop()
    print(
        f"reindexed {report.documents} tickets into {index_dir}/{report.generation} "
        f"in {report.seconds:.1f} s; {report.caught_up} changed during the build and were re-read"
    )
    return 0
