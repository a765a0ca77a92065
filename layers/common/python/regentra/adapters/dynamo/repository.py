"""DynamoDB implementations of the repositories. Every AWS error is turned into a domain
error here (a failed condition becomes ConcurrentUpdate / Conflict), nowhere else."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import (
    DUE_SHARDS,
    ActivityItem,
    AttachmentItem,
    ChatSessionItem,
    ClientItem,
    ContactItem,
    CounterItem,
    EventItem,
    Item,
    LinkItem,
    LookupItem,
    NoteItem,
    ReplyItem,
    SettingsItem,
    SlaStatsItem,
    TicketItem,
    TimeEntryItem,
    TimeStatsItem,
    ticket_pk,
)
from regentra.clock import iso
from regentra.config import get_settings
from regentra.cursors import decode_cursor, encode_cursor
from regentra.domain.chat import ChatEnded
from regentra.domain.conversation import (
    ActivityOn,
    Attachment,
    MessageLink,
    Note,
    OnceMarker,
    Pointer,
    Reply,
    TicketLink,
    TimeCounter,
    TimeEntry,
)
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.events import ticket_created
from regentra.domain.ids import new_id
from regentra.domain.priority import PriorityChange, check_priority_write
from regentra.domain.sla import CounterDelta
from regentra.domain.tickets import Activity, DomainEvent, Ticket, next_due
from regentra.errors import ConcurrentUpdate, Conflict, Forbidden
from regentra.services.ports import Client, Contact, Page, TicketDetail, TicketFilter

M = TypeVar("M", bound=Item)


def _condition_failed(exc: Exception) -> bool:
    code = getattr(exc, "cause_response_code", None)
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


def _cancel_reasons(exc: TransactWriteError) -> list[str | None]:
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [r.code if r is not None else None for r in reasons]


# --- tickets -------------------------------------------------------------------------------------


def ticket_to_item(ticket: Ticket) -> TicketItem:
    item = TicketItem(
        tenant_id=ticket.tenant_id,
        id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        description=ticket.description,
        status=str(ticket.status),
        priority=str(ticket.priority),
        suggested_priority=str(ticket.suggested_priority) if ticket.suggested_priority else None,
        channel=str(ticket.channel),
        client_id=ticket.client_id,
        contact_id=ticket.contact_id,
        assignee_id=ticket.assignee_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        is_master=ticket.is_master,
        master_id=ticket.master_id,
        child_count=ticket.child_count,
        follow_up_of=ticket.follow_up_of,
        created_by=ticket.created_by,
        billable_minutes=ticket.billable_minutes,
        non_billable_minutes=ticket.non_billable_minutes,
        sla=ticket.sla,
        analysis=ticket.analysis,
        ai_stamp=_ai_stamp(ticket),
        tags=list(ticket.tags) or None,
    )
    if ticket.version:
        item.version = ticket.version
    item.derive_keys()
    item.set_due(next_due(ticket))
    return item


def _ai_stamp(ticket: Ticket) -> str | None:
    stamp = (ticket.analysis or {}).get("run_id")
    return str(stamp) if stamp else None


def _same_ai_stamp(ticket: Ticket) -> Condition:
    """The AI fields are as `ticket` read them (they change without a version bump)."""
    stamp = _ai_stamp(ticket)
    return TicketItem.ai_stamp == stamp if stamp else TicketItem.ai_stamp.does_not_exist()


def item_to_ticket(item: TicketItem) -> Ticket:
    return Ticket(
        tenant_id=item.tenant_id,
        id=item.id,
        number=int(item.number),
        subject=item.subject,
        description=item.description or "",
        status=Status(item.status),
        priority=Priority(item.priority),
        suggested_priority=Priority(item.suggested_priority) if item.suggested_priority else None,
        channel=Channel(item.channel),
        client_id=item.client_id,
        contact_id=item.contact_id,
        assignee_id=item.assignee_id,
        created_at=item.created_at,
        updated_at=item.updated_at,
        first_response_at=item.first_response_at,
        resolved_at=item.resolved_at,
        closed_at=item.closed_at,
        is_master=bool(item.is_master),
        master_id=item.master_id,
        child_count=int(item.child_count or 0),
        follow_up_of=item.follow_up_of,
        created_by=item.created_by,
        billable_minutes=int(item.billable_minutes or 0),
        non_billable_minutes=int(item.non_billable_minutes or 0),
        sla=item.sla,
        analysis=item.analysis,
        tags=tuple(str(t) for t in item.tags or ()),
        version=int(item.version or 0),
    )


def _activity_items(
    tenant_id: str, ticket_id: str, version: int, activity: list[Activity]
) -> list[ActivityItem]:
    # The ticket version written with the entries orders them, even within one millisecond.
    return [
        ActivityItem.for_ticket(
            tenant_id,
            ticket_id,
            f"{version:010d}.{i:03d}",
            at=a.at,
            actor=a.actor,
            source=a.source,
            change=a.change,
        )
        for i, a in enumerate(activity)
    ]


Record = (
    Reply
    | Note
    | TimeEntry
    | TicketLink
    | ActivityOn
    | TimeCounter
    | MessageLink
    | OnceMarker
    | Pointer
    | Attachment
    | ChatEnded
)


def _record_items(
    tenant_id: str, client_id: str, records: list[Record]
) -> list[tuple[Item, list[Any] | None]]:
    """Items to put (actions None) or counters to add (actions) for each record of a write."""
    out: list[tuple[Item, list[Any] | None]] = []
    for r in records:
        if isinstance(r, Attachment):
            apk, ask = AttachmentItem.item_key(tenant_id, r.ticket_id, r.id)
            out.append(
                (
                    AttachmentItem(
                        pk=apk,
                        sk=ask,
                        ticket_id=r.ticket_id,
                        id=r.id,
                        filename=r.filename,
                        content_type=r.content_type,
                        size=r.size,
                        key=r.key,
                        state=r.state,
                        uploaded_by=r.uploaded_by,
                        created_at=r.created_at,
                    ),
                    None,
                )
            )
            continue
        if isinstance(r, MessageLink):
            lpk, lsk = LookupItem.message_id_key(tenant_id, r.message_id)
            out.append((LookupItem(pk=lpk, sk=lsk, target=r.ticket_id, tenant_id=tenant_id), None))
            continue
        if isinstance(r, OnceMarker | Pointer):
            pk, sk = LookupItem.named_key(tenant_id, r.name)
            target = r.target if isinstance(r, Pointer) else "1"
            out.append((LookupItem(pk=pk, sk=sk, target=target, tenant_id=tenant_id), None))
            continue
        if isinstance(r, Reply):
            pk, sk = ReplyItem.key(tenant_id, r.ticket_id, r.id)
            out.append(
                (
                    ReplyItem(
                        pk=pk,
                        sk=sk,
                        tenant_id=tenant_id,
                        ticket_id=r.ticket_id,
                        id=r.id,
                        author_type=r.author_type,
                        author_id=r.author_id,
                        body=r.body,
                        channel=str(r.channel),
                        created_at=r.created_at,
                        message_id=r.message_id,
                        in_reply_to=r.in_reply_to,
                        delivery=r.delivery or None,
                        delivery_state=(r.delivery or {}).get("state"),
                        attachments=list(r.attachments) or None,
                        source=r.source,
                    ),
                    None,
                )
            )
            if r.message_id:
                lpk, lsk = LookupItem.message_id_key(tenant_id, r.message_id)
                out.append((LookupItem(pk=lpk, sk=lsk, target=r.ticket_id, tenant_id=tenant_id), None))
        elif isinstance(r, Note):
            out.append(
                (
                    NoteItem(
                        pk=ticket_pk(tenant_id, r.ticket_id),
                        sk=f"NOTE#{r.id}",
                        ticket_id=r.ticket_id,
                        id=r.id,
                        author_id=r.author_id,
                        body=r.body,
                        created_at=r.created_at,
                        source=r.source,
                    ),
                    None,
                )
            )
        elif isinstance(r, TimeEntry):
            out.append(
                (
                    TimeEntryItem(
                        pk=ticket_pk(tenant_id, r.ticket_id),
                        sk=f"TIME#{r.id}",
                        ticket_id=r.ticket_id,
                        id=r.id,
                        technician_id=r.technician_id,
                        minutes=r.minutes,
                        billable=r.billable,
                        work_date=r.work_date.isoformat(),
                        created_at=r.created_at,
                        note=r.note,
                    ),
                    None,
                )
            )
        elif isinstance(r, TicketLink):
            out.append(
                (
                    LinkItem(
                        pk=ticket_pk(tenant_id, r.ticket_id),
                        sk=f"LINK#{r.link_type}#{r.other_id}",
                        link_type=r.link_type,
                        other_id=r.other_id,
                        at=r.at,
                    ),
                    None,
                )
            )
        elif isinstance(r, ActivityOn):
            out.append(
                (
                    ActivityItem.for_ticket(
                        tenant_id,
                        r.ticket_id,
                        f"{new_id(r.at)}",
                        at=r.at,
                        actor=r.actor,
                        source=r.source,
                        change=r.change,
                    ),
                    None,
                )
            )
        elif isinstance(r, TimeCounter):
            stats = TimeStatsItem(
                pk=TimeStatsItem.partition(tenant_id),
                sk=TimeStatsItem.sort_key(r.work_date.isoformat(), client_id, r.technician_id),
            )
            field = TimeStatsItem.billable_minutes if r.billable else TimeStatsItem.non_billable_minutes
            out.append((stats, [field.add(r.minutes), TimeStatsItem.kind.set(TimeStatsItem)]))
    return out


def _write_records(tx: TransactWrite, tenant_id: str, client_id: str, records: list[Record]) -> None:
    once = {LookupItem.named_key(tenant_id, r.name) for r in records if isinstance(r, OnceMarker)}
    for item, actions in _record_items(tenant_id, client_id, records):
        if actions is not None:
            tx.update(item, actions=actions)
        elif (item.pk, item.sk) in once:
            tx.save(item, condition=LookupItem.pk.does_not_exist())
        else:
            tx.save(item)
    for r in records:
        if isinstance(r, ChatEnded):  # the chat session ends in the transaction creating its ticket
            session, session_actions, condition = ChatSessionItem.end_update(tenant_id, r)
            tx.update(session, actions=session_actions, condition=condition)


def _item_to_attachment(item: AttachmentItem) -> Attachment:
    return Attachment(
        id=item.id,
        ticket_id=item.ticket_id,
        filename=item.filename,
        content_type=item.content_type,
        size=int(item.size),
        key=item.key,
        state=item.state,
        uploaded_by=item.uploaded_by,
        created_at=item.created_at,
    )


def _write_events(tx: TransactWrite, ticket: Ticket, events: list[DomainEvent]) -> None:
    """Outbox items, each once (its key is the event's dedupe key); the stream publishes them."""
    for ev in events:
        ev_item = EventItem.for_ticket(ticket.tenant_id, ticket.id, ev.key)
        ev_item.type, ev_item.at, ev_item.detail = ev.type, ev.at, ev.detail
        tx.save(ev_item, condition=EventItem.pk.does_not_exist())


def _item_to_reply(item: ReplyItem) -> Reply:
    return Reply(
        id=item.id,
        ticket_id=item.ticket_id,
        author_type=item.author_type,
        author_id=item.author_id,
        body=item.body,
        channel=Channel(item.channel),
        created_at=item.created_at,
        message_id=item.message_id,
        in_reply_to=item.in_reply_to,
        delivery=dict(item.delivery or {}),
        attachments=tuple(item.attachments or ()),
        source=item.source,
    )


def _item_to_activity(item: ActivityItem) -> Activity:
    return Activity(at=item.at, actor=item.actor, source=item.source, change=item.change)


def _counter_updates(tenant_id: str, counters: list[CounterDelta]) -> list[tuple[SlaStatsItem, list[Any]]]:
    """One ADD update per counter item (a transaction may touch an item only once)."""
    merged: dict[str, dict[str, float]] = {}
    for c in counters:
        key = SlaStatsItem.sort_key(c.day, c.client_id, c.priority)
        merged.setdefault(key, {})
        merged[key][c.field] = merged[key].get(c.field, 0) + c.amount
    out = []
    for sk, fields in merged.items():
        stats = SlaStatsItem(pk=SlaStatsItem.partition(tenant_id), sk=sk)
        actions = [getattr(SlaStatsItem, f).add(v) for f, v in sorted(fields.items()) if v]
        if actions:
            out.append((stats, [*actions, SlaStatsItem.kind.set(SlaStatsItem)]))
    return out


class _Paged:
    """Query a partition (or an index) newest first, `limit` items a page, with a signed cursor."""

    def _page(
        self,
        query: Any,
        hash_key: str,
        *,
        limit: int,
        cursor: str | None,
        scope: str,
        key_attrs: tuple[str, ...],
        filter_condition: Condition | None = None,
        newest_first: bool = True,
        range_key_condition: Condition | None = None,
    ) -> tuple[list[Any], str | None]:
        secret = get_settings().cursor_secret
        start = decode_cursor(secret, scope, cursor) if cursor else None
        results: Iterator[Any] = query(
            hash_key,
            range_key_condition=range_key_condition,
            filter_condition=filter_condition,
            scan_index_forward=not newest_first,
            last_evaluated_key=start,
            page_size=limit + 1,  # one more than asked tells whether there is a next page
        )
        items: list[Any] = []
        for item in results:
            if len(items) == limit:
                # There is at least one more: the cursor points after the last item returned.
                last = items[-1]
                position = {a: {"S": getattr(last, _python_name(type(last), a))} for a in key_attrs}
                return items, encode_cursor(secret, scope, position)
            items.append(item)
        return items, None


def _python_name(model: type[Item], attr_name: str) -> str:
    for name, attr in model.get_attributes().items():
        if attr.attr_name == attr_name:
            return name
    raise KeyError(attr_name)


def ticket_list_plan(tenant_id: str, flt: TicketFilter) -> tuple[Any, str, str, Condition | None]:
    """How a ticket list is read: (index, its hash key, its key attribute, filter expression).
    The most selective index carries the key; every other filter becomes a filter expression.
    Shared by the list, the board's counts and the SLA-filtered list (adapters/dynamo/ticket_lists.py)."""
    prefix = f"T#{tenant_id}"
    conditions: list[Condition] = []
    statuses = [str(s) for s in flt.statuses]
    if flt.assignee_id:
        index: Any = TicketItem.by_assignee
        hash_key, key_attr = f"{prefix}#A#{flt.assignee_id}", "assignee_key"
    elif flt.client_id:
        index, hash_key, key_attr = TicketItem.by_client, f"{prefix}#C#{flt.client_id}", "client_key"
    elif len(statuses) == 1:
        index, hash_key, key_attr = TicketItem.by_status, f"{prefix}#S#{statuses[0]}", "status_key"
    else:
        index, hash_key, key_attr = TicketItem.by_tenant, prefix, "tenant_key"
    if flt.assignee_id and flt.client_id:
        conditions.append(TicketItem.client_id == flt.client_id)
    if statuses and key_attr != "status_key":
        conditions.append(TicketItem.status.is_in(*statuses))
    if flt.priority:
        conditions.append(TicketItem.priority == str(flt.priority))
    if flt.channel:
        conditions.append(TicketItem.channel == str(flt.channel))
    if flt.created_from:
        conditions.append(TicketItem.created_at >= flt.created_from)
    if flt.created_to:
        conditions.append(TicketItem.created_at <= flt.created_to)
    condition: Condition | None = None
    for c in conditions:
        condition = c if condition is None else condition & c
    return index, hash_key, key_attr, condition


class DynamoTicketRepository(_Paged):
    def __init__(self) -> None:
        self._conn = ensure_configured()

    def next_ticket_number(self, tenant_id: str) -> int:
        counter = CounterItem.ticket_number(tenant_id)
        counter.update(actions=[CounterItem.value.add(1)])
        return int(counter.value)

    def insert(
        self,
        ticket: Ticket,
        activity: list[Activity],
        records: list[Record] | None = None,
        *,
        counters: list[CounterDelta] | None = None,
        events: list[DomainEvent] | None = None,
    ) -> Ticket:
        """Write a new ticket. Every insert announces it: a TicketCreated outbox event (from the
        ticket and its first activity entry) is written with it, besides any `events` given."""
        item = ticket_to_item(replace(ticket, version=0))
        source = activity[0].source if activity else "system"
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(item, condition=TicketItem.pk.does_not_exist())
                npk, nsk = LookupItem.named_key(ticket.tenant_id, f"TICKET_NUMBER#{ticket.number}")
                tx.save(LookupItem(pk=npk, sk=nsk, target=ticket.id, tenant_id=ticket.tenant_id))
                for act in _activity_items(ticket.tenant_id, ticket.id, 1, activity):
                    tx.save(act)
                _write_events(tx, ticket, [ticket_created(ticket, source), *(events or [])])
                _write_records(tx, ticket.tenant_id, ticket.client_id, records or [])
                for stats, actions in _counter_updates(ticket.tenant_id, counters or []):
                    tx.update(stats, actions=actions)
        except TransactWriteError as exc:
            if _condition_failed(exc):
                raise Conflict(f"ticket {ticket.id} already exists") from exc
            raise
        return replace(ticket, version=int(item.version))

    def get(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        try:
            item = TicketItem.get(ticket_pk(tenant_id, ticket_id), "TICKET", consistent_read=True)
        except TicketItem.DoesNotExist:
            return None
        return item_to_ticket(item)

    def save(
        self,
        ticket: Ticket,
        activity: list[Activity],
        *,
        events: list[DomainEvent] | None = None,
        counters: list[CounterDelta] | None = None,
        records: list[Record] | None = None,
        priority_change: PriorityChange | None = None,
    ) -> Ticket:
        """Write `ticket` if the stored version is still `ticket.version`, with its activity,
        outbox events, report counters and conversation records in one transaction.

        Priority has one guarded path: the write keeps the stored priority, or it carries a
        `priority_change` that `decide_priority` allows (and is conditioned on the priority read)."""
        item = ticket_to_item(ticket)  # pynamodb conditions the write on item.version == ticket.version
        events, counters, records = events or [], counters or [], records or []
        before = priority_change.before if priority_change is not None else ticket.priority
        check_priority_write(before, ticket.priority, priority_change)
        # Also conditioned on the AI fields read, so a write never drops a newer analysis.
        unchanged_priority = (TicketItem.priority == str(before)) & _same_ai_stamp(ticket)
        try:
            if activity or events or counters or records:
                with TransactWrite(connection=self._conn) as tx:
                    tx.save(item, condition=unchanged_priority)
                    for act in _activity_items(ticket.tenant_id, ticket.id, ticket.version + 1, activity):
                        tx.save(act)
                    _write_events(tx, ticket, events)
                    for stats, actions in _counter_updates(ticket.tenant_id, counters):
                        tx.update(stats, actions=actions)
                    _write_records(tx, ticket.tenant_id, ticket.client_id, records)
            else:
                item.save(condition=unchanged_priority)
        except (TransactWriteError, PutError) as exc:
            if _condition_failed(exc):
                stored = self.get(ticket.tenant_id, ticket.id)
                if stored is not None and stored.version == ticket.version and stored.priority != before:
                    # Not a race: the caller wrote a priority it did not read (no guarded change).
                    raise Forbidden("priority changes only through the guarded path") from exc
                raise ConcurrentUpdate(f"ticket {ticket.id} changed since version {ticket.version}") from exc
            raise
        return replace(ticket, version=int(item.version))

    def save_analysis(self, ticket: Ticket, analysis: dict[str, Any], suggested: Priority) -> bool:
        """Write the AI analyzer's fields (analysis, suggested_priority) on the ticket as `ticket`
        read them — advice, not an edit, so the version (the staff's If-Match) does not move. Never
        touches `priority`. False when another analysis landed first (re-read and retry)."""
        stamp = str(analysis["run_id"])
        pk = ticket_pk(ticket.tenant_id, ticket.id)
        try:
            TicketItem._get_connection().update_item(
                pk,
                range_key="TICKET",
                actions=[
                    TicketItem.analysis.set(analysis),
                    TicketItem.suggested_priority.set(str(suggested)),
                    TicketItem.ai_stamp.set(stamp),
                ],
                condition=TicketItem.pk.exists() & _same_ai_stamp(ticket),
            )
        except UpdateError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def due(self, kind: str, now: datetime, page_size: int = 100) -> Iterator[tuple[str, str]]:
        """(tenant, ticket id) of every ticket whose `kind` moment is at or before `now`,
        read from the sparse due index shard by shard: the cost grows with what is due."""
        bound = f"{iso(now)}~"  # '~' sorts after the '#tenant#id' suffix of any key at `now`
        for n in range(DUE_SHARDS):
            for item in TicketItem.due_timers.query(
                f"{kind}#{n}", range_key_condition=TicketItem.due_key <= bound, page_size=page_size
            ):
                yield item.tenant_id, item.id

    def sla_stats(
        self, tenant_id: str, first_day: str, last_day: str
    ) -> Iterator[tuple[str, str, str, dict[str, float]]]:
        """(day, client, priority, counters) for the days in [first_day, last_day]: one Query."""
        for item in SlaStatsItem.query(
            SlaStatsItem.partition(tenant_id),
            range_key_condition=SlaStatsItem.sk.between(first_day, last_day + "~"),
        ):
            day, _, client, _, priority = item.sk.split("#", 4)
            yield day, client, priority, {f: float(getattr(item, f) or 0) for f in SlaStatsItem.FIELDS}

    def list(
        self, tenant_id: str, flt: TicketFilter, limit: int, cursor: str | None, scope: str
    ) -> Page[Ticket]:
        index, hash_key, key_attr, condition = ticket_list_plan(tenant_id, flt)
        items, next_cursor = self._page(
            index.query,
            hash_key,
            limit=limit,
            cursor=cursor,
            scope=scope,
            key_attrs=("PK", "SK", key_attr, "activity_key"),
            filter_condition=condition,
        )
        return Page([item_to_ticket(i) for i in items], next_cursor)

    def detail(self, tenant_id: str, ticket_id: str) -> TicketDetail | None:
        """The ticket and everything on its page: one Query of its partition."""
        ticket: Ticket | None = None
        detail = TicketDetail(ticket=None)  # type: ignore[arg-type]
        for item in Item.query(ticket_pk(tenant_id, ticket_id), consistent_read=True):
            if isinstance(item, TicketItem):
                ticket = item_to_ticket(item)
            elif isinstance(item, ActivityItem):
                detail.activity.append(_item_to_activity(item))
            elif isinstance(item, ReplyItem):
                detail.replies.append(_item_to_reply(item))
            elif isinstance(item, NoteItem):
                detail.notes.append(
                    Note(
                        id=item.id,
                        ticket_id=item.ticket_id,
                        author_id=item.author_id,
                        body=item.body,
                        created_at=item.created_at,
                        source=item.source,
                    )
                )
            elif isinstance(item, TimeEntryItem):
                detail.time_entries.append(
                    TimeEntry(
                        id=item.id,
                        ticket_id=item.ticket_id,
                        technician_id=item.technician_id,
                        minutes=int(item.minutes),
                        billable=bool(item.billable),
                        work_date=date.fromisoformat(item.work_date),
                        created_at=item.created_at,
                        note=item.note,
                    )
                )
            elif isinstance(item, AttachmentItem):
                detail.attachments.append(_item_to_attachment(item))
            elif isinstance(item, LinkItem):
                detail.links.append(
                    TicketLink(
                        ticket_id=ticket_id, link_type=item.link_type, other_id=item.other_id, at=item.at
                    )
                )
        if ticket is None:
            return None
        return replace(detail, ticket=ticket)

    def get_reply(self, tenant_id: str, ticket_id: str, reply_id: str) -> Reply | None:
        try:
            return _item_to_reply(
                ReplyItem.get(*ReplyItem.key(tenant_id, ticket_id, reply_id), consistent_read=True)
            )
        except ReplyItem.DoesNotExist:
            return None

    def update_delivery(
        self,
        tenant_id: str,
        ticket_id: str,
        reply_id: str,
        delivery: dict[str, Any],
        expected_state: Sequence[str],
    ) -> bool:
        """Replace a reply's delivery if its state is still one of `expected_state` (a claim, a
        release, a 'sent'): two senders can never both own one reply."""
        pk, sk = ReplyItem.key(tenant_id, ticket_id, reply_id)
        item = ReplyItem(pk=pk, sk=sk)
        try:
            item.update(
                actions=[ReplyItem.delivery.set(delivery), ReplyItem.delivery_state.set(delivery["state"])],
                condition=ReplyItem.pk.exists() & ReplyItem.delivery_state.is_in(*expected_state),
            )
        except UpdateError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def get_attachment(self, tenant_id: str, ticket_id: str, attachment_id: str) -> Attachment | None:
        try:
            return _item_to_attachment(
                AttachmentItem.get(
                    *AttachmentItem.item_key(tenant_id, ticket_id, attachment_id), consistent_read=True
                )
            )
        except AttachmentItem.DoesNotExist:
            return None

    def mark_attachment_uploaded(self, tenant_id: str, ticket_id: str, attachment_id: str, size: int) -> bool:
        """pending -> uploaded (idempotent: an S3 event delivered twice changes nothing more)."""
        pk, sk = AttachmentItem.item_key(tenant_id, ticket_id, attachment_id)
        try:
            AttachmentItem(pk=pk, sk=sk).update(
                actions=[AttachmentItem.state.set("uploaded"), AttachmentItem.size.set(size)],
                condition=AttachmentItem.pk.exists(),
            )
        except UpdateError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def lookup(self, tenant_id: str, name: str) -> str | None:
        """A named pointer or marker (TICKET_NUMBER#<n>, SMS_THREAD#<phone>, SMS_OPT_OUT#<phone>, ...)."""
        try:
            return str(LookupItem.get(*LookupItem.named_key(tenant_id, name), consistent_read=True).target)
        except LookupItem.DoesNotExist:
            return None

    def put_lookup(self, tenant_id: str, name: str, target: str, *, only_if_absent: bool = False) -> bool:
        pk, sk = LookupItem.named_key(tenant_id, name)
        try:
            LookupItem(pk=pk, sk=sk, target=target, tenant_id=tenant_id).save(
                condition=LookupItem.pk.does_not_exist() if only_if_absent else None
            )
        except PutError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def ticket_for_message_id(self, tenant_id: str, message_id: str) -> str | None:
        try:
            return str(
                LookupItem.get(*LookupItem.message_id_key(tenant_id, message_id), consistent_read=True).target
            )
        except LookupItem.DoesNotExist:
            return None

    def time_stats(
        self, tenant_id: str, first_day: str, last_day: str
    ) -> Iterator[tuple[str, str, str, int, int]]:
        """(work date, client, technician, billable, non-billable minutes) for the days asked: one Query."""
        for item in TimeStatsItem.query(
            TimeStatsItem.partition(tenant_id),
            range_key_condition=TimeStatsItem.sk.between(first_day, last_day + "~"),
        ):
            day, _, client, _, tech = item.sk.split("#", 4)
            yield day, client, tech, int(item.billable_minutes or 0), int(item.non_billable_minutes or 0)


# --- clients and contacts --------------------------------------------------------------------------


def _client_from(item: ClientItem) -> Client:
    return Client(
        tenant_id=item.tenant_id,
        id=item.id,
        name=item.name,
        vip=bool(item.vip),
        email_domains=tuple(str(d) for d in item.email_domains or ()),
        sla_policy_id=item.sla_policy_id,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def _client_item(client: Client) -> ClientItem:
    item = ClientItem(
        tenant_id=client.tenant_id,
        id=client.id,
        name=client.name,
        vip=client.vip,
        email_domains=list(client.email_domains),
        sla_policy_id=client.sla_policy_id,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )
    if client.version:
        item.version = client.version
    item.derive_keys()
    return item


def _contact_from(item: ContactItem) -> Contact:
    return Contact(
        tenant_id=item.tenant_id,
        id=item.id,
        client_id=item.client_id,
        name=item.name,
        email=item.email,
        phone=item.phone,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def _contact_item(contact: Contact) -> ContactItem:
    item = ContactItem(
        tenant_id=contact.tenant_id,
        id=contact.id,
        client_id=contact.client_id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
    )
    if contact.version:
        item.version = contact.version
    item.derive_keys()
    return item


def _lookup_items(contact: Contact) -> list[LookupItem]:
    out = []
    if contact.email:
        pk, sk = LookupItem.contact_email_key(contact.tenant_id, contact.email)
        out.append(LookupItem(pk=pk, sk=sk, target=contact.id, tenant_id=contact.tenant_id))
    if contact.phone:
        pk, sk = LookupItem.contact_phone_key(contact.tenant_id, contact.phone)
        out.append(LookupItem(pk=pk, sk=sk, target=contact.id, tenant_id=contact.tenant_id))
    return out


class DynamoDirectoryRepository(_Paged):
    def __init__(self) -> None:
        self._conn = ensure_configured()

    def insert_client(self, client: Client) -> Client:
        item = _client_item(replace(client, version=0))
        try:
            item.save(condition=ClientItem.pk.does_not_exist())
        except PutError as exc:
            if _condition_failed(exc):
                raise Conflict(f"client {client.id} already exists") from exc
            raise
        return replace(client, version=int(item.version))

    def get_client(self, tenant_id: str, client_id: str) -> Client | None:
        try:
            return _client_from(ClientItem.get(*ClientItem.key(tenant_id, client_id), consistent_read=True))
        except ClientItem.DoesNotExist:
            return None

    def save_client(self, client: Client) -> Client:
        item = _client_item(client)
        try:
            item.save()
        except PutError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate(f"client {client.id} changed") from exc
            raise
        return replace(client, version=int(item.version))

    def list_clients(self, tenant_id: str, limit: int, cursor: str | None, scope: str) -> Page[Client]:
        pk, _ = ClientItem.key(tenant_id, "")
        items, nxt = self._page(
            ClientItem.query,
            pk,
            limit=limit,
            cursor=cursor,
            scope=scope,
            key_attrs=("PK", "SK"),
            newest_first=False,
            range_key_condition=ClientItem.sk.startswith("CLIENT#"),
        )
        return Page([_client_from(i) for i in items], nxt)

    def insert_contact(self, contact: Contact) -> Contact:
        item = _contact_item(replace(contact, version=0))
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(item, condition=ContactItem.pk.does_not_exist())
                for lookup in _lookup_items(contact):
                    tx.save(lookup, condition=LookupItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if _condition_failed(exc):
                raise Conflict(
                    "Another contact already has this email or phone.",
                    [{"field": "email/phone", "issue": "already used by another contact"}],
                ) from exc
            raise
        return replace(contact, version=int(item.version))

    def get_contact(self, tenant_id: str, contact_id: str) -> Contact | None:
        try:
            return _contact_from(
                ContactItem.get(*ContactItem.key(tenant_id, contact_id), consistent_read=True)
            )
        except ContactItem.DoesNotExist:
            return None

    def save_contact(self, contact: Contact, previous: Contact) -> Contact:
        item = _contact_item(contact)
        new_lookups = {(lk.pk, lk.sk): lk for lk in _lookup_items(contact)}
        old_lookups = {(lk.pk, lk.sk): lk for lk in _lookup_items(previous)}
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(item)
                for key, lookup in new_lookups.items():
                    if key not in old_lookups:
                        tx.save(lookup, condition=LookupItem.pk.does_not_exist())
                for key, lookup in old_lookups.items():
                    if key not in new_lookups:
                        tx.delete(lookup, condition=LookupItem.target == previous.id)
        except TransactWriteError as exc:
            reasons = _cancel_reasons(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ConcurrentUpdate(f"contact {contact.id} changed") from exc
            if _condition_failed(exc):
                raise Conflict(
                    "Another contact already has this email or phone.",
                    [{"field": "email/phone", "issue": "already used by another contact"}],
                ) from exc
            raise
        return replace(contact, version=int(item.version))

    def list_contacts(
        self, tenant_id: str, client_id: str | None, limit: int, cursor: str | None, scope: str
    ) -> Page[Contact]:
        pk, _ = ContactItem.key(tenant_id, "")
        items, nxt = self._page(
            ContactItem.query,
            pk,
            limit=limit,
            cursor=cursor,
            scope=scope,
            key_attrs=("PK", "SK"),
            newest_first=False,
            range_key_condition=ContactItem.sk.startswith("CONTACT#"),
            filter_condition=(ContactItem.client_id == client_id) if client_id else None,
        )
        return Page([_contact_from(i) for i in items], nxt)

    def client_uses_policy(self, tenant_id: str, policy_id: str) -> bool:
        """Whether any client of the tenant is assigned this SLA policy (one Query of its clients)."""
        pk, _ = ClientItem.key(tenant_id, "")
        for _ in ClientItem.query(
            pk,
            range_key_condition=ClientItem.sk.startswith("CLIENT#"),
            filter_condition=ClientItem.sla_policy_id == policy_id,
            limit=1,
        ):
            return True
        return False

    def contact_by_phone(self, tenant_id: str, phone: str) -> Contact | None:
        try:
            lookup = LookupItem.get(*LookupItem.contact_phone_key(tenant_id, phone), consistent_read=True)
        except LookupItem.DoesNotExist:
            return None
        return self.get_contact(tenant_id, lookup.target)

    def client_for_email_domain(self, tenant_id: str, domain: str) -> Client | None:
        """The client whose email_domains include `domain` (one Query of the tenant's clients)."""
        pk, _ = ClientItem.key(tenant_id, "")
        for item in ClientItem.query(
            pk,
            range_key_condition=ClientItem.sk.startswith("CLIENT#"),
            filter_condition=ClientItem.email_domains.contains(domain.lower()),
        ):
            return _client_from(item)
        return None

    def contact_by_email(self, tenant_id: str, email: str) -> Contact | None:
        try:
            lookup = LookupItem.get(*LookupItem.contact_email_key(tenant_id, email), consistent_read=True)
        except LookupItem.DoesNotExist:
            return None
        return self.get_contact(tenant_id, lookup.target)


# --- settings --------------------------------------------------------------------------------------


class DynamoSettingsRepository:
    def __init__(self) -> None:
        self._conn = ensure_configured()

    def get_settings(self, tenant_id: str, name: str) -> dict[str, Any] | None:
        try:
            return dict(SettingsItem.get(*SettingsItem.key(tenant_id, name), consistent_read=True).body)
        except SettingsItem.DoesNotExist:
            return None

    def put_settings(self, tenant_id: str, name: str, body: dict[str, Any], now: datetime) -> None:
        pk, sk = SettingsItem.key(tenant_id, name)
        # Settings are whole documents, last writer wins.
        SettingsItem(pk=pk, sk=sk, tenant_id=tenant_id, name=name, body=body, updated_at=now).save()

    def list_settings(self, tenant_id: str, prefix: str) -> list[dict[str, Any]]:
        pk, sk_prefix = SettingsItem.key(tenant_id, prefix)
        return [
            dict(i.body)
            for i in SettingsItem.query(pk, range_key_condition=SettingsItem.sk.startswith(sk_prefix))
        ]

    def delete_settings(self, tenant_id: str, name: str) -> bool:
        pk, sk = SettingsItem.key(tenant_id, name)
        try:
            SettingsItem(pk=pk, sk=sk).delete(condition=SettingsItem.pk.exists())
        except DeleteError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def put_channels(
        self, tenant_id: str, body: dict[str, Any], previous: dict[str, Any] | None, now: datetime
    ) -> None:
        """Replace the tenant's inbound addresses and numbers; each may belong to one tenant only."""
        previous = previous or {"support_emails": [], "sms_numbers": []}
        wanted = {("EMAIL", a) for a in body["support_emails"]} | {("SMS", n) for n in body["sms_numbers"]}
        had = {("EMAIL", a) for a in previous.get("support_emails", [])} | {
            ("SMS", n) for n in previous.get("sms_numbers", [])
        }
        pk, sk = SettingsItem.key(tenant_id, "channels")
        settings_item = SettingsItem(
            pk=pk, sk=sk, tenant_id=tenant_id, name="channels", body=body, updated_at=now
        )
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(settings_item)
                for channel, address in sorted(wanted - had):
                    lpk, lsk = LookupItem.channel_key(channel, address)
                    lookup = LookupItem(pk=lpk, sk=lsk, target=tenant_id, tenant_id=tenant_id)
                    tx.save(
                        lookup,
                        condition=LookupItem.pk.does_not_exist() | (LookupItem.tenant_id == tenant_id),
                    )
                for channel, address in sorted(had - wanted):
                    lpk, lsk = LookupItem.channel_key(channel, address)
                    lookup = LookupItem(pk=lpk, sk=lsk, target=tenant_id, tenant_id=tenant_id)
                    tx.delete(lookup, condition=LookupItem.tenant_id == tenant_id)
        except TransactWriteError as exc:
            if _condition_failed(exc):
                raise Conflict(
                    "An address or number is already used by another organisation.",
                    [{"field": "support_emails/sms_numbers", "issue": "taken"}],
                ) from exc
            raise

    def tenant_for_channel(self, channel: str, address: str) -> str | None:
        try:
            return str(
                LookupItem.get(*LookupItem.channel_key(channel, address), consistent_read=True).tenant_id
            )
        except LookupItem.DoesNotExist:
            return None
