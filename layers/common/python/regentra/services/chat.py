"""Live chat: customers (token) and visitors (email, session token) talk with staff; when a chat
ends — by either side, or idle for 30 minutes — its transcript becomes one CHAT ticket.

The end is one transaction: the ticket, its activity and the session's move to `ended` (only if
the session is still active and still has the messages the transcript was built from). Two
enders racing create one ticket; the loser re-reads and returns the winner's ticket id.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from regentra.cursors import scope_of
from regentra.domain.chat import (
    ACTIVE,
    CUSTOMER,
    ENDED,
    MAX_MESSAGES,
    STAFF,
    VISITOR,
    VISITOR_READ_AFTER_END,
    ChatEnded,
    ChatMessage,
    ChatSession,
    chat_subject,
    first_staff_message_at,
    is_idle,
    token_digest,
    transcript,
)
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.tickets import Activity, with_status
from regentra.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound, Unauthorized
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.ports import Page
from regentra.services.requests import ListChatsQuery, StartChat, StartVisitorChat
from regentra.services.sla import on_change
from regentra.services.tickets import MAX_WRITE_ATTEMPTS, build_ticket

IDLE = "idle"
IDLE_SOURCE = "schedule:end_idle_chats"
CHANNELS_SETTING = "channels"


@dataclass(frozen=True)
class ChatCaller:
    """Who is calling a chat route: staff or a customer (JWT), or a visitor (session token)."""

    tenant_id: str
    kind: str  # staff | customer | visitor
    id: str  # staff user id | customer contact (or user) id | visitor email
    source: str  # staff:<user> | customer:<contact> | visitor:<email>
    may_write: bool = True
    client_id: str | None = None
    session_id: str | None = None  # a visitor's token opens one session only

    @classmethod
    def of(cls, principal: Principal) -> ChatCaller:
        if principal.is_staff:
            return cls(
                principal.tenant_id,
                STAFF,
                principal.user_id,
                principal.source,
                may_write=principal.role != "readonly",
            )
        return cls(
            principal.tenant_id,
            CUSTOMER,
            principal.contact_id or principal.user_id,
            principal.source,
            client_id=principal.client_id,
        )

    def require_writer(self) -> None:
        if not self.may_write:
            raise Forbidden("Read-only users may not change anything.")


def _not_found() -> NotFound:
    return NotFound("Chat session not found.")


def _visible(caller: ChatCaller, session: ChatSession | None) -> ChatSession:
    """Staff see every session of their tenant; a customer only sessions started by a customer
    of their own client; a visitor only the session their token opened. Anything else is 404."""
    if session is None:
        raise _not_found()
    if caller.kind == STAFF:
        return session
    if caller.kind == CUSTOMER and session.started_by == CUSTOMER and session.client_id == caller.client_id:
        return session
    if caller.kind == VISITOR and session.id == caller.session_id:
        return session
    raise _not_found()


def _check_id(session_id: str) -> None:
    if not is_valid_id(session_id):
        raise _not_found()


# --- starting ---------------------------------------------------------------------------------------


def start_chat(principal: Principal, req: StartChat, deps: Deps) -> ChatSession:
    """A customer starts a chat for their own client and contact (from the token)."""
    if not principal.is_customer:
        raise Forbidden("Customers and visitors start chats; staff answer them.")
    name = None
    if principal.contact_id:
        contact = deps.directory.get_contact(principal.tenant_id, principal.contact_id)
        name = contact.name if contact is not None and contact.client_id == principal.client_id else None
    now = deps.clock.now()
    session = ChatSession(
        tenant_id=principal.tenant_id,
        id=new_id(now),
        state=ACTIVE,
        started_by=CUSTOMER,
        created_at=now,
        last_activity_at=now,
        client_id=principal.client_id,
        contact_id=principal.contact_id,
        user_id=principal.user_id,
        email=principal.email,
        name=name,
    )
    return _create(deps, session, CUSTOMER, principal.contact_id or principal.user_id, req.message)


def _encode_token(tenant_id: str, secret: str) -> str:
    tenant = base64.urlsafe_b64encode(tenant_id.encode()).decode().rstrip("=")
    return f"{tenant}.{secret}"


def _token_tenant(token: str) -> str | None:
    tenant, dot, secret = token.partition(".")
    if not dot or not tenant or len(secret) < 32 or len(token) > 512:
        return None
    try:
        return base64.urlsafe_b64decode(tenant + "=" * (-len(tenant) % 4)).decode()
    except (binascii.Error, ValueError):
        return None


def start_visitor_chat(req: StartVisitorChat, deps: Deps) -> tuple[ChatSession, str]:
    """A visitor (no account) starts a chat with a tenant, giving an email. Returns the session and
    its token: the visitor's only key to this one session (we keep its digest, not the token).
    A tenant takes visitor chats once it has set up its inbound channels (PUT /settings/channels);
    an unknown tenant is 404."""
    if deps.settings.get_settings(req.tenant_id, CHANNELS_SETTING) is None:
        raise NotFound("No such organisation.")
    now = deps.clock.now()
    token = _encode_token(req.tenant_id, secrets.token_urlsafe(32))
    session = ChatSession(
        tenant_id=req.tenant_id,
        id=new_id(now),
        state=ACTIVE,
        started_by=VISITOR,
        created_at=now,
        last_activity_at=now,
        email=req.email,
        name=req.name,
        token_hash=token_digest(token),
    )
    return _create(deps, session, VISITOR, req.email, req.message), token


def _create(
    deps: Deps, session: ChatSession, author_type: str, author_id: str, text: str | None
) -> ChatSession:
    first = None
    if text is not None:
        first = ChatMessage(
            id=new_id(session.created_at),
            session_id=session.id,
            author_type=author_type,
            author_id=author_id,
            author_name=session.name or session.email,
            body=text,
            created_at=session.created_at,
        )
        session = replace(session, message_count=1)
    deps.chats.create(session, first)
    return session


def visitor_caller(session_id: str, token: str | None, deps: Deps) -> ChatCaller:
    """The visitor a session token names, for this session only. No token: 401; a token that does
    not open this session (or whose session ended over an hour ago): 404."""
    if not token:
        raise Unauthorized("A chat session token is required (X-Chat-Token).")
    _check_id(session_id)
    tenant_id = _token_tenant(token.strip())
    if tenant_id is None:
        raise _not_found()
    session = deps.chats.get(tenant_id, session_id)
    if (
        session is None
        or session.token_hash is None
        or not hmac.compare_digest(session.token_hash, token_digest(token.strip()))
    ):
        raise _not_found()
    if session.ended_at is not None and deps.clock.now() > session.ended_at + VISITOR_READ_AFTER_END:
        raise _not_found()
    return ChatCaller(
        tenant_id,
        VISITOR,
        session.email or "",
        f"visitor:{session.email}",
        session_id=session.id,
    )


# --- talking ----------------------------------------------------------------------------------------


def post_message(caller: ChatCaller, session_id: str, body: str, deps: Deps) -> ChatMessage:
    """A message from either side while the session is active. A session already idle for 30
    minutes is ended now (the schedule may not have run yet) and the message refused: 409."""
    caller.require_writer()
    _check_id(session_id)
    for _ in range(MAX_WRITE_ATTEMPTS):
        session = _visible(caller, deps.chats.get(caller.tenant_id, session_id))
        now = deps.clock.now()
        if session.is_active and is_idle(session, now):
            end_session(deps, caller.tenant_id, session_id, actor="schedule", source=IDLE_SOURCE, reason=IDLE)
            session = _visible(caller, deps.chats.get(caller.tenant_id, session_id))
        if not session.is_active:
            raise Conflict(
                "The chat has ended.",
                [{"field": "state", "issue": "ended", "ticket_id": session.ticket_id}],
            )
        if session.message_count >= MAX_MESSAGES:
            raise Conflict(
                f"The chat has {MAX_MESSAGES} messages; end it and continue on its ticket.",
                [{"field": "messages", "issue": "full"}],
            )
        message = ChatMessage(
            id=new_id(now),
            session_id=session.id,
            author_type=caller.kind,
            author_id=caller.id,
            author_name=None if caller.kind == STAFF else (session.name or session.email),
            body=body,
            created_at=now,
        )
        if deps.chats.add_message(session, message):
            return message
        # An end (or the last free slot) won the race: re-read and say which.
    raise ConcurrentUpdate("The chat kept changing; try again.")


def get_chat(caller: ChatCaller, session_id: str, deps: Deps) -> tuple[ChatSession, list[ChatMessage]]:
    _check_id(session_id)
    loaded = deps.chats.load(caller.tenant_id, session_id)
    _visible(caller, loaded[0] if loaded else None)
    assert loaded is not None
    return loaded


def list_chats(principal: Principal, query: ListChatsQuery, deps: Deps) -> Page[ChatSession]:
    """Staff: the tenant's sessions in one state, latest activity first (one index Query)."""
    principal.require_staff()
    scope = scope_of("chats", principal.tenant_id, query.state)
    return deps.chats.list(principal.tenant_id, query.state, query.limit, query.cursor, scope)


# --- ending -----------------------------------------------------------------------------------------


def end_chat(caller: ChatCaller, session_id: str, deps: Deps) -> ChatSession:
    """Either side ends the chat. Ending an ended chat returns it as it is (same ticket)."""
    caller.require_writer()
    _check_id(session_id)
    _visible(caller, deps.chats.get(caller.tenant_id, session_id))
    ended = end_session(
        deps, caller.tenant_id, session_id, actor=caller.id, source=caller.source, reason=caller.kind
    )
    if ended is None:
        raise _not_found()
    return ended


def _owner(deps: Deps, session: ChatSession) -> tuple[str, str | None, str | None]:
    """(client, contact, the client's SLA policy) the ticket belongs to. A customer's come from
    their token; a visitor's contact is found by email, else created under the client whose
    email_domains match, else under the tenant's "Unassigned" client."""
    if session.started_by == CUSTOMER and session.client_id is not None:
        client = deps.directory.get_client(session.tenant_id, session.client_id)
        return session.client_id, session.contact_id, client.sla_policy_id if client else None
    from regentra.services.inbound import contact_for_email

    contact = contact_for_email(deps, session.tenant_id, session.email or "", session.name or "")
    client = deps.directory.get_client(session.tenant_id, contact.client_id)
    return contact.client_id, contact.id, client.sla_policy_id if client else None


def end_session(
    deps: Deps,
    tenant_id: str,
    session_id: str,
    *,
    actor: str,
    source: str,
    reason: str,
    now: datetime | None = None,
) -> ChatSession | None:
    """End a session once and turn its transcript into a CHAT ticket (None: no such session).

    - subject: the first customer-side message (one line, ≤ 200 chars); description: the transcript;
    - the ticket is created as of the session's start, so its SLA response timer counts from when
      the customer started talking; the first staff chat message is its first response (and, as
      a staff reply would, it moves the ticket to IN_PROGRESS);
    - a chat without any customer-side message ends without a ticket;
    - idle (`reason="idle"`): only if still idle at `now`, stamped at its idle moment."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        loaded = deps.chats.load(tenant_id, session_id)
        if loaded is None:
            return None
        session, messages = loaded
        if session.state == ENDED:
            return session  # ended before (by anyone): the same ticket
        at = now or deps.clock.now()
        if reason == IDLE:
            if not is_idle(session, at):
                return session  # a message came in since the index said it was due
            at = session.idle_at
        if len(messages) != session.message_count:
            continue  # read between a message's two writes: read again
        subject = chat_subject(messages)
        if subject is None:
            record = ChatEnded(session.id, at, source, reason, session.message_count)
            if deps.chats.end(tenant_id, record):
                return _ended(session, record)
            continue
        client_id, contact_id, policy_id = _owner(deps, session)
        ticket = build_ticket(
            deps,
            tenant_id,
            client_id,
            policy_id,
            contact_id=contact_id,
            subject=subject,
            description=transcript(session, messages, at, reason),
            priority=Priority.MEDIUM,
            channel=Channel.CHAT,
            now=session.created_at,
            created_by=session.user_id or contact_id,
        )
        activity = [
            Activity(
                at=at,
                actor=actor,
                source=source,
                change={
                    "event": "created",
                    "channel": str(Channel.CHAT),
                    "chat_session_id": session.id,
                    "end_reason": reason,
                },
            )
        ]
        answered = session.first_staff_message_at or first_staff_message_at(messages)
        after = replace(ticket, updated_at=at)
        if answered is not None:
            after = replace(with_status(after, Status.IN_PROGRESS, at), first_response_at=answered)
            activity.append(
                Activity(
                    at=at,
                    actor=actor,
                    source=source,
                    change={
                        "field": "status",
                        "from": "OPEN",
                        "to": "IN_PROGRESS",
                        "why": "answered in chat",
                    },
                )
            )
        after, counters = on_change(ticket, after, at)
        record = ChatEnded(
            session.id, at, source, reason, session.message_count, after.id, client_id, contact_id
        )
        try:
            deps.tickets.insert(after, activity, [record], counters=counters)
        except Conflict:
            continue  # another end won, or a message arrived: read again
        return _ended(session, record)
    raise ConcurrentUpdate("The chat kept changing; try again.")


def _ended(session: ChatSession, r: ChatEnded) -> ChatSession:
    return replace(
        session,
        state=ENDED,
        ended_at=r.ended_at,
        ended_by=r.ended_by,
        end_reason=r.end_reason,
        ticket_id=r.ticket_id,
        client_id=r.client_id or session.client_id,
        contact_id=r.contact_id or session.contact_id,
    )


@dataclass
class IdleChatsResult:
    read: int = 0  # due-index entries read
    ended: int = 0  # sessions this run ended
    tickets: int = 0  # tickets created

    def as_dict(self) -> dict[str, int]:
        return {"read": self.read, "ended": self.ended, "tickets": self.tickets}


def run_end_idle_chats(deps: Deps, now: datetime | None = None) -> IdleChatsResult:
    """Every minute: end the sessions idle for 30 minutes, from the sparse due index only."""
    now = now or deps.clock.now()
    result = IdleChatsResult()
    for tenant_id, session_id in deps.chats.due_idle(now):
        result.read += 1
        before = deps.chats.get(tenant_id, session_id)
        if before is None or not before.is_active:
            continue
        after = end_session(
            deps, tenant_id, session_id, actor="schedule", source=IDLE_SOURCE, reason=IDLE, now=now
        )
        if after is not None and after.state == ENDED and after.ended_by == IDLE_SOURCE:
            result.ended += 1
            result.tickets += 1 if after.ticket_id else 0
    return result
