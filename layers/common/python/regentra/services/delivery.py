"""Sending staff replies to the customer, driven by the stored reply (the table stream).

A reply is claimed with a conditional write before it is sent and marked sent after, so two
deliveries of the same stream record never both send it. A send that fails is released (state
'failed', retried by the stream); a claim left by a sender that died expires after a lease.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from regentra.adapters.delivery_errors import PermanentSendError, TransientSendError
from regentra.clock import iso, parse_iso
from regentra.domain.conversation import CUSTOMER, STAFF
from regentra.domain.email.outbound import build_reply_email
from regentra.domain.enums import Channel
from regentra.services.deps import Deps
from regentra.services.ports import Mailer, SmsSender

CLAIM_LEASE = timedelta(minutes=5)
DEFAULT_FROM = "support@regentra.invalid"


class DeliveryBusy(Exception):
    """Another sender holds a live claim on this reply: retry later."""


def _address_book(deps: Deps, tenant_id: str) -> dict[str, Any]:
    return deps.settings.get_settings(tenant_id, "channels") or {"support_emails": [], "sms_numbers": []}


def deliver_reply(
    deps: Deps, mailer: Mailer, sms: SmsSender, tenant_id: str, ticket_id: str, reply_id: str
) -> str:
    """Send one staff reply on its ticket's channel; returns the final delivery state."""
    reply = deps.tickets.get_reply(tenant_id, ticket_id, reply_id)
    if reply is None or reply.author_type != STAFF:
        return "ignored"
    state = reply.delivery.get("state", "pending")
    if state in ("sent", "skipped", "rejected"):
        return state  # a redelivered stream record: nothing to do, never twice
    now = deps.clock.now()
    if state.startswith("claimed:"):
        claimed_at = parse_iso(reply.delivery["claimed_at"])
        if now < claimed_at + CLAIM_LEASE:
            raise DeliveryBusy(f"reply {reply_id} is being sent")
    claim = f"claimed:{uuid.uuid4().hex}"
    attempts = int(reply.delivery.get("attempts", 0)) + 1
    claimed = {**reply.delivery, "state": claim, "claimed_at": iso(now), "attempts": attempts}
    if not deps.tickets.update_delivery(tenant_id, ticket_id, reply_id, claimed, [state]):
        raise DeliveryBusy(f"reply {reply_id} changed while claiming it")

    def finish(**fields: Any) -> str:
        final = {k: v for k, v in claimed.items() if k != "claimed_at"} | fields
        deps.tickets.update_delivery(tenant_id, ticket_id, reply_id, final, [claim])
        return str(fields["state"])

    detail = deps.tickets.detail(tenant_id, ticket_id)
    if detail is None:
        return finish(state="skipped", reason="ticket gone")
    ticket = detail.ticket
    contact = deps.directory.get_contact(tenant_id, ticket.contact_id) if ticket.contact_id else None
    book = _address_book(deps, tenant_id)
    try:
        if ticket.channel == Channel.SMS:
            if contact is None or not contact.phone:
                return finish(state="skipped", reason="the contact has no phone number")
            if not book["sms_numbers"]:
                return finish(state="skipped", reason="no SMS number in /settings/channels")
            if deps.tickets.lookup(tenant_id, f"SMS_OPT_OUT#{contact.phone}") == "1":
                return finish(state="skipped", reason="the number opted out (STOP)")
            provider_id = sms.send(
                to=contact.phone, origination=book["sms_numbers"][0], body=reply.body, ticket_id=ticket.id
            )
            return finish(
                state="sent",
                channel="SMS",
                to=contact.phone,
                provider_message_id=provider_id,
                sent_at=iso(deps.clock.now()),
            )
        if contact is None or not contact.email:
            return finish(state="skipped", reason="the contact has no email address")
        thread = [
            r.message_id for r in detail.replies if r.message_id and r.id != reply.id and r.id < reply.id
        ]
        last_customer = next(
            (
                r.message_id
                for r in reversed(detail.replies)
                if r.author_type == CUSTOMER and r.message_id and r.id < reply.id
            ),
            None,
        )
        sender = book["support_emails"][0] if book["support_emails"] else DEFAULT_FROM
        raw = build_reply_email(
            from_address=sender,
            from_name="Support",
            to_address=contact.email,
            to_name=contact.name,
            subject=ticket.subject,
            ticket_number=ticket.number,
            text=reply.body,
            message_id=reply.message_id or f"<reply-{reply.id}@regentra.invalid>",
            in_reply_to=last_customer or (thread[-1] if thread else None),
            references=thread,
            date=deps.clock.now(),
        )
        provider_id = mailer.send_raw(raw, from_address=sender, to_address=contact.email, ticket_id=ticket.id)
        return finish(
            state="sent",
            channel="EMAIL",
            to=contact.email,
            provider_message_id=provider_id,
            sent_at=iso(deps.clock.now()),
        )
    except PermanentSendError as exc:
        return finish(state="rejected", error=str(exc)[:500])
    except TransientSendError as exc:
        finish(state="failed", error=str(exc)[:500])
        raise  # the stream retries the record
