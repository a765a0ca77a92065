"""Inbound channels: every message either starts a ticket or becomes a customer reply on the
right one, through the one conversation service. Pipelines of small pure steps (regentra.domain
.email) over one normalised message; this module does the lookups and the writes."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from regentra.domain.conversation import CUSTOMER, MessageLink, OnceMarker
from regentra.domain.email import (
    InboundEmail,
    clean_subject,
    is_bounce,
    loop_guard,
    normalise,
    thread_candidates,
    ticket_token,
    visible_reply,
)
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.tickets import Activity
from regentra.errors import ConcurrentUpdate, Conflict
from regentra.services.conversation import Author, add_reply
from regentra.services.deps import Deps
from regentra.services.ports import BlobStore, Client, Contact
from regentra.services.tickets import build_ticket

logger = logging.getLogger("regentra.inbound")

UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Inbound:
    """What happened to one inbound message (logged; returned to the handler)."""

    outcome: str  # ticket_created | reply_added | follow_up_created | duplicate | loop | bounce | ...
    tenant_id: str | None = None
    ticket_id: str | None = None
    detail: str | None = None


# --- who: contacts and the Unassigned client -----------------------------------------------------


def unassigned_client(deps: Deps, tenant_id: str) -> Client:
    """The tenant's "Unassigned" client, created once (a named pointer makes it unique)."""
    from regentra.domain.ids import new_id
    from regentra.services.ports import Client as ClientRecord

    existing = deps.tickets.lookup(tenant_id, "UNASSIGNED_CLIENT")
    if existing:
        found = deps.directory.get_client(tenant_id, existing)
        if found:
            return found
    now = deps.clock.now()
    client = ClientRecord(
        tenant_id=tenant_id, id=new_id(now), name=UNASSIGNED, created_at=now, updated_at=now
    )
    if deps.tickets.put_lookup(tenant_id, "UNASSIGNED_CLIENT", client.id, only_if_absent=True):
        return deps.directory.insert_client(client)
    winner = deps.tickets.lookup(tenant_id, "UNASSIGNED_CLIENT")
    for _ in range(20):  # the racing creator is about to insert it
        found = deps.directory.get_client(tenant_id, winner or "")
        if found:
            return found
    raise ConcurrentUpdate("the Unassigned client is being created; retry")


def _find_or_create_contact(
    deps: Deps,
    tenant_id: str,
    find: Callable[[], Contact | None],
    client: Callable[[], Client],
    **fields: Any,
) -> Contact:
    """The contact `find` returns, else a new one under `client()`; two messages racing make one."""
    from regentra.domain.ids import new_id
    from regentra.services.ports import Contact as ContactRecord

    found = find()
    if found:
        return found
    now = deps.clock.now()
    contact = ContactRecord(
        tenant_id=tenant_id, id=new_id(now), client_id=client().id, created_at=now, updated_at=now, **fields
    )
    try:
        return deps.directory.insert_contact(contact)
    except Conflict:
        again = find()
        if again is None:
            raise
        return again


def contact_for_email(deps: Deps, tenant_id: str, address: str, name: str) -> Contact:
    """The contact with this email; else a new one under the client whose email_domains match,
    else under "Unassigned"."""
    domain = address.rsplit("@", 1)[-1]
    return _find_or_create_contact(
        deps,
        tenant_id,
        lambda: deps.directory.contact_by_email(tenant_id, address),
        lambda: (
            deps.directory.client_for_email_domain(tenant_id, domain) or unassigned_client(deps, tenant_id)
        ),
        name=(name or address)[:200],
        email=address,
    )


def contact_for_phone(deps: Deps, tenant_id: str, phone: str) -> Contact:
    """The contact with this number; else a new one under "Unassigned"."""
    return _find_or_create_contact(
        deps,
        tenant_id,
        lambda: deps.directory.contact_by_phone(tenant_id, phone),
        lambda: unassigned_client(deps, tenant_id),
        name=phone,
        phone=phone,
    )


# --- email ----------------------------------------------------------------------------------------

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _tenant_for(deps: Deps, msg: InboundEmail, ses_recipients: list[str]) -> str | None:
    for address in [*ses_recipients, *msg.recipients]:
        tenant = deps.settings.tenant_for_channel("EMAIL", address.lower())
        if tenant:
            return tenant
    return None


def _own_addresses(deps: Deps, tenant_id: str) -> list[str]:
    book = deps.settings.get_settings(tenant_id, "channels") or {}
    return list(book.get("support_emails", []))


def _thread(deps: Deps, tenant_id: str, msg: InboundEmail, contact: Contact) -> str | None:
    """The ticket a message answers: the [#n] token (if it is the sender's client's ticket), then
    In-Reply-To / References against Message-IDs we stored."""
    number = ticket_token(msg.subject)
    if number is not None:
        ticket_id = deps.tickets.lookup(tenant_id, f"TICKET_NUMBER#{number}")
        ticket = deps.tickets.get(tenant_id, ticket_id) if ticket_id else None
        if ticket is not None and ticket.client_id == contact.client_id:
            return ticket.id
    for message_id in thread_candidates(msg):
        ticket_id = deps.tickets.ticket_for_message_id(tenant_id, message_id)
        if ticket_id:
            return ticket_id
    return None


def _store_attachments(
    blobs: BlobStore, tenant_id: str, ticket_key: str, msg: InboundEmail, raw_key: str | None
) -> tuple[dict[str, Any], ...]:
    out: list[dict[str, Any]] = []
    for i, att in enumerate(msg.attachments):
        name = _SAFE.sub("_", att.filename or f"attachment-{i + 1}")[:120]
        key = f"attachments/{tenant_id}/{ticket_key}/{i + 1}-{name}"
        blobs.put(key, att.content, att.content_type)
        out.append({"name": att.filename or name, "type": att.content_type, "size": att.size, "key": key})
    if raw_key:
        out.append({"name": "original.eml", "type": "message/rfc822", "size": len(msg.raw), "key": raw_key})
    return tuple(out)


def receive_email(
    deps: Deps,
    blobs: BlobStore,
    raw: bytes,
    *,
    ses_message_id: str,
    ses_recipients: list[str],
    virus_verdict: str = "PASS",
    spam_verdict: str = "PASS",
    raw_key: str | None = None,
) -> Inbound:
    if virus_verdict == "FAIL":
        logger.warning("inbound mail rejected: virus verdict FAIL", extra={"ses_message_id": ses_message_id})
        return Inbound("rejected_virus")
    msg = normalise(raw)
    tenant_id = _tenant_for(deps, msg, ses_recipients)
    if tenant_id is None:
        logger.info(
            "inbound mail dropped: no tenant for its recipients", extra={"ses_message_id": ses_message_id}
        )
        return Inbound("unknown_recipient")
    bounce = is_bounce(msg)
    if bounce is not None:
        return _note_bounce(
            deps, tenant_id, bounce.original_message_id, list(bounce.addresses), bounce.permanent
        )
    reason = loop_guard(msg, _own_addresses(deps, tenant_id))
    if reason is not None or msg.from_address is None:
        logger.info(
            "inbound mail recorded, not answered",
            extra={"reason": reason or "no sender", "tenant": tenant_id},
        )
        return Inbound("loop", tenant_id, detail=reason or "no sender address")
    # A redelivery (same SES id) or a resend of the same message (same Message-ID, sender, tenant)
    markers = [OnceMarker(f"SES#{ses_message_id}")]
    if msg.message_id:
        digest = hashlib.sha256(f"{msg.message_id}|{msg.from_address}".encode()).hexdigest()[:32]
        markers.append(OnceMarker(f"MAIL#{digest}"))
    if any(deps.tickets.lookup(tenant_id, m.name) for m in markers):
        return Inbound("duplicate", tenant_id)
    contact = contact_for_email(deps, tenant_id, msg.from_address, msg.from_name)
    ticket_id = _thread(deps, tenant_id, msg, contact)
    flags = ["spam"] if spam_verdict == "FAIL" else []
    try:
        if ticket_id is not None:
            body = visible_reply(msg.text) or msg.text or "(no text)"
            attachments = _store_attachments(blobs, tenant_id, ticket_id, msg, raw_key)
            outcome = add_reply(
                deps,
                tenant_id,
                ticket_id,
                Author(CUSTOMER, contact.id, f"customer:{contact.id}"),
                body[:50_000],
                Channel.EMAIL,
                message_id=msg.message_id,
                in_reply_to=msg.in_reply_to,
                attachments=attachments,
                extra_records=markers,
                flags=flags,
            )
            kind = "follow_up_created" if outcome.follow_up_of else "reply_added"
            return Inbound(kind, tenant_id, outcome.ticket.id)
        return _new_email_ticket(deps, blobs, tenant_id, contact, msg, raw_key, markers, flags)
    except ConcurrentUpdate:
        if any(deps.tickets.lookup(tenant_id, m.name) for m in markers):
            return Inbound("duplicate", tenant_id)  # a concurrent delivery of the same message won
        raise


def _new_email_ticket(
    deps: Deps,
    blobs: BlobStore,
    tenant_id: str,
    contact: Contact,
    msg: InboundEmail,
    raw_key: str | None,
    markers: list[OnceMarker],
    flags: list[str],
) -> Inbound:
    client = deps.directory.get_client(tenant_id, contact.client_id)
    now = deps.clock.now()
    ticket = build_ticket(
        deps,
        tenant_id,
        contact.client_id,
        client.sla_policy_id if client else None,
        contact_id=contact.id,
        subject=(clean_subject(msg.subject) or "(no subject)")[:200],
        description=(msg.text or "")[:20_000],
        priority=Priority.MEDIUM,
        channel=Channel.EMAIL,
        now=now,
        created_by=contact.id,
    )
    attachments = _store_attachments(blobs, tenant_id, ticket.id, msg, raw_key)
    change: dict[str, Any] = {"event": "created", "channel": "EMAIL", "priority": "MEDIUM"}
    if attachments:
        change["attachments"] = list(attachments)
    if flags:
        change["flags"] = flags
    activity = [Activity(at=now, actor=contact.id, source=f"customer:{contact.id}", change=change)]
    records: list[Any] = list(markers)
    if msg.message_id:
        records.append(MessageLink(ticket.id, msg.message_id))
    try:
        deps.tickets.insert(ticket, activity, records)
    except Conflict as exc:
        raise ConcurrentUpdate("a marker exists: a duplicate delivery") from exc
    return Inbound("ticket_created", tenant_id, ticket.id)


def _note_bounce(
    deps: Deps, tenant_id: str, original_message_id: str | None, addresses: list[str], permanent: bool
) -> Inbound:
    """A bounce never makes a ticket or a reply; one of our own mails bouncing is noted on its ticket."""
    ticket_id = (
        deps.tickets.ticket_for_message_id(tenant_id, original_message_id) if original_message_id else None
    )
    if ticket_id is None:
        return Inbound("bounce", tenant_id, detail=",".join(addresses))
    from dataclasses import replace

    from regentra.domain.conversation import Note
    from regentra.domain.ids import new_id

    for _ in range(5):
        ticket = deps.tickets.get(tenant_id, ticket_id)
        if ticket is None:
            break
        now = deps.clock.now()
        kind = "permanently" if permanent else "temporarily"
        note = Note(
            id=new_id(now),
            ticket_id=ticket_id,
            author_id="system",
            created_at=now,
            source="bounce",
            body=f"Our email to {', '.join(addresses) or 'the customer'} bounced {kind}.",
        )
        activity = [
            Activity(
                at=now,
                actor="system",
                source="bounce",
                change={"event": "bounce", "addresses": addresses, "permanent": permanent},
            )
        ]
        try:
            deps.tickets.save(replace(ticket, updated_at=now), activity, records=[note])
            break
        except ConcurrentUpdate:
            continue
    return Inbound("bounce", tenant_id, ticket_id)


# --- SMS ------------------------------------------------------------------------------------------

SMS_THREAD_DAYS = 7
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
HELP_WORDS = frozenset({"HELP", "INFO"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_TEXT = "Support: reply to this number to reach your IT team. Reply STOP to opt out."


def opted_out(deps: Deps, tenant_id: str, phone: str) -> bool:
    return deps.tickets.lookup(tenant_id, f"SMS_OPT_OUT#{phone}") == "1"


def receive_sms(deps: Deps, sms: Any, payload: dict[str, Any]) -> Inbound:
    """An End User Messaging two-way SMS (through SNS): a keyword, a reply on the contact's open
    SMS ticket of the last 7 days, or a new SMS ticket. De-duplicated by inboundMessageId."""
    origin, dest = str(payload.get("originationNumber", "")), str(payload.get("destinationNumber", ""))
    message_id = str(payload.get("inboundMessageId", ""))
    body = str(payload.get("messageBody", "")).strip()
    if not origin or not dest or not message_id:
        logger.warning("inbound SMS dropped: missing fields", extra={"fields": sorted(payload)})
        return Inbound("malformed")
    tenant_id = deps.settings.tenant_for_channel("SMS", dest)
    if tenant_id is None:
        logger.info("inbound SMS dropped: no tenant for its number", extra={"destination": dest})
        return Inbound("unknown_recipient")
    marker = OnceMarker(f"SMS#{message_id}")
    if deps.tickets.lookup(tenant_id, marker.name):
        return Inbound("duplicate", tenant_id)
    keyword = body.upper().strip(" .!")
    if keyword in STOP_WORDS | START_WORDS | HELP_WORDS and not deps.tickets.put_lookup(
        tenant_id, marker.name, "1", only_if_absent=True
    ):
        return Inbound("duplicate", tenant_id)
    if keyword in STOP_WORDS:
        deps.tickets.put_lookup(tenant_id, f"SMS_OPT_OUT#{origin}", "1")
        return Inbound("opted_out", tenant_id)
    if keyword in START_WORDS and opted_out(deps, tenant_id, origin):
        deps.tickets.put_lookup(tenant_id, f"SMS_OPT_OUT#{origin}", "0")
        return Inbound("opted_in", tenant_id)
    if keyword in HELP_WORDS:
        if deps.tickets.put_lookup(tenant_id, f"SMS_HELP#{origin}", "1", only_if_absent=True):
            sms.send(to=origin, origination=dest, body=HELP_TEXT)  # answered once per number
            return Inbound("help_answered", tenant_id)
        return Inbound("help_already_answered", tenant_id)
    try:
        return _sms_to_ticket(deps, tenant_id, origin, body, marker)
    except (ConcurrentUpdate, Conflict):
        if deps.tickets.lookup(tenant_id, marker.name):
            return Inbound("duplicate", tenant_id)  # a concurrent delivery of the same SMS won
        raise


def _sms_to_ticket(deps: Deps, tenant_id: str, origin: str, body: str, marker: OnceMarker) -> Inbound:
    from datetime import timedelta

    from regentra.clock import iso, parse_iso
    from regentra.domain.conversation import Pointer

    contact = contact_for_phone(deps, tenant_id, origin)
    now = deps.clock.now()
    thread = deps.tickets.lookup(tenant_id, f"SMS_THREAD#{origin}")
    if thread:
        ticket_id, _, last = thread.partition("|")
        ticket = deps.tickets.get(tenant_id, ticket_id)
        recent = last and now - parse_iso(last) <= timedelta(days=SMS_THREAD_DAYS)
        if ticket is not None and ticket.status != Status.CLOSED and recent:
            outcome = add_reply(
                deps,
                tenant_id,
                ticket.id,
                Author(CUSTOMER, contact.id, f"customer:{contact.id}"),
                body or "(empty)",
                Channel.SMS,
                extra_records=[marker, Pointer(f"SMS_THREAD#{origin}", f"{ticket.id}|{iso(now)}")],
            )
            return Inbound("reply_added", tenant_id, outcome.ticket.id)
    client = deps.directory.get_client(tenant_id, contact.client_id)
    ticket = build_ticket(
        deps,
        tenant_id,
        contact.client_id,
        client.sla_policy_id if client else None,
        contact_id=contact.id,
        subject=(body or "(empty SMS)")[:80],
        description=body,
        priority=Priority.MEDIUM,
        channel=Channel.SMS,
        now=now,
        created_by=contact.id,
    )
    activity = [
        Activity(
            at=now,
            actor=contact.id,
            source=f"customer:{contact.id}",
            change={"event": "created", "channel": "SMS", "priority": "MEDIUM"},
        )
    ]
    deps.tickets.insert(
        ticket, activity, [marker, Pointer(f"SMS_THREAD#{origin}", f"{ticket.id}|{iso(now)}")]
    )
    return Inbound("ticket_created", tenant_id, ticket.id)
