"""The one conversation service every channel calls (portal, staff UI, email, SMS, chat, cascade):
a reply, with the status moves, first response, follow-up and activity rules of API.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from regentra.domain.conversation import (
    CUSTOMER,
    STAFF,
    ActivityOn,
    Note,
    Reply,
    TicketLink,
    TimeCounter,
    TimeEntry,
    apply_reply,
    follow_up_subject,
    plan_reply,
)
from regentra.domain.email.outbound import new_message_id
from regentra.domain.enums import Channel, Status
from regentra.domain.events import change_events, reply_added
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.tickets import Activity, Ticket
from regentra.errors import ConcurrentUpdate, NotFound
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.sla import on_change
from regentra.services.tickets import MAX_WRITE_ATTEMPTS, build_ticket

PENDING = {"state": "pending", "attempts": 0}
MESSAGE_ID_DOMAIN = "tickets.regentra.invalid"


@dataclass(frozen=True)
class Author:
    """Who a reply comes from. `source` names them in activity (staff:<user>, customer:<contact>,
    cascade:<id>); only a human staff reply counts as the first response."""

    type: str  # staff | customer
    id: str
    source: str
    counts_as_response: bool = True

    @classmethod
    def of(cls, principal: Principal) -> Author:
        if principal.is_staff:
            return cls(STAFF, principal.user_id, principal.source)
        return cls(CUSTOMER, principal.contact_id or principal.user_id, principal.source)


@dataclass(frozen=True)
class ReplyOutcome:
    reply: Reply
    ticket: Ticket  # the ticket the reply was recorded on (the follow-up, if one was made)
    follow_up_of: str | None = None


def _load(deps: Deps, tenant_id: str, ticket_id: str, client_id: str | None) -> Ticket:
    if not is_valid_id(ticket_id):
        raise NotFound("Ticket not found.")
    ticket = deps.tickets.get(tenant_id, ticket_id)
    if ticket is None or (client_id is not None and ticket.client_id != client_id):
        raise NotFound("Ticket not found.")
    return ticket


def add_reply(
    deps: Deps,
    tenant_id: str,
    ticket_id: str,
    author: Author,
    body: str,
    channel: Channel | None = None,
    *,
    set_status: Status | None = None,
    client_id: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    attachments: tuple[dict[str, Any], ...] = (),
    extra_records: list[Any] | None = None,
    flags: list[str] | None = None,
    prepare: Callable[[Ticket], tuple[Ticket, list[Activity]]] | None = None,
) -> ReplyOutcome:
    """Record a public reply and apply its rules. `client_id` restricts a customer to their own
    client's tickets (404 otherwise). A staff reply is stored with delivery 'pending': the
    table stream sends it to the customer, so a crash after this write still sends it.
    `prepare` sees every fresh read of the ticket before the reply is planned and may refuse it
    (raise) or change it, with activity, in the same versioned write (a cascade's assignee)."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = _load(deps, tenant_id, ticket_id, client_id)
        base, prepared = prepare(ticket) if prepare is not None else (ticket, [])
        plan = plan_reply(base, author.type, set_status, counts_as_response=author.counts_as_response)
        now = deps.clock.now()
        reply_id = new_id(now)
        via = channel or ticket.channel
        if plan.follow_up:
            return _reply_as_follow_up(
                deps,
                ticket,
                author,
                body,
                via,
                reply_id,
                message_id,
                in_reply_to,
                attachments,
                extra_records or [],
            )
        if author.type == STAFF:
            message_id = new_message_id(reply_id, tenant_id, MESSAGE_ID_DOMAIN)
        reply = Reply(
            id=reply_id,
            ticket_id=ticket.id,
            author_type=author.type,
            author_id=author.id,
            body=body,
            channel=via,
            created_at=now,
            message_id=message_id,
            in_reply_to=in_reply_to,
            delivery=dict(PENDING) if author.type == STAFF else {},
            attachments=attachments,
            source=author.source if author.source.startswith("cascade:") else None,
        )
        updated = apply_reply(base, plan, now)
        activity = [
            *prepared,
            Activity(
                at=now,
                actor=author.id,
                source=author.source,
                change={"event": "reply_added", "reply_id": reply_id, "author_type": author.type}
                | ({"flags": flags} if flags else {}),
            ),
        ]
        if updated.status != ticket.status:
            activity.append(
                Activity(
                    at=now,
                    actor=author.id,
                    source=author.source,
                    change={"field": "status", "from": str(ticket.status), "to": str(updated.status)},
                )
            )
        updated, counters = on_change(ticket, updated, now)
        events = [
            reply_added(
                updated,
                reply_id=reply_id,
                author_type=author.type,
                channel=str(via),
                source=author.source,
                at=now,
            ),
            *change_events(ticket, updated, source=author.source, at=now),
        ]
        try:
            saved = deps.tickets.save(
                updated, activity, counters=counters, records=[reply, *(extra_records or [])], events=events
            )
        except ConcurrentUpdate:
            continue
        return ReplyOutcome(reply=reply, ticket=saved)
    raise ConcurrentUpdate("The ticket kept changing; try again.")


def _reply_as_follow_up(
    deps: Deps,
    closed: Ticket,
    author: Author,
    body: str,
    channel: Channel,
    reply_id: str,
    message_id: str | None,
    in_reply_to: str | None,
    attachments: tuple[dict[str, Any], ...],
    extra_records: list[Any],
) -> ReplyOutcome:
    """A customer wrote to a CLOSED ticket: it stays closed; a new OPEN ticket carries the reply,
    and both sides show the link (one transaction)."""
    now = deps.clock.now()
    client = deps.directory.get_client(closed.tenant_id, closed.client_id)
    follow_up = build_ticket(
        deps,
        closed.tenant_id,
        closed.client_id,
        client.sla_policy_id if client else None,
        contact_id=closed.contact_id,
        subject=follow_up_subject(closed),
        description=body,
        priority=closed.priority,
        channel=channel,
        now=now,
        created_by=author.id,
        follow_up_of=closed.id,
    )
    reply = Reply(
        id=reply_id,
        ticket_id=follow_up.id,
        author_type=author.type,
        author_id=author.id,
        body=body,
        channel=channel,
        created_at=now,
        message_id=message_id,
        in_reply_to=in_reply_to,
        attachments=attachments,
    )
    activity = [
        Activity(
            at=now,
            actor=author.id,
            source=author.source,
            change={"event": "created", "channel": str(channel), "follow_up_of": closed.id},
        ),
        Activity(
            at=now,
            actor=author.id,
            source=author.source,
            change={"event": "reply_added", "reply_id": reply_id, "author_type": author.type},
        ),
    ]
    records: list[Any] = [
        reply,
        TicketLink(ticket_id=closed.id, link_type="follow_up", other_id=follow_up.id, at=now),
        ActivityOn(
            ticket_id=closed.id,
            at=now,
            actor=author.id,
            source=author.source,
            change={"event": "follow_up_created", "ticket_id": follow_up.id},
        ),
        *extra_records,
    ]
    saved = deps.tickets.insert(follow_up, activity, records)
    return ReplyOutcome(reply=reply, ticket=saved, follow_up_of=closed.id)


def reply_as(
    principal: Principal, ticket_id: str, body: str, set_status: Status | None, deps: Deps
) -> ReplyOutcome:
    """A reply through the API: staff (any channel the ticket has) or a customer in the portal."""
    principal.require_writer()
    author = Author.of(principal)
    return add_reply(
        deps,
        principal.tenant_id,
        ticket_id,
        author,
        body,
        None if principal.is_staff else Channel.PORTAL,
        set_status=set_status,
        client_id=principal.client_id if principal.is_customer else None,
    )


def add_note(principal: Principal, ticket_id: str, body: str, deps: Deps) -> Note:
    """An internal note: staff only, never shown to customers, never sent anywhere."""
    principal.require_staff_writer()
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = _load(deps, principal.tenant_id, ticket_id, None)
        now = deps.clock.now()
        note = Note(
            id=new_id(now), ticket_id=ticket.id, author_id=principal.user_id, body=body, created_at=now
        )
        activity = [
            Activity(
                at=now,
                actor=principal.user_id,
                source=principal.source,
                change={"event": "note_added", "note_id": note.id},
            )
        ]
        try:
            deps.tickets.save(replace(ticket, updated_at=now), activity, records=[note])
        except ConcurrentUpdate:
            continue
        return note
    raise ConcurrentUpdate("The ticket kept changing; try again.")


def add_time_entry(
    principal: Principal,
    ticket_id: str,
    minutes: int,
    billable: bool,
    note: str | None,
    work_date: date | None,
    deps: Deps,
) -> TimeEntry:
    principal.require_staff_writer()
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = _load(deps, principal.tenant_id, ticket_id, None)
        now = deps.clock.now()
        entry = TimeEntry(
            id=new_id(now),
            ticket_id=ticket.id,
            technician_id=principal.user_id,
            minutes=minutes,
            billable=billable,
            work_date=work_date or now.date(),
            created_at=now,
            note=note,
        )
        totals = replace(
            ticket,
            updated_at=now,
            billable_minutes=ticket.billable_minutes + (minutes if billable else 0),
            non_billable_minutes=ticket.non_billable_minutes + (0 if billable else minutes),
        )
        activity = [
            Activity(
                at=now,
                actor=principal.user_id,
                source=principal.source,
                change={
                    "event": "time_added",
                    "entry_id": entry.id,
                    "minutes": minutes,
                    "billable": billable,
                },
            )
        ]
        counter = TimeCounter(
            work_date=entry.work_date,
            client_id=ticket.client_id,
            technician_id=principal.user_id,
            billable=billable,
            minutes=minutes,
        )
        try:
            deps.tickets.save(totals, activity, records=[entry, counter])
        except ConcurrentUpdate:
            continue
        return entry
    raise ConcurrentUpdate("The ticket kept changing; try again.")
