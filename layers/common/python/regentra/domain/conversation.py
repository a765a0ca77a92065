"""The conversation on a ticket: public replies, internal notes, time entries, and the status
rules a reply triggers (API.md "Lifecycle", automatic moves). Pure: time is passed in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from regentra.domain.enums import Channel, Status
from regentra.domain.lifecycle import check_transition
from regentra.domain.tickets import Ticket, with_status
from regentra.errors import Forbidden, InvalidTransition

STAFF = "staff"
CUSTOMER = "customer"


@dataclass(frozen=True)
class Reply:
    """A public message on the ticket, from staff or from the customer, on some channel."""

    id: str
    ticket_id: str
    author_type: str  # staff | customer
    author_id: str
    body: str
    channel: Channel
    created_at: datetime
    message_id: str | None = None  # the email Message-ID it went out or came in with
    in_reply_to: str | None = None
    # Delivery of a staff reply to the customer: pending -> sent | failed | skipped
    delivery: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[dict[str, Any], ...] = ()
    source: str | None = None  # e.g. cascade:<id> when it came from a master ticket


@dataclass(frozen=True)
class Note:
    id: str
    ticket_id: str
    author_id: str
    body: str
    created_at: datetime
    source: str | None = None


@dataclass(frozen=True)
class TimeEntry:
    id: str
    ticket_id: str
    technician_id: str
    minutes: int
    billable: bool
    work_date: date
    created_at: datetime
    note: str | None = None


@dataclass(frozen=True)
class ReplyPlan:
    """What a reply does to its ticket."""

    target_status: Status | None  # None: the status stays
    stamps_first_response: bool
    follow_up: bool  # a customer reply on a CLOSED ticket starts a linked follow-up ticket


def plan_reply(
    ticket: Ticket, author_type: str, set_status: Status | None, *, counts_as_response: bool = True
) -> ReplyPlan:
    """The automatic moves of API.md:
    - staff reply: `set_status` if allowed, else OPEN -> IN_PROGRESS; on CLOSED it is refused
      until a technician reopens the ticket;
    - customer reply: WAITING_ON_CUSTOMER / RESOLVED -> IN_PROGRESS; on CLOSED -> a follow-up.
    The first human staff reply stops the response timer (`counts_as_response`)."""
    if author_type == STAFF:
        if ticket.status == Status.CLOSED:
            raise InvalidTransition(
                "The ticket is closed; reopen it before replying.",
                [{"field": "status", "from": "CLOSED", "issue": "reopen first"}],
            )
        target: Status | None
        if set_status is not None:
            check_transition(ticket.status, set_status)
            target = set_status if set_status != ticket.status else None
        else:
            target = Status.IN_PROGRESS if ticket.status == Status.OPEN else None
        return ReplyPlan(target, counts_as_response and ticket.first_response_at is None, False)
    if set_status is not None:
        raise Forbidden("Customers cannot set a ticket's status.")
    if ticket.status == Status.CLOSED:
        return ReplyPlan(None, False, True)
    if ticket.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
        return ReplyPlan(Status.IN_PROGRESS, False, False)
    return ReplyPlan(None, False, False)


def apply_reply(ticket: Ticket, plan: ReplyPlan, now: datetime) -> Ticket:
    updated = replace(ticket, updated_at=now)
    if plan.target_status is not None:
        updated = with_status(updated, plan.target_status, now)
    if plan.stamps_first_response:
        updated = replace(updated, first_response_at=now)
    return updated


def follow_up_subject(closed: Ticket) -> str:
    return f"Follow-up to #{closed.number}: {closed.subject}"[:200]


@dataclass(frozen=True)
class TicketLink:
    """A link shown on `ticket_id`'s page pointing at `other_id` (e.g. its follow-up)."""

    ticket_id: str
    link_type: str
    other_id: str
    at: datetime


@dataclass(frozen=True)
class ActivityOn:
    """An activity entry for another ticket than the one being written (both in one transaction)."""

    ticket_id: str
    at: datetime
    actor: str
    source: str
    change: dict[str, Any]


@dataclass(frozen=True)
class TimeCounter:
    """What a time entry adds to the time report: per work date, client and technician."""

    work_date: date
    client_id: str
    technician_id: str
    billable: bool
    minutes: int


@dataclass(frozen=True)
class Attachment:
    """A file on a ticket: uploaded straight to the blob store (presigned), listed once it landed."""

    id: str
    ticket_id: str
    filename: str
    content_type: str
    size: int
    key: str
    state: str  # pending | uploaded
    uploaded_by: str
    created_at: datetime


@dataclass(frozen=True)
class MessageLink:
    """An email Message-ID that threads to a ticket (inbound mail we turned into a ticket)."""

    ticket_id: str
    message_id: str


@dataclass(frozen=True)
class OnceMarker:
    """A name that may be written once (a delivered SES message, an SMS id): the write that
    carries it fails if it exists, so a redelivery changes nothing."""

    name: str


@dataclass(frozen=True)
class Pointer:
    """A named pointer kept with the write (e.g. a phone number's current SMS ticket)."""

    name: str
    target: str
