"""What the offline maintenance commands that read the whole table share (``regentra reindex``,
``regentra reindex-kb``): the ``--data-dir`` / ``--dynamodb-endpoint`` / ``--index-dir`` options,
and reaching the table: a `regentra local` data dir (DynamoDB Local started on it unless an
endpoint is given) or the configured table (AWS), plus the index folder to build into.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regentra.local.dynamodb_local import DynamoDBLocal

__all__ = ["TableAccess", "add_table_arguments", "open_table"]


def add_table_arguments(parser: argparse.ArgumentParser, *, index_what: str, index_dir_help: str) -> None:
    parser.add_argument(
        "--data-dir",
        help=f"a `regentra local` data dir: its DynamoDB Local data and its {index_what} "
        "(DynamoDB Local is started on it unless --dynamodb-endpoint is given)",
    )
    parser.add_argument("--dynamodb-endpoint", help="DynamoDB endpoint URL (a running DynamoDB Local)")
    parser.add_argument("--index-dir", help=index_dir_help)


@dataclass
class TableAccess:
    index_dir: Path
    data_dir: Path | None  # the `regentra local` data dir, if one was given
    ddb: DynamoDBLocal | None = None  # started here: stop() it when done

    def stop(self) -> None:
        if self.ddb is not None:
            self.ddb.stop()


def open_table(
    args: argparse.Namespace, *, index_subdir: str, index_env: str, index_where: str
) -> TableAccess | None:
    """Point the settings at the table and find the index folder: `<data-dir>/<index_subdir>`
    locally, else --index-dir or the `index_env` variable. None (after saying why) when neither."""
    from regentra.config import reset_settings

    ddb = None
    data_dir = None
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        if not (data_dir / "dynamodb").is_dir() and not args.dynamodb_endpoint:
            print(f"{data_dir} holds no DynamoDB Local data (has `regentra local` used it?)")
            return None
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        os.environ["TABLE_NAME"] = "RegentraTable"  # the local table is named by its logical id
        if not args.dynamodb_endpoint:
            from regentra.local.dynamodb_local import DynamoDBLocal

            ddb = DynamoDBLocal(data_dir / "dynamodb", log_path=data_dir / "dynamodb.log").start()
            args.dynamodb_endpoint = ddb.endpoint
        index_dir = Path(args.index_dir) if args.index_dir else data_dir / index_subdir
    else:
        configured = args.index_dir or os.environ.get(index_env)
        if not configured:
            print(f"give --data-dir (local) or --index-dir / {index_env} ({index_where})")
            return None
        index_dir = Path(configured)
    if args.dynamodb_endpoint:
        os.environ["REGENTRA_DYNAMODB_ENDPOINT"] = args.dynamodb_endpoint
    reset_settings()
    return TableAccess(index_dir, data_dir, ddb)
