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
import os
from functools import partial
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reindex-kb",
        help="rebuild the KB retrieval index from the table (per tenant)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        help="a `regentra local` data dir: its DynamoDB Local data and its KB index "
        "(DynamoDB Local is started on it unless --dynamodb-endpoint is given)",
    )
    parser.add_argument("--dynamodb-endpoint", help="DynamoDB endpoint URL (a running DynamoDB Local)")
    parser.add_argument("--index-dir", help="the KB index folder (default: <data-dir>/kb, else KB_INDEX_DIR)")
    parser.add_argument("--tenant", action="append", help="only this tenant (repeatable); default: all")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from regentra.config import reset_settings

    ddb = None
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
        index_dir = Path(args.index_dir) if args.index_dir else data_dir / "kb"
    else:
        configured = args.index_dir or os.environ.get("KB_INDEX_DIR")
        if not configured:
            print("give --data-dir (local) or --index-dir / KB_INDEX_DIR (the EFS folder)")
            return 2
        index_dir = Path(configured)
    if args.dynamodb_endpoint:
        os.environ["REGENTRA_DYNAMODB_ENDPOINT"] = args.dynamodb_endpoint
    reset_settings()
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
        if ddb is not None:
            ddb.stop()
    print(f"reindexed the KB of {len(tenants)} tenant(s) into {index_dir}")
    return 0
