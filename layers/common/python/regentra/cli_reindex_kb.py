"""``regentra reindex-kb``: rebuild the per-tenant KB retrieval index from the table.

    regentra reindex-kb --data-dir .regentra                      # local: stop `regentra local` first
    regentra reindex-kb --data-dir .regentra --tenant demo-msp    # one tenant: one Query, no Scan
    TABLE_NAME=... regentra reindex-kb --index-dir /mnt/search/kb # AWS: a host that mounts the EFS

One tenant (`--tenant`) is read with one Query of its KB partition. Without `--tenant` the tenants
are found with a Scan of the table for KB articles — acceptable only because this is an offline
maintenance command: no request path scans. Each tenant's new index generation is built beside the
live one, which keeps serving; then readers switch to it and changes made meanwhile are applied.
With EMBEDDING_MODEL_ID set, sections are embedded; vectors whose input is unchanged are kept from
the previous generation (run it after changing the embedding model or its dimensions).
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

from regentra.cli_table import add_table_arguments, open_table

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reindex-kb",
        help="rebuild the KB retrieval index from the table (per tenant)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_table_arguments(
        parser,
        index_what="KB index",
        index_dir_help="the KB index folder (default: <data-dir>/kb, else KB_INDEX_DIR)",
    )
    parser.add_argument("--tenant", action="append", help="only this tenant (repeatable); default: all")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    table = open_table(args, index_subdir="kb", index_env="KB_INDEX_DIR", index_where="the EFS folder")
    if table is None:
        return 2
    index_dir = table.index_dir
    try:
        from regentra.adapters.dynamo.kb import DynamoKbStore, kb_tenants
        from regentra.adapters.kb_index import TantivyKbIndex
        from regentra.services.deps import embedder
        from regentra.services.kb_retrieval import reindex_kb

        store = DynamoKbStore()
        index = TantivyKbIndex(index_dir.resolve(), writer_heap=64_000_000)
        model = embedder(for_indexing=True)
        tenants = args.tenant or sorted(kb_tenants())
        for tenant_id in tenants:
            report = reindex_kb(index, model, tenant_id, partial(store.list, tenant_id))
            print(
                f"{tenant_id}: {report.records} articles into {index.tenant_dir(tenant_id).name}/"
                f"{index.current_generation(tenant_id)}; {report.embedded} sections embedded, "
                f"{report.reused} vectors kept, {len(report.failed)} articles without vectors"
            )
    finally:
        table.stop()
    print(f"reindexed the KB of {len(tenants)} tenant(s) into {index_dir}")
    return 0
