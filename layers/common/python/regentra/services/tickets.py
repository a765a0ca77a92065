"""Ticket use cases: create, list, read, edit. One function per thing a user does."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from regentra.cursors import scope_of
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.events import change_events
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.priority import PriorityChange, decide_priority
from regentra.domain.tickets import Activity, Ticket, TicketPatch, apply_patch
from regentra.errors import ConcurrentUpdate, NotFound, ValidationFailed, VersionMismatch
from regentra.identity import Principal
from regentra.services import sla as sla_service
from regentra.services.deps import Deps
from regentra.services.ports import Page, TicketDetail, TicketFilter
from regentra.services.requests import CreateTicket, ListTicketsQuery, PatchTicket, TicketFilters

# A concurrent writer makes us re-read and re-apply; past this many tries something is wrong.
MAX_WRITE_ATTEMPTS = 5


def create_ticket(principal: Principal, req: CreateTicket, deps: Deps) -> Ticket:
    principal.require_writer()
    now = deps.clock.now()
    if principal.is_customer:
        if req.client_id is not None or req.contact_id is not None or req.assignee_id is not None:
            raise ValidationFailed(
                "Customers may not set client_id, contact_id or assignee_id.",
                [
                    {"field": f, "issue": "not allowed for customers"}
                    for f in ("client_id", "contact_id", "assignee_id")
                    if getattr(req, f) is not None
                ],
            )
        client_id, contact_id, channel = principal.client_id, principal.contact_id, Channel.PORTAL
    else:
        if req.client_id is None:
            raise ValidationFailed("client_id is required.", [{"field": "client_id", "issue": "required"}])
        client_id, contact_id, channel = req.client_id, req.contact_id, Channel.MANUAL
    assert client_id is not None
    client = deps.directory.get_client(principal.tenant_id, client_id)
    if client is None:
        raise ValidationFailed("No such client.", [{"field": "client_id", "issue": "unknown client"}])
    if contact_id is not None:
        contact = deps.directory.get_contact(principal.tenant_id, contact_id)
        if contact is None or contact.client_id != client_id:
            raise ValidationFailed(
                "No such contact for this client.", [{"field": "contact_id", "issue": "unknown contact"}]
            )
    ticket = build_ticket(
        deps,
        principal.tenant_id,
        client.id,
        client.sla_policy_id,
        contact_id=contact_id,
        subject=req.subject,
        description=req.description,
        priority=req.priority,
        channel=channel,
        assignee_id=req.assignee_id,
        created_by=principal.user_id,
        now=now,
    )
    created = Activity(
        at=now,
        actor=principal.user_id,
        source=principal.source,
        change={"event": "created", "channel": str(channel), "priority": str(req.priority)},
    )
    return deps.tickets.insert(ticket, [created])


def build_ticket(
    deps: Deps,
    tenant_id: str,
    client_id: str,
    client_policy_id: str | None,
    *,
    contact_id: str | None,
    subject: str,
    description: str,
    priority: Priority,
    channel: Channel,
    now: datetime,
    assignee_id: str | None = None,
    created_by: str | None = None,
    follow_up_of: str | None = None,
) -> Ticket:
    """A new OPEN ticket with its number and SLA timers (every channel creates tickets this way)."""
    ticket = Ticket(
        tenant_id=tenant_id,
        id=new_id(now),
        number=deps.tickets.next_ticket_number(tenant_id),
        subject=subject,
        description=description,
        status=Status.OPEN,
        priority=priority,
        channel=channel,
        client_id=client_id,
        contact_id=contact_id,
        assignee_id=assignee_id,
        created_at=now,
        updated_at=now,
        created_by=created_by,
        follow_up_of=follow_up_of,
    )
    return replace(ticket, sla=sla_service.start_timers(deps, ticket, client_policy_id))


def _visible_ticket(principal: Principal, ticket: Ticket | None) -> Ticket:
    # Another tenant's ticket can't be read at all (tenant leads the key); another client's is hidden.
    if ticket is None or (principal.is_customer and ticket.client_id != principal.client_id):
        raise NotFound("Ticket not found.")
    return ticket


def _check_id(ticket_id: str) -> None:
    if not is_valid_id(ticket_id):
        raise NotFound("Ticket not found.")


def get_ticket(principal: Principal, ticket_id: str, deps: Deps) -> TicketDetail:
    _check_id(ticket_id)
    detail = deps.tickets.detail(principal.tenant_id, ticket_id)
    _visible_ticket(principal, detail.ticket if detail else None)
    assert detail is not None
    return detail


def ticket_filter(principal: Principal, query: TicketFilters) -> TicketFilter | None:
    """The filter a caller's query means (a customer is held to their client); None when the
    answer is empty by definition (a customer asking for another client's tickets)."""
    client_id = query.client_id
    if principal.is_customer:
        if client_id is not None and client_id != principal.client_id:
            return None  # another client's tickets simply don't exist for this caller
        client_id = principal.client_id
    if query.created_from and query.created_to and query.created_from > query.created_to:
        raise ValidationFailed(
            "created_from is after created_to.", [{"field": "created_from", "issue": "after created_to"}]
        )
    return TicketFilter(
        statuses=tuple(dict.fromkeys(query.status)),
        priority=query.priority,
        assignee_id=query.assignee_id,
        client_id=client_id,
        channel=query.channel,
        created_from=query.created_from,
        created_to=query.created_to,
    )


def list_tickets(principal: Principal, query: ListTicketsQuery, deps: Deps) -> Page[Ticket]:
    flt = ticket_filter(principal, query)
    if flt is None:
        return Page([], None)
    if query.q is not None or query.sla_status:
        # Full text (the search index, re-checked on DynamoDB) or a live SLA filter.
        from regentra.services.search import filtered_page

        return filtered_page(
            principal, flt, tuple(dict.fromkeys(query.sla_status)), query.q, query.limit, query.cursor, deps
        )
    scope = scope_of(
        "tickets", principal.tenant_id, principal.client_id if principal.is_customer else None, flt
    )
    return deps.tickets.list(principal.tenant_id, flt, query.limit, query.cursor, scope)


def update_ticket(
    principal: Principal, ticket_id: str, req: PatchTicket, if_match: int | None, deps: Deps
) -> Ticket:
    principal.require_staff_writer()
    _check_id(ticket_id)
    fields_set = req.model_fields_set
    if not fields_set:
        raise ValidationFailed("Nothing to change.", [{"field": "body", "issue": "no fields"}])
    for attempt in range(MAX_WRITE_ATTEMPTS):
        current = _visible_ticket(principal, deps.tickets.get(principal.tenant_id, ticket_id))
        if if_match is not None and current.version != if_match:
            raise VersionMismatch(
                f"The ticket is at version {current.version}, not {if_match}.",
                [{"field": "If-Match", "expected": if_match, "current": current.version}],
            )
        now = deps.clock.now()
        priority = (
            decide_priority(current.priority, req.priority, principal.source)
            if req.priority is not None
            else None
        )
        patch = TicketPatch(
            status=req.status,
            priority=priority,
            subject=req.subject,
            assignee_id=req.assignee_id,
            clear_assignee="assignee_id" in fields_set and req.assignee_id is None,
        )
        updated, activity = apply_patch(
            current, patch, now=now, actor=principal.user_id, source=principal.source
        )
        if not activity:
            return current
        updated, counters = sla_service.on_change(current, updated, now)
        priority_change = None
        if updated.priority != current.priority:  # decided above by decide_priority
            priority_change = PriorityChange(current.priority, principal.source)
        events = change_events(current, updated, source=principal.source, at=now)
        try:
            return deps.tickets.save(
                updated, activity, counters=counters, events=events, priority_change=priority_change
            )
        except ConcurrentUpdate:
            if if_match is not None:
                raise VersionMismatch("The ticket changed while saving; reload it.") from None
            if attempt == MAX_WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def create_ticket_view(
    principal: Principal, req: CreateTicket, idempotency_key: str | None, deps: Deps
) -> dict[str, Any]:
    """Create a ticket and return what the caller sees. With an Idempotency-Key, a retry
    (same caller, same key, same body) returns the first result and creates nothing."""
    from regentra.services.views import ticket_view

    def compute() -> dict[str, Any]:
        ticket = create_ticket(principal, req, deps)
        return ticket_view(ticket, deps.clock.now(), principal)

    if not idempotency_key:
        return compute()
    if len(idempotency_key) > 255:
        raise ValidationFailed(
            "Idempotency-Key is too long.", [{"field": "Idempotency-Key", "issue": "over 255 characters"}]
        )
    key = {
        "op": "create_ticket",
        "tenant": principal.tenant_id,
        "user": principal.user_id,
        "key": idempotency_key,
    }
    return dict(deps.once.run_once(key, req.model_dump(mode="json"), compute))
