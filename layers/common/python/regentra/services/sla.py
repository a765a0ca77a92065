"""SLA orchestration: which policy a new ticket gets, and keeping its timers in step with changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from regentra.domain import sla as sla_rules
from regentra.domain.sla_policy import SlaPolicySettings, default_sla_policy
from regentra.domain.tickets import Ticket

if TYPE_CHECKING:
    from regentra.services.deps import Deps

DEFAULT_POLICY_ID = "default"
DEFAULT_POLICY_SETTING = "sla"


def policy_setting_name(policy_id: str) -> str:
    return f"sla_policy#{policy_id}"


def load_policy(deps: Deps, tenant_id: str, policy_id: str | None) -> tuple[str, SlaPolicySettings]:
    """The client's named policy when it has one (and it still exists), else the tenant default."""
    if policy_id:
        body = deps.settings.get_settings(tenant_id, policy_setting_name(policy_id))
        if body is not None:
            body.pop("id", None)  # stored beside the policy, not part of it
            return policy_id, SlaPolicySettings.model_validate(body)
    body = deps.settings.get_settings(tenant_id, DEFAULT_POLICY_SETTING)
    return DEFAULT_POLICY_ID, SlaPolicySettings.model_validate(body) if body else default_sla_policy()


def start_timers(deps: Deps, ticket: Ticket, client_policy_id: str | None) -> dict[str, Any]:
    policy_id, policy = load_policy(deps, ticket.tenant_id, client_policy_id)
    return sla_rules.start_sla(policy, policy_id, ticket.priority, ticket.created_at).to_dict()


def on_change(before: Ticket, after: Ticket, now: datetime) -> tuple[Ticket, list[sla_rules.CounterDelta]]:
    """Move the timers for a status, priority or first-response change between two versions,
    and say what the SLA report counters gain from it."""
    if after.sla is None:
        return after, []
    old = sla_rules.TicketSla.from_dict(before.sla) if before.sla else None
    state = sla_rules.TicketSla.from_dict(after.sla)
    if after.priority != before.priority:
        state = sla_rules.on_priority_change(state, after.priority)
    if after.first_response_at is not None and before.first_response_at is None:
        state = sla_rules.on_first_response(state, after.first_response_at)
    if after.status != before.status:
        state = sla_rules.on_status_change(
            state, before.status, after.status, now, responded=after.first_response_at is not None
        )
    state, deltas = sla_rules.report_deltas(old, state, after.client_id, now)
    return replace(after, sla=state.to_dict()), deltas


def sla_view(ticket: Ticket, now: datetime) -> dict[str, Any] | None:
    if ticket.sla is None:
        return None
    return sla_rules.sla_view(sla_rules.TicketSla.from_dict(ticket.sla), now)
