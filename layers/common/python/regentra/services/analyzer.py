"""The AI analyzer, run on TicketCreated and on each customer ReplyAdded.

It stores `{suggested_priority, category, security_incident, frustration, summary, reasons,
provider}` on the ticket (staff-only) and sets `suggested_priority` — never `priority`. Only the
AI security and AI frustration policies may act on it, and only to raise LOW/MEDIUM to HIGH,
through the guarded path. Idempotent: a once-only marker per event is written with the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from regentra.clock import iso
from regentra.domain.conversation import CUSTOMER
from regentra.domain.events import REPLY_ADDED, TICKET_CREATED, BusEvent
from regentra.domain.ids import new_id
from regentra.domain.policies import AI_FRUSTRATION, AI_SECURITY
from regentra.domain.tickets import Ticket
from regentra.errors import ConcurrentUpdate
from regentra.services.ai_reviews import record_analysis, triage_kwargs
from regentra.services.deps import Deps
from regentra.services.deps import analyzer as default_analyzer
from regentra.services.policies import load_policies
from regentra.services.ports import Analyzer
from regentra.services.priority import (
    MAX_WRITE_ATTEMPTS,
    Planned,
    consumed_marker,
    escalations,
    write_guarded,
)

CONSUMER = "analyzer"


def analyze_event(deps: Deps, event: BusEvent, analyzer: Analyzer | None = None) -> dict[str, Any]:
    if event.type == TICKET_CREATED:
        reply_id = None
    elif event.type == REPLY_ADDED and event.detail.get("author_type") == CUSTOMER:
        reply_id = str(event.detail.get("reply_id") or "")
    else:
        return {"skipped": event.type}
    tenant_id, ticket_id = event.tenant_id, event.ticket_id
    once = consumed_marker(CONSUMER, event.id)
    if deps.tickets.lookup(tenant_id, once) is not None:
        return {"duplicate": True}
    ticket = deps.tickets.get(tenant_id, ticket_id)
    if ticket is None:
        return {"skipped": "no ticket"}
    if reply_id is None:
        body = ticket.description
        from_customer = not str(event.detail.get("source", "")).startswith("staff:")
    else:
        reply = deps.tickets.get_reply(tenant_id, ticket_id, reply_id)
        if reply is None:
            return {"skipped": "no reply"}
        body, from_customer = reply.body, True
    # The model is asked once per delivery, outside the write's retry loop; one that learns gets
    # the tenant's recent rated overrides as examples.
    model = analyzer or default_analyzer()
    analysis, provider = model.analyze(
        ticket.subject, body, is_reply=reply_id is not None, **triage_kwargs(model, tenant_id)
    )
    stored = analysis.model_dump(mode="json") | {
        "provider": provider,
        "analyzed_at": iso(deps.clock.now()),
        "trigger": "customer_reply" if reply_id else "ticket_created",
        "run_id": new_id(deps.clock.now()),
    }
    if reply_id:
        stored["reply_id"] = reply_id
    # 1. The AI fields: advice, not an edit — written without moving the ticket's version.
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = deps.tickets.get(tenant_id, ticket_id)
        if current is None:
            return {"skipped": "no ticket"}
        if deps.tickets.save_analysis(current, stored, analysis.suggested_priority):
            break
    else:
        raise ConcurrentUpdate(f"ticket {ticket_id} kept being re-analyzed")
    # Kept for review (ids from the event: a redelivery adds none).
    record_analysis(event, ticket, ticket.subject, body, analysis, provider)
    result = {
        "provider": provider,
        "suggested_priority": str(analysis.suggested_priority),
        "escalated": False,
    }
    # 2. The AI policies: raise LOW/MEDIUM to HIGH through the guarded path (a real, versioned change).
    policies = load_policies(deps, tenant_id)
    sources: list[tuple[str, dict[str, Any]]] = []
    if analysis.security_incident and policies.ai_security:
        sources.append((AI_SECURITY, {"why": "the analyzer reports a security incident"}))
    if analysis.frustration and policies.ai_frustration and from_customer:
        sources.append((AI_FRUSTRATION, {"why": "the analyzer reports customer frustration"}))

    def plan(current: Ticket, now: datetime) -> Planned | None:
        updated, activity, change = escalations(current, sources, now)
        if change is None:
            return None  # HIGH or CRITICAL already: a policy leaves it alone
        return Planned(updated, activity, source=change.source, priority_change=change)

    if sources and write_guarded(deps, tenant_id, ticket_id, plan, once=once) is not None:
        result["escalated"] = True
    else:
        deps.tickets.put_lookup(tenant_id, once, "1", only_if_absent=True)
    return result
