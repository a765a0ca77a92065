"""Inbound email: pure steps over one normalised message (no AWS, no I/O, no clock).

The handler's pipeline, in order:

1. ``normalise(raw)`` → ``InboundEmail`` (never raises; ``problems`` lists what was wrong);
2. ``is_bounce(msg)`` → ``BounceInfo`` or None (note it on the ticket of
   ``original_message_id``; no ticket, no reply);
3. ``loop_guard(msg, own_addresses)`` → reason or None (record it; no ticket, no reply);
4. tenant by recipient (``msg.recipients`` plus the SES recipients list) — the service's step;
5. ``ticket_token(msg.subject)``, then ``thread_candidates(msg)`` against stored Message-IDs;
   else a new ticket titled ``clean_subject(msg.subject)``;
6. for a reply, ``visible_reply(msg.text)`` (fall back to ``msg.text`` when it is empty);
   ``msg.attachments`` to the blob store.

Outbound mail carries ``OUTBOUND_HEADERS`` and ``format_ticket_token(number)`` in its subject.
"""

from regentra.domain.email.guards import OUTBOUND_HEADERS, BounceInfo, is_bounce, loop_guard
from regentra.domain.email.html_text import html_to_text
from regentra.domain.email.message import (
    Attachment,
    InboundEmail,
    normalise,
    normalise_message_id,
    parse_message_ids,
)
from regentra.domain.email.reply import visible_reply
from regentra.domain.email.threading import (
    clean_subject,
    format_ticket_token,
    thread_candidates,
    ticket_token,
)

__all__ = [
    "OUTBOUND_HEADERS",
    "Attachment",
    "BounceInfo",
    "InboundEmail",
    "clean_subject",
    "format_ticket_token",
    "html_to_text",
    "is_bounce",
    "loop_guard",
    "normalise",
    "normalise_message_id",
    "parse_message_ids",
    "thread_candidates",
    "ticket_token",
    "visible_reply",
]
