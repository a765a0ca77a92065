"""AI reviews: every AI output kept as a suggestion for admins to rate, the outcome of each reply
draft once staff answered, and the tenant's rated overrides fed back into the Bedrock prompts.

- `record_draft` (from `services.kb.ai_draft`): a draft review with a retrieval-based confidence;
  the ticket's previous draft, if still open, is settled first (by the staff reply sent after
  it, else rejected as replaced).
- `record_analysis` (from `services.analyzer.analyze_event`): a priority and a category review per
  analysis, with ids derived from the event id, so a redelivered event adds nothing.
- `settle_draft_event` (bus consumer on staff ReplyAdded and StatusChanged to RESOLVED/CLOSED):
  decides the open draft's outcome (accepted / edited / rejected); a conditional write makes a
  redelivery count nothing twice.
- `list_reviews`, `rate_review`, `review_stats`: the admin routes.
- `learning_kwargs`: the examples a model that learns from them gets (none for offline ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from regentra.cursors import scope_of
from regentra.domain.ai_reviews import (
    CATEGORY,
    DRAFT,
    DRAFT_EXAMPLES,
    EXAMPLES,
    KINDS,
    PRIORITY,
    TRIAGE_EXAMPLES,
    AiReview,
    category_confidence,
    check_rating,
    draft_confidence,
    example_of,
    excerpt,
    priority_confidence,
    review_id_for_event,
    settle_draft,
)
from regentra.domain.analysis import Analysis
from regentra.domain.conversation import STAFF, Reply
from regentra.domain.enums import Status
from regentra.domain.events import REPLY_ADDED, STATUS_CHANGED, BusEvent
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.kb import Draft, ScoredChunk
from regentra.domain.tickets import Ticket
from regentra.errors import ConcurrentUpdate, Conflict, NotFound
from regentra.identity import Principal
from regentra.services.deps import Deps, ai_review_store
from regentra.services.ports import AiReviewStore, Page
from regentra.services.requests import ListAiReviewsQuery, RateAiReview

MAX_DRAFT_ATTEMPTS = 5
CLOSING = (str(Status.RESOLVED), str(Status.CLOSED))


# --- prompts learn from overrides -------------------------------------------------------------------


def learning_kwargs(
    model: Any, tenant_id: str, group: str, store: AiReviewStore | None = None
) -> dict[str, Any]:
    """`{"examples": [...]}` — the tenant's latest rated overrides of a group — for a model that
    learns from them (`learns_from_examples`); nothing (and no read) for one that does not."""
    if not getattr(model, "learns_from_examples", False):
        return {}
    return {"examples": (store or ai_review_store()).examples(tenant_id, group, EXAMPLES)}


def draft_kwargs(model: Any, tenant_id: str, store: AiReviewStore | None = None) -> dict[str, Any]:
    return learning_kwargs(model, tenant_id, DRAFT_EXAMPLES, store)


def triage_kwargs(model: Any, tenant_id: str, store: AiReviewStore | None = None) -> dict[str, Any]:
    return learning_kwargs(model, tenant_id, TRIAGE_EXAMPLES, store)


# --- recording AI outputs ---------------------------------------------------------------------------


def record_draft(
    deps: Deps,
    ticket: Ticket,
    replies: Sequence[Reply],
    query: str,
    chunks: Sequence[ScoredChunk],
    draft: Draft,
    store: AiReviewStore | None = None,
) -> AiReview:
    """Keep a reply draft as a review. The ticket's previous draft is settled first: judged by the
    staff reply sent after it, or rejected as replaced."""
    store = store or ai_review_store()
    now = deps.clock.now()
    signals = draft_confidence(query, chunks)
    review = AiReview(
        tenant_id=ticket.tenant_id,
        id=new_id(now),
        kind=DRAFT,
        ticket_id=ticket.id,
        value=draft.draft,
        confidence=signals.confidence,
        provider=draft.provider,
        created_at=now,
        reasons=tuple(signals.reasons),
        sources=tuple(draft.sources),
        ticket_text=excerpt(query),
    )
    fresh = list(replies)
    for _ in range(MAX_DRAFT_ATTEMPTS):
        previous_id = store.latest_draft_id(ticket.tenant_id, ticket.id)
        previous = store.get(ticket.tenant_id, previous_id) if previous_id else None
        if previous is not None and previous.outcome is None:
            outcome = settle_draft(previous, fresh, replaced=True)
            if outcome is not None:
                store.settle(previous, outcome, now)  # False: settled meanwhile, equally fine
        try:
            store.add_draft(review, previous_id)
            return review
        except ConcurrentUpdate:
            detail = deps.tickets.detail(ticket.tenant_id, ticket.id)
            fresh = detail.replies if detail is not None else fresh
    raise ConcurrentUpdate("Drafts of this ticket kept being made; try again.")


def record_analysis(
    event: BusEvent,
    ticket: Ticket,
    subject: str,
    body: str,
    analysis: Analysis,
    provider: str,
    store: AiReviewStore | None = None,
) -> bool:
    """Keep an analysis's suggested priority and category as reviews. Their ids come from the
    event: a redelivery writes nothing (False)."""
    text = excerpt(f"Subject: {subject}\n\n{body}")
    reviews = []
    for kind, value, signals in (
        (PRIORITY, str(analysis.suggested_priority), priority_confidence(analysis, subject, body)),
        (CATEGORY, analysis.category, category_confidence(analysis, subject, body)),
    ):
        reviews.append(
            AiReview(
                tenant_id=ticket.tenant_id,
                id=review_id_for_event(event.id, kind, event.at),
                kind=kind,
                ticket_id=ticket.id,
                value=value,
                confidence=signals.confidence,
                provider=provider,
                created_at=event.at,
                reasons=tuple(signals.reasons),
                ticket_text=text,
                source_event_id=event.id,
            )
        )
    return (store or ai_review_store()).add(reviews)


# --- draft outcomes ---------------------------------------------------------------------------------


def settle_draft_event(deps: Deps, event: BusEvent, store: AiReviewStore | None = None) -> dict[str, Any]:
    """Bus consumer: a staff reply or a ticket resolved/closed decides the ticket's open draft.
    Idempotent: the outcome is written once (conditional), whatever the deliveries."""
    if event.type == REPLY_ADDED and event.detail.get("author_type") == STAFF:
        closed = False
    elif event.type == STATUS_CHANGED and event.detail.get("to") in CLOSING:
        closed = True
    else:
        return {"skipped": event.type}
    store = store or ai_review_store()
    tenant_id, ticket_id = event.tenant_id, event.ticket_id
    review_id = store.latest_draft_id(tenant_id, ticket_id)
    review = store.get(tenant_id, review_id) if review_id else None
    if review is None:
        return {"skipped": "no draft"}
    if review.outcome is not None:
        return {"duplicate": True, "review_id": review.id, "outcome": review.outcome}
    detail = deps.tickets.detail(tenant_id, ticket_id)
    outcome = settle_draft(review, detail.replies if detail else [], closed=closed)
    if outcome is None:
        return {"skipped": "no staff reply after the draft", "review_id": review.id}
    written = store.settle(review, outcome, deps.clock.now())
    return {
        "review_id": review.id,
        "outcome": outcome.outcome,
        "similarity": outcome.similarity,
        "duplicate": not written,
    }


# --- the admin routes -------------------------------------------------------------------------------


def list_reviews(
    principal: Principal, query: ListAiReviewsQuery, store: AiReviewStore | None = None
) -> Page[AiReview]:
    """Admins: the tenant's reviews in one state by confidence (highest first unless order=asc),
    one index Query a page."""
    principal.require_admin()
    scope = scope_of("ai_reviews", principal.tenant_id, query.state, query.order)
    return (store or ai_review_store()).page(
        principal.tenant_id,
        query.state,
        query.limit,
        query.cursor,
        scope,
        highest_first=query.order == "desc",
    )


def _found(store: AiReviewStore, tenant_id: str, review_id: str) -> AiReview:
    review = store.get(tenant_id, review_id) if is_valid_id(review_id) else None
    if review is None:
        raise NotFound("Review not found.")
    return review


def rate_review(
    principal: Principal, review_id: str, req: RateAiReview, deps: Deps, store: AiReviewStore | None = None
) -> AiReview:
    """Admins rate a review once: correct, or wrong (with the right value). A wrong rating with an
    override becomes an example for the tenant's prompts. Rating again is a 409."""
    principal.require_admin()
    store = store or ai_review_store()
    review = _found(store, principal.tenant_id, review_id)
    override = check_rating(review, req.rating, req.override)
    now = deps.clock.now()
    if not store.rate(review, req.rating, override, principal.user_id, now, example_of(review, override)):
        raise Conflict("This review has been rated already.")
    return _found(store, principal.tenant_id, review_id)


def review_stats(principal: Principal, store: AiReviewStore | None = None) -> dict[str, Any]:
    """Admins: drafts accepted / edited / rejected (and still open), correct / wrong per kind, and
    what is pending — from counters kept with every write (one Query)."""
    principal.require_admin()
    c = (store or ai_review_store()).stats(principal.tenant_id)
    ratings = {k: {"correct": c[f"correct_{k}"], "wrong": c[f"wrong_{k}"]} for k in KINDS}
    made = {k: c[f"made_{k}"] for k in KINDS}
    pending = {k: max(0, made[k] - ratings[k]["correct"] - ratings[k]["wrong"]) for k in KINDS}
    decided = c["draft_accepted"] + c["draft_edited"] + c["draft_rejected"]
    return {
        "drafts": {
            "total": made[DRAFT],
            "accepted": c["draft_accepted"],
            "edited": c["draft_edited"],
            "rejected": c["draft_rejected"],
            "open": max(0, made[DRAFT] - decided),
            "acceptance_rate": round(c["draft_accepted"] / decided, 3) if decided else None,
        },
        "ratings": ratings,
        "made": made,
        "pending": sum(pending.values()),
        "pending_by_kind": pending,
    }
