"""Live chat sessions in the single table: one partition per session (the session item and its
messages), listed by state through ByStatus, idle moments in the sparse DueTimers index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import (
    DUE_SHARDS,
    ChatMessageItem,
    ChatSessionItem,
    Item,
    activity_sort_key,
    chat_list_key,
    chat_pk,
)
from regentra.adapters.dynamo.repository import _condition_failed, _Paged
from regentra.clock import iso
from regentra.domain.chat import (
    ACTIVE,
    DUE_CHAT_IDLE,
    IDLE_AFTER,
    MAX_MESSAGES,
    STAFF,
    ChatEnded,
    ChatMessage,
    ChatSession,
)
from regentra.errors import Conflict
from regentra.services.ports import Page


def _session_item(s: ChatSession) -> ChatSessionItem:
    item = ChatSessionItem(
        tenant_id=s.tenant_id,
        id=s.id,
        state=s.state,
        started_by=s.started_by,
        created_at=s.created_at,
        last_activity_at=s.last_activity_at,
        client_id=s.client_id,
        contact_id=s.contact_id,
        user_id=s.user_id,
        email=s.email,
        name=s.name,
        message_count=s.message_count,
        first_staff_message_at=s.first_staff_message_at,
        token_hash=s.token_hash,
    )
    item.derive_keys()
    item.due_shard, item.due_key = ChatSessionItem.due_attrs(s.tenant_id, s.id, DUE_CHAT_IDLE, s.idle_at)
    item.due_kind = DUE_CHAT_IDLE
    return item


def _session_from(item: ChatSessionItem) -> ChatSession:
    return ChatSession(
        tenant_id=item.tenant_id,
        id=item.id,
        state=item.state,
        started_by=item.started_by,
        created_at=item.created_at,
        last_activity_at=item.last_activity_at,
        client_id=item.client_id,
        contact_id=item.contact_id,
        user_id=item.user_id,
        email=item.email,
        name=item.name,
        message_count=int(item.message_count or 0),
        first_staff_message_at=item.first_staff_message_at,
        ended_at=item.ended_at,
        ended_by=item.ended_by,
        end_reason=item.end_reason,
        ticket_id=item.ticket_id,
        token_hash=item.token_hash,
    )


def _message_item(tenant_id: str, m: ChatMessage) -> ChatMessageItem:
    pk, sk = ChatMessageItem.key(tenant_id, m.session_id, m.id)
    return ChatMessageItem(
        pk=pk,
        sk=sk,
        tenant_id=tenant_id,
        session_id=m.session_id,
        id=m.id,
        author_type=m.author_type,
        author_id=m.author_id,
        author_name=m.author_name,
        body=m.body,
        created_at=m.created_at,
    )


def _message_from(item: ChatMessageItem) -> ChatMessage:
    return ChatMessage(
        id=item.id,
        session_id=item.session_id,
        author_type=item.author_type,
        author_id=item.author_id,
        author_name=item.author_name,
        body=item.body,
        created_at=item.created_at,
    )


class DynamoChatRepository(_Paged):
    def __init__(self) -> None:
        self._conn = ensure_configured()

    def create(self, session: ChatSession, first: ChatMessage | None) -> None:
        item = _session_item(session)
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(item, condition=ChatSessionItem.pk.does_not_exist())
                if first is not None:
                    tx.save(_message_item(session.tenant_id, first))
        except TransactWriteError as exc:
            if _condition_failed(exc):
                raise Conflict(f"chat session {session.id} already exists") from exc
            raise

    def get(self, tenant_id: str, session_id: str) -> ChatSession | None:
        try:
            return _session_from(
                ChatSessionItem.get(*ChatSessionItem.key(tenant_id, session_id), consistent_read=True)
            )
        except ChatSessionItem.DoesNotExist:
            return None

    def load(self, tenant_id: str, session_id: str) -> tuple[ChatSession, list[ChatMessage]] | None:
        """The session and its messages, oldest first: one Query of its partition."""
        session: ChatSession | None = None
        messages: list[ChatMessage] = []
        for item in Item.query(chat_pk(tenant_id, session_id), consistent_read=True):
            if isinstance(item, ChatSessionItem):
                session = _session_from(item)
            elif isinstance(item, ChatMessageItem):
                messages.append(_message_from(item))
        return (session, messages) if session is not None else None

    def add_message(self, session: ChatSession, message: ChatMessage) -> bool:
        """The message and the session's new idle moment, in one transaction, only while the
        session is active (an end that won the race refuses it) and below MAX_MESSAGES."""
        pk, sk = ChatSessionItem.key(session.tenant_id, session.id)
        at = message.created_at
        shard, due_key = ChatSessionItem.due_attrs(
            session.tenant_id, session.id, DUE_CHAT_IDLE, at + IDLE_AFTER
        )
        actions: list[Action] = [
            ChatSessionItem.last_activity_at.set(at),
            ChatSessionItem.activity_key.set(activity_sort_key(iso(at) or "", session.id)),
            ChatSessionItem.message_count.add(1),
            ChatSessionItem.due_shard.set(shard),
            ChatSessionItem.due_key.set(due_key),
        ]
        if message.author_type == STAFF:
            actions.append(
                ChatSessionItem.first_staff_message_at.set(ChatSessionItem.first_staff_message_at | at)
            )
        condition = (ChatSessionItem.state == ACTIVE) & (ChatSessionItem.message_count < MAX_MESSAGES)
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.update(ChatSessionItem(pk=pk, sk=sk), actions=actions, condition=condition)
                tx.save(
                    _message_item(session.tenant_id, message), condition=ChatMessageItem.pk.does_not_exist()
                )
        except TransactWriteError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def end(self, tenant_id: str, ended: ChatEnded) -> bool:
        item, actions, condition = ChatSessionItem.end_update(tenant_id, ended)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def list(
        self, tenant_id: str, state: str, limit: int, cursor: str | None, scope: str
    ) -> Page[ChatSession]:
        items, nxt = self._page(
            ChatSessionItem.by_state.query,
            chat_list_key(tenant_id, state),
            limit=limit,
            cursor=cursor,
            scope=scope,
            key_attrs=("PK", "SK", "status_key", "activity_key"),
        )
        return Page([_session_from(i) for i in items], nxt)

    def due_idle(self, now: datetime, page_size: int = 100) -> Iterator[tuple[str, str]]:
        """(tenant, session id) of every active session idle at or before `now`, from the sparse
        due index (kind chat_idle), shard by shard: the cost grows with what is due."""
        bound = f"{iso(now)}~"
        for n in range(DUE_SHARDS):
            for item in ChatSessionItem.due_timers.query(
                f"{DUE_CHAT_IDLE}#{n}",
                range_key_condition=ChatSessionItem.due_key <= bound,
                page_size=page_size,
            ):
                yield item.tenant_id, item.id
