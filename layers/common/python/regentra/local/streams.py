"""The table's stream, locally: read DynamoDB Local's stream and invoke the stream functions of
template.yaml with Lambda-shaped batches, applying their FilterCriteria as Lambda would.

The local gateway drains the stream after every invocation, so what a request caused (events,
outbound mail) has happened by the time its response is read: deterministic for users and tests.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from regentra.local.tables import local_table_name
from regentra.local.template import StreamTrigger

logger = logging.getLogger("regentra.local.streams")


def _matches(pattern: Any, value: Any) -> bool:
    """EventBridge/Lambda event-pattern matching, for what the template's filters use:
    nested objects, lists of allowed values, {"exists": bool}, {"prefix": str}."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        for key, sub in pattern.items():
            if isinstance(sub, list):
                if not any(_allowed(option, key in value, value.get(key)) for option in sub):
                    return False
            elif not _matches(sub, value.get(key)):
                return False
        return True
    return bool(pattern == value)


def _allowed(option: Any, present: bool, value: Any) -> bool:
    if isinstance(option, dict):
        if "exists" in option:
            return bool(option["exists"]) == present
        if "prefix" in option:
            return isinstance(value, str) and value.startswith(option["prefix"])
        if "anything-but" in option:
            banned = option["anything-but"]
            return present and value not in (banned if isinstance(banned, list) else [banned])
        return False
    return present and option == value


def record_passes(trigger: StreamTrigger, record: dict[str, Any]) -> bool:
    if not trigger.filters:
        return True
    for f in trigger.filters:
        pattern = f.get("Pattern")
        pattern = json.loads(pattern) if isinstance(pattern, str) else pattern
        if _matches(pattern, record):
            return True
    return False


def _lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    dynamodb = dict(raw["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion", "us-east-1"),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamPoller:
    def __init__(
        self,
        triggers: list[StreamTrigger],
        endpoint: str,
        invoke: Callable[[str, dict[str, Any]], Any],
        state_file: Path | None = None,
        lock: Any = None,
    ) -> None:
        import boto3

        self.triggers = triggers
        self.invoke = invoke
        self.state_file = state_file
        self._ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        self._streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name="us-east-1")
        # The function host's lock when given: a drain invokes functions, and taking the same lock
        # up front keeps one lock order for every thread (no drain waiting on a function that waits
        # on the drain).
        self._lock = lock or threading.RLock()
        self._draining = False
        self.max_attempts = 3
        self._arns: dict[str, str] = {}
        self._iterators: dict[str, str] = {}
        self.dead_letters: list[dict[str, Any]] = []
        # shard id -> last sequence number handed to the functions
        self._positions: dict[str, str] = {}
        if state_file is not None and state_file.exists():
            self._positions = json.loads(state_file.read_text())
        self._fresh = not self._positions  # a new data dir: start at the stream's beginning

    def _save(self) -> None:
        if self.state_file is not None:
            self.state_file.write_text(json.dumps(self._positions))

    def _records(self, table: str) -> tuple[str, list[dict[str, Any]]]:
        arn = self._arns.get(table)
        if arn is None:
            arn = self._ddb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
            if not arn:
                return "", []
            self._arns[table] = arn
        out: list[dict[str, Any]] = []
        shards = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        for shard in shards:
            sid = shard["ShardId"]
            ending = shard.get("SequenceNumberRange", {}).get("EndingSequenceNumber")
            if ending is not None and sid in self._positions and int(self._positions[sid]) >= int(ending):
                continue  # a closed shard we have read to its end
            # Reuse the iterator the last read handed back (one call a drain); else start over.
            it = self._iterators.pop(sid, None) or self._iterator(arn, sid)
            while it:
                try:
                    page = self._streams.get_records(ShardIterator=it, Limit=1000)
                except self._streams.exceptions.ExpiredIteratorException:
                    it = self._iterator(arn, sid)
                    continue
                records = page.get("Records", [])
                it = page.get("NextShardIterator")
                if not records:
                    break
                out.extend(records)
                self._positions[sid] = records[-1]["dynamodb"]["SequenceNumber"]
            if it:
                self._iterators[sid] = it
        return arn, out

    def _iterator(self, arn: str, sid: str) -> str | None:
        if sid in self._positions:
            found = self._streams.get_shard_iterator(
                StreamArn=arn,
                ShardId=sid,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=self._positions[sid],
            )
        else:
            found = self._streams.get_shard_iterator(
                StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON"
            )
        return str(found["ShardIterator"]) if found.get("ShardIterator") else None

    def _deliver(self, function: str, records: list[dict[str, Any]]) -> None:
        """Invoke with a batch; records reported as failed are retried, as Lambda retries them."""
        for _ in range(self.max_attempts):
            try:
                result = self.invoke(function, {"Records": records})
            except Exception as exc:  # noqa: BLE001 - a function error fails the whole batch, as in Lambda
                logger.warning("stream function %s failed: %s", function, exc)
                continue
            failures = result.get("batchItemFailures", []) if isinstance(result, dict) else []
            failed = {f.get("itemIdentifier") for f in failures}
            records = [r for r in records if r["dynamodb"].get("SequenceNumber") in failed]
            if not records:
                return
        self.dead_letters.extend(records)  # given up on, as a Lambda DLQ/on-failure target would hold them

    def drain(self) -> int:
        """Hand every new stream record to the stream functions; returns records delivered.
        Re-entrant calls (a stream function writing to the table) are folded into this drain."""
        with self._lock:
            if self._draining:
                return 0
            self._draining = True
            delivered = 0
            try:
                for _ in range(20):  # functions may write again; stop if they never settle
                    batch = 0
                    tables = {local_table_name(t.table) for t in self.triggers}
                    for table in tables:
                        arn, raw = self._records(table)
                        if not raw:
                            continue
                        records = [_lambda_record(r, arn) for r in raw]
                        for trigger in self.triggers:
                            if local_table_name(trigger.table) != table:
                                continue
                            wanted = [r for r in records if record_passes(trigger, r)]
                            for i in range(0, len(wanted), trigger.batch_size):
                                self._deliver(trigger.function, wanted[i : i + trigger.batch_size])
                        batch += len(records)
                    self._save()
                    delivered += batch
                    if batch == 0:
                        break
            finally:
                self._draining = False
            return delivered
