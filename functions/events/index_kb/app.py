"""Table stream -> the per-tenant KB index. Only KB article inserts, modifications and removals
reach this function (FilterCriteria in template.yaml).

Each tenant's changes in a batch are one commit. Updates are idempotent and version-ordered, so
a redelivered or replayed record changes nothing. When an embedding model is configured, each
changed section is embedded here; if that fails (throttled, unavailable), the article's words are
indexed anyway and its record is reported as a batch item failure, so Lambda retries it and the
retry fills in the vectors (a redelivery of the same version with vectors missing). An index that
cannot be written (lock held too long, disk) fails the whole batch, which is retried in order."""

from aws_lambda_powertools import Logger

from regentra.adapters.dynamo.kb_stream import kb_stream_change
from regentra.domain.kb_retrieval import KbArticleRemoved
from regentra.services.deps import embedder, kb_index
from regentra.services.kb_retrieval import index_kb_changes

logger = Logger(service="regentra")


def handler(event, context):
    changes = []
    sequence: dict[tuple[str, str], list[str]] = {}
    for record in event.get("Records", []):
        try:
            change = kb_stream_change(record)
        except Exception:  # noqa: BLE001 - a record we cannot read is logged and skipped, never retried forever
            logger.exception("unreadable stream record", extra={"event_id": record.get("eventID")})
            continue
        if change is None:
            continue
        changes.append(change)
        article_id = change.article_id if isinstance(change, KbArticleRemoved) else change.id
        number = (record.get("dynamodb") or {}).get("SequenceNumber")
        if number:
            sequence.setdefault((change.tenant_id, article_id), []).append(str(number))
    report = index_kb_changes(kb_index(), embedder(for_indexing=True), changes)
    failures = sorted({n for key in report.failed for n in sequence.get(key, [])}, key=int)
    if failures:
        logger.warning("embedding failed; words indexed, vectors retried", extra=report.as_dict())
    else:
        logger.debug("indexed", extra=report.as_dict())
    # Lambda resumes from the lowest failed sequence number (records after it come again too:
    # harmless, they are idempotent).
    return {"batchItemFailures": [{"itemIdentifier": n} for n in failures]}
