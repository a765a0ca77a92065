"""Live chat: a session between a customer (or a visitor who gave an email) and staff, and the
rules that turn its transcript into a CHAT ticket when it ends. Pure: time is passed in."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from regentra.clock import iso

ACTIVE = "active"
ENDED = "ended"
STATES = (ACTIVE, ENDED)

# Who writes in a chat. Customers and visitors are "the customer side".
CUSTOMER = "customer"
VISITOR = "visitor"
STAFF = "staff"
CUSTOMER_SIDE = (CUSTOMER, VISITOR)

IDLE_AFTER = timedelta(minutes=30)  # no message for this long: the schedule ends the session
DUE_CHAT_IDLE = "chat_idle"  # kind in the sparse due index
MAX_MESSAGES = 1000  # per session; a chat longer than this should become a ticket
MAX_TRANSCRIPT_CHARS = 50_000  # the ticket description (the full transcript stays with the session)
SUBJECT_CHARS = 200
# A visitor's token reads the session for this long after it ended (to show the ticket number).
VISITOR_READ_AFTER_END = timedelta(hours=1)


@dataclass(frozen=True)
class ChatMessage:
    id: str
    session_id: str
    author_type: str  # customer | visitor | staff
    author_id: str
    body: str
    created_at: datetime
    author_name: str | None = None


@dataclass(frozen=True)
class ChatSession:
    tenant_id: str
    id: str
    state: str
    started_by: str  # customer | visitor
    created_at: datetime
    last_activity_at: datetime  # the start, then each message
    client_id: str | None = None  # a visitor's is known once the session ends
    contact_id: str | None = None
    user_id: str | None = None  # the customer's user (token subject)
    email: str | None = None
    name: str | None = None
    message_count: int = 0
    first_staff_message_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = (
        None  # source: customer:<id>, visitor:<email>, staff:<user>, schedule:end_idle_chats
    )
    end_reason: str | None = None  # customer | visitor | staff | idle
    ticket_id: str | None = None
    token_hash: str | None = None  # visitors only: the digest of their session token

    @property
    def idle_at(self) -> datetime:
        return self.last_activity_at + IDLE_AFTER

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE


@dataclass(frozen=True)
class ChatEnded:
    """A record written in the transaction that creates the chat's ticket (or alone, when the chat
    had no customer message): the session ends only if it is still active and still has exactly
    the messages the transcript was built from, so two enders create one ticket."""

    session_id: str
    ended_at: datetime
    ended_by: str
    end_reason: str
    expected_messages: int
    ticket_id: str | None = None
    client_id: str | None = None
    contact_id: str | None = None


def token_digest(token: str) -> str:
    """What is stored for a visitor's token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_idle(session: ChatSession, now: datetime) -> bool:
    return session.is_active and now >= session.idle_at


def chat_subject(messages: list[ChatMessage]) -> str | None:
    """The first customer-side message, on one line, at most 200 characters; None if none."""
    for m in messages:
        if m.author_type in CUSTOMER_SIDE:
            text = re.sub(r"\s+", " ", m.body).strip()
            if len(text) > SUBJECT_CHARS:
                text = text[: SUBJECT_CHARS - 1].rstrip() + "…"
            return text or None
    return None


def first_staff_message_at(messages: list[ChatMessage]) -> datetime | None:
    return next((m.created_at for m in messages if m.author_type == STAFF), None)


def _who(session: ChatSession, m: ChatMessage) -> str:
    if m.author_type == STAFF:
        return f"Staff {m.author_name or m.author_id}"
    label = "Visitor" if m.author_type == VISITOR else "Customer"
    name = m.author_name or session.name or session.email or m.author_id
    return f"{label} {name}"


_ENDED_HOW = {
    "idle": "idle for 30 minutes",
    "staff": "by staff",
    "customer": "by the customer",
    "visitor": "by the visitor",
}


def transcript(session: ChatSession, messages: list[ChatMessage], ended_at: datetime, reason: str) -> str:
    """The ticket description: a header, then one block per message, oldest first. Past
    MAX_TRANSCRIPT_CHARS the oldest messages are left out (the session keeps them all)."""
    how = _ENDED_HOW.get(reason, reason)
    head = f"Live chat {session.id}, started {iso(session.created_at)}, ended {iso(ended_at)} ({how})."
    blocks = []
    for m in messages:
        body = m.body.strip().replace("\n", "\n    ")
        blocks.append(f"[{iso(m.created_at)}] {_who(session, m)}: {body}")
    kept: list[str] = []
    size = len(head) + 2
    for block in reversed(blocks):
        if size + len(block) + 1 > MAX_TRANSCRIPT_CHARS - 100:
            kept.append(f"… {len(blocks) - len(kept)} earlier messages are on the chat session.")
            break
        kept.append(block)
        size += len(block) + 1
    return head + "\n\n" + "\n".join(reversed(kept))
