"""Priority policy escalations: the tenant's switches (`GET/PUT /settings/policies`) and the VIP
and spike policies, run on TicketCreated (the AI ones run in the analyzer, services/analyzer.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from regentra.domain.events import TICKET_CREATED, BusEvent
from regentra.domain.policies import POLICIES_SETTING, SPIKE, VIP, PolicySettings, is_spike
from regentra.domain.tickets import Ticket
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.priority import Planned, consumed_marker, escalations, write_guarded

CONSUMER = "priority_policies"


def load_policies(deps: Deps, tenant_id: str) -> PolicySettings:
    stored = deps.settings.get_settings(tenant_id, POLICIES_SETTING)
    return PolicySettings.model_validate(stored) if stored else PolicySettings()


def get_policies(principal: Principal, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    return load_policies(deps, principal.tenant_id).model_dump(mode="json")


def put_policies(principal: Principal, body: PolicySettings, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    doc = body.model_dump(mode="json")
    deps.settings.put_settings(principal.tenant_id, POLICIES_SETTING, doc, deps.clock.now())
    return doc


def apply_creation_policies(deps: Deps, event: BusEvent) -> dict[str, Any]:
    """VIP and spike for a new ticket. The spike counter counts every new ticket (once, even
    while the policy is off, so turning it on needs no warm-up)."""
    if event.type != TICKET_CREATED:
        return {"skipped": event.type}
    tenant_id, ticket_id = event.tenant_id, event.ticket_id
    once = consumed_marker(CONSUMER, event.id)
    if deps.tickets.lookup(tenant_id, once) is not None:
        return {"duplicate": True}
    ticket = deps.tickets.get(tenant_id, ticket_id)
    if ticket is None:
        return {"skipped": "no ticket"}
    policies = load_policies(deps, tenant_id)
    sources: list[tuple[str, dict[str, Any]]] = []
    if policies.vip:
        client = deps.directory.get_client(tenant_id, ticket.client_id)
        if client is not None and client.vip:
            sources.append((VIP, {"why": "VIP client"}))
    window = policies.spike.window_minutes
    count = deps.automations.count_ticket(tenant_id, ticket.client_id, ticket.id, ticket.created_at, window)
    if is_spike(count, policies.spike):
        sources.append((SPIKE, {"why": f"{count} tickets from this client within {window} minutes"}))
    if not sources:
        return {"spike_count": count, "escalated": False}

    def plan(current: Ticket, now: datetime) -> Planned | None:
        updated, activity, change = escalations(current, sources, now)
        if change is None:
            return None  # already HIGH or CRITICAL: a policy leaves it alone
        return Planned(updated, activity, source=change.source, priority_change=change)

    saved = write_guarded(deps, tenant_id, ticket_id, plan, once=once)
    return {"spike_count": count, "escalated": saved is not None}
