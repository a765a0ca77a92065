"""Table stream -> the search index. Only ticket items (insert, modify, remove) and inserted
replies reach this function (FilterCriteria in template.yaml); internal notes never do, and
`stream_change` ignores anything that is not a ticket or a public reply anyway.

A batch is one commit: the whole batch succeeds or is retried (Lambda retries the batch in
order; updates are idempotent and version-ordered, so a replay changes nothing). This is why it
does not report per-record failures like the other stream consumers."""

from aws_lambda_powertools import Logger

from regentra.adapters.dynamo.stream_images import stream_change
from regentra.clock import get_clock
from regentra.services.deps import search_index
from regentra.services.search import index_changes

logger = Logger(service="regentra")


def handler(event, context):
    changes = []
    for record in event.get("Records", []):
        try:
            change = stream_change(record)
        except Exception:  # noqa: BLE001 - a record we cannot read is logged and skipped, never retried forever
            logger.exception("unreadable stream record", extra={"event_id": record.get("eventID")})
            continue
        if change is not None:
            changes.append(change)
    report = index_changes(search_index(), changes, get_clock().now())
    logger.debug("indexed", extra=report.as_dict())
    return report.as_dict()
