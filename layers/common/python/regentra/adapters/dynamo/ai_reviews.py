"""AI reviews in the single table (adapters/dynamo/items.py: AiReviewItem, AiReviewStatsItem,
AiExampleItem). Every change to a review is one transaction with its counters, so the stats never
drift from the reviews; every write is conditional, so a retried or redelivered write counts once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import (
    AiExampleItem,
    AiReviewItem,
    AiReviewStatsItem,
    LookupItem,
    ai_review_list_key,
    ai_review_rank,
)
from regentra.adapters.dynamo.repository import _cancel_reasons, _condition_failed, _Paged
from regentra.clock import iso
from regentra.domain.ai_reviews import (
    RATED,
    AiReview,
    DraftOutcome,
    Example,
    confidence_rank,
    example_group,
)
from regentra.errors import ConcurrentUpdate
from regentra.services.ports import Page

MAX_TX_ATTEMPTS = 5  # a transaction cancelled by a concurrent one (TransactionConflict) is retried


def _item(r: AiReview) -> AiReviewItem:
    pk, sk = AiReviewItem.key(r.tenant_id, r.id)
    return AiReviewItem(
        pk=pk,
        sk=sk,
        tenant_id=r.tenant_id,
        id=r.id,
        review_kind=r.kind,
        ticket_id=r.ticket_id,
        value=r.value,
        sources=list(r.sources),
        confidence=r.confidence,
        reasons=list(r.reasons),
        provider=r.provider,
        state=r.state,
        created_at=r.created_at,
        ticket_text=r.ticket_text or None,
        source_event_id=r.source_event_id,
        status_key=ai_review_list_key(r.tenant_id, r.state),
        activity_key=ai_review_rank(confidence_rank(r.confidence), iso(r.created_at) or "", r.id),
    )


def _review(item: AiReviewItem) -> AiReview:
    return AiReview(
        tenant_id=item.tenant_id,
        id=item.id,
        kind=item.review_kind,
        ticket_id=item.ticket_id,
        value=item.value,
        confidence=float(item.confidence),
        provider=item.provider,
        created_at=item.created_at,
        reasons=tuple(item.reasons or ()),
        sources=tuple(item.sources or ()),
        ticket_text=item.ticket_text or "",
        source_event_id=item.source_event_id,
        state=item.state,
        rating=item.rating,
        override=item.override,
        rated_by=item.rated_by,
        rated_at=item.rated_at,
        outcome=item.outcome,
        outcome_at=item.outcome_at,
        similarity=float(item.similarity) if item.similarity is not None else None,
        outcome_reply_id=item.outcome_reply_id,
        outcome_reason=item.outcome_reason,
    )


def _count(tx: TransactWrite, tenant_id: str, review_id: str, *fields: str) -> None:
    _count_many(tx, tenant_id, [(review_id, f) for f in fields])


def _count_many(tx: TransactWrite, tenant_id: str, counts: Sequence[tuple[str, str]]) -> None:
    """ADD 1 to each (review id, field) counter: one update per shard item (a transaction may
    touch an item only once)."""
    by_shard: dict[str, dict[str, int]] = {}
    for review_id, f in counts:
        fields = by_shard.setdefault(AiReviewStatsItem.sort_key(review_id), {})
        fields[f] = fields.get(f, 0) + 1
    for sk, fields in sorted(by_shard.items()):
        stats = AiReviewStatsItem(pk=AiReviewStatsItem.partition(tenant_id), sk=sk)
        actions = [getattr(AiReviewStatsItem, f).add(n) for f, n in sorted(fields.items())]
        tx.update(stats, [*actions, AiReviewStatsItem.kind.set(AiReviewStatsItem)])


def _conflicted(exc: TransactWriteError) -> bool:
    """Cancelled only because another transaction touched the same item: worth retrying."""
    reasons = [r for r in _cancel_reasons(exc) if r not in (None, "None")]
    return bool(reasons) and all(r == "TransactionConflict" for r in reasons)


class DynamoAiReviewStore(_Paged):
    def __init__(self) -> None:
        self._conn = ensure_configured()

    def _transact(self, write: Any) -> bool:
        """Run `write(tx)` as one transaction; False when a condition failed, retried on conflicts."""
        for _ in range(MAX_TX_ATTEMPTS):
            try:
                with TransactWrite(connection=self._conn) as tx:
                    write(tx)
                return True
            except TransactWriteError as exc:
                if _conflicted(exc):
                    continue
                if _condition_failed(exc):
                    return False
                raise
        raise ConcurrentUpdate("AI review counters kept conflicting; try again.")

    def add(self, reviews: Sequence[AiReview]) -> bool:
        """Write new reviews (each only if absent) with their counters; False when they exist
        (an earlier delivery of the same event wrote them)."""

        def write(tx: TransactWrite) -> None:
            for r in reviews:
                tx.save(_item(r), condition=AiReviewItem.pk.does_not_exist())
            _count_many(tx, reviews[0].tenant_id, [(r.id, f"made_{r.kind}") for r in reviews])

        return bool(reviews) and self._transact(write)

    def add_draft(self, review: AiReview, previous_id: str | None) -> None:
        """A new draft review, and the ticket's latest-draft pointer moved to it from
        `previous_id` (which the caller settled). ConcurrentUpdate when another draft of the ticket
        moved the pointer meanwhile (settle that one, then try again)."""
        pk, sk = LookupItem.named_key(review.tenant_id, AiReviewItem.latest_draft_name(review.ticket_id))
        pointer = LookupItem(pk=pk, sk=sk, target=review.id, tenant_id=review.tenant_id)
        moved_from = (
            LookupItem.pk.does_not_exist() if previous_id is None else (LookupItem.target == previous_id)
        )

        def write(tx: TransactWrite) -> None:
            tx.save(_item(review), condition=AiReviewItem.pk.does_not_exist())
            tx.save(pointer, condition=moved_from)
            _count(tx, review.tenant_id, review.id, "made_draft")

        if not self._transact(write):
            raise ConcurrentUpdate("Another draft of this ticket was made meanwhile.")

    def latest_draft_id(self, tenant_id: str, ticket_id: str) -> str | None:
        try:
            pk, sk = LookupItem.named_key(tenant_id, AiReviewItem.latest_draft_name(ticket_id))
            return str(LookupItem.get(pk, sk, consistent_read=True).target)
        except LookupItem.DoesNotExist:
            return None

    def get(self, tenant_id: str, review_id: str) -> AiReview | None:
        try:
            return _review(AiReviewItem.get(*AiReviewItem.key(tenant_id, review_id), consistent_read=True))
        except AiReviewItem.DoesNotExist:
            return None

    def settle(self, review: AiReview, outcome: DraftOutcome, at: Any) -> bool:
        """Record a draft's outcome once (False when it had one already)."""
        item = AiReviewItem(*AiReviewItem.key(review.tenant_id, review.id))
        actions: list[Action] = [
            AiReviewItem.outcome.set(outcome.outcome),
            AiReviewItem.outcome_at.set(at),
            AiReviewItem.outcome_reason.set(outcome.reason),
        ]
        if outcome.similarity is not None:
            actions.append(AiReviewItem.similarity.set(outcome.similarity))
        if outcome.reply_id is not None:
            actions.append(AiReviewItem.outcome_reply_id.set(outcome.reply_id))

        def write(tx: TransactWrite) -> None:
            tx.update(
                item, actions, condition=AiReviewItem.pk.exists() & AiReviewItem.outcome.does_not_exist()
            )
            _count(tx, review.tenant_id, review.id, f"draft_{outcome.outcome}")

        return self._transact(write)

    def rate(
        self, review: AiReview, rating: str, override: str | None, by: str, at: Any, example: Example | None
    ) -> bool:
        """Rate a pending review once (False when it was rated meanwhile); a wrong rating with the
        right value also becomes an example for the tenant's prompts, in the same transaction."""
        item = AiReviewItem(*AiReviewItem.key(review.tenant_id, review.id))
        actions: list[Action] = [
            AiReviewItem.state.set(RATED),
            AiReviewItem.rating.set(rating),
            AiReviewItem.rated_by.set(by),
            AiReviewItem.rated_at.set(at),
            AiReviewItem.status_key.set(ai_review_list_key(review.tenant_id, RATED)),
        ]
        if override is not None:
            actions.append(AiReviewItem.override.set(override))

        def write(tx: TransactWrite) -> None:
            tx.update(item, actions, condition=AiReviewItem.state == review.state)
            _count(tx, review.tenant_id, review.id, f"{rating}_{review.kind}")
            if example is not None:
                stamp = iso(at) or ""
                tx.save(
                    AiExampleItem(
                        pk=AiExampleItem.partition(review.tenant_id),
                        sk=AiExampleItem.sort_key(example_group(review.kind), stamp, review.id),
                        tenant_id=review.tenant_id,
                        review_id=review.id,
                        review_kind=example.kind,
                        ticket_text=example.ticket_text,
                        suggested=example.suggested,
                        corrected=example.corrected,
                        rated_at=at,
                    )
                )

        return self._transact(write)

    def page(
        self, tenant_id: str, state: str, limit: int, cursor: str | None, scope: str, *, highest_first: bool
    ) -> Page[AiReview]:
        items, nxt = self._page(
            AiReviewItem.by_state.query,
            ai_review_list_key(tenant_id, state),
            limit=limit,
            cursor=cursor,
            scope=scope,
            key_attrs=("PK", "SK", "status_key", "activity_key"),
            newest_first=highest_first,
        )
        return Page([_review(i) for i in items], nxt)

    def stats(self, tenant_id: str) -> dict[str, int]:
        """The tenant's counters, summed over their shards (one Query)."""
        totals = dict.fromkeys(AiReviewStatsItem.FIELDS, 0)
        for item in AiReviewStatsItem.query(AiReviewStatsItem.partition(tenant_id), consistent_read=True):
            for f in AiReviewStatsItem.FIELDS:
                totals[f] += int(getattr(item, f) or 0)
        return totals

    def examples(self, tenant_id: str, group: str, limit: int) -> list[Example]:
        """The latest `limit` examples of a group, newest first (one Query)."""
        rows = AiExampleItem.query(
            AiExampleItem.partition(tenant_id),
            AiExampleItem.sk.startswith(f"{group}#"),
            scan_index_forward=False,
            limit=limit,
        )
        return [
            Example(
                kind=i.review_kind, ticket_text=i.ticket_text, suggested=i.suggested, corrected=i.corrected
            )
            for i in rows
        ]
