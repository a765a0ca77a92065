"""The single table as pynamodb models. Every key is derived here from domain attributes,
never assembled at a call site; `tenant_id` leads every key, so no request can name
another tenant's item.

Layout (PK / SK):
  T#<tenant>#TICKET#<id>     TICKET                 the ticket (detail page = one Query on this PK)
  T#<tenant>#TICKET#<id>     ACT#<at>#<id>          activity entries of that ticket
  T#<tenant>#COUNTER         TICKET_NUMBER          per-tenant ticket number counter
  T#<tenant>#CLIENTS         CLIENT#<id>            clients (list = one Query)
  T#<tenant>#CONTACTS        CONTACT#<id>           contacts
  T#<tenant>#LOOKUP          CONTACT_EMAIL#<email>  unique contact email -> contact id
  T#<tenant>#SETTINGS        CHANNELS | SLA | ...   tenant settings
  CHANNEL#EMAIL#<address>    LOOKUP                 inbound address -> tenant (global by nature)
  T#<tenant>#CHAT#<id>       SESSION                a live chat session (live chat; see ChatSessionItem)
  T#<tenant>#CHAT#<id>       MSG#<id>               its messages, oldest first
  T#<tenant>#TICKET#<id>     LINK#child#<child id>  a master's children (LinkItem)
  T#<tenant>#CASCADE#<id>    CASCADE                a cascade to a master's children (CascadeItem)

Ticket indexes (all projected ALL, sort key `activity_key` = <updated_at>#<id>, newest first):
  ByTenant   tenant_key   = T#<tenant>
  ByStatus   status_key   = T#<tenant>#S#<status>
  ByClient   client_key   = T#<tenant>#C#<client>
  ByAssignee assignee_key = T#<tenant>#A#<assignee>   (sparse: only assigned tickets)
  (chat sessions also use ByStatus, with status_key = T#<tenant>#CHATS#<active|ended>)
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from regentra.clock import iso


def tenant_prefix(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def ticket_pk(tenant_id: str, ticket_id: str) -> str:
    return f"T#{tenant_id}#TICKET#{ticket_id}"


def activity_sort_key(updated_at_iso: str, ticket_id: str) -> str:
    return f"{updated_at_iso}#{ticket_id}"


# Due items spread over shards so no single index partition takes every write.
DUE_SHARDS = 8


def due_shard(kind: str, ticket_id: str) -> str:
    return f"{kind}#{zlib.crc32(ticket_id.encode()) % DUE_SHARDS}"


class _Index(GlobalSecondaryIndex["Item"]):
    class Meta:
        projection = AllProjection()
        index_name = ""


class ByTenantIndex(_Index):
    class Meta:
        index_name = "ByTenant"
        projection = AllProjection()

    tenant_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class ByStatusIndex(_Index):
    class Meta:
        index_name = "ByStatus"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class ByClientIndex(_Index):
    class Meta:
        index_name = "ByClient"
        projection = AllProjection()

    client_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class ByAssigneeIndex(_Index):
    class Meta:
        index_name = "ByAssignee"
        projection = AllProjection()

    assignee_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class DueTimersIndex(GlobalSecondaryIndex["TicketItem"]):
    class Meta:
        index_name = "DueTimers"
        projection = IncludeProjection(["kind", "tenant_id", "id", "due_kind"])

    due_shard = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class Item(Model):
    """Base of every item in the single table; `kind` picks the subclass on read."""

    class Meta:
        table_name = "regentra-table"
        region = "us-east-1"
        host: str | None = None

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    kind = DiscriminatorAttribute()


class TicketItem(Item, discriminator="ticket"):
    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    number = NumberAttribute()
    subject = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    suggested_priority = UnicodeAttribute(null=True)
    channel = UnicodeAttribute()
    client_id = UnicodeAttribute()
    contact_id = UnicodeAttribute(null=True)
    assignee_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    first_response_at = UTCDateTimeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    is_master = BooleanAttribute(default=False)
    master_id = UnicodeAttribute(null=True)
    child_count = NumberAttribute(default=0)
    follow_up_of = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    billable_minutes = NumberAttribute(default=0)
    non_billable_minutes = NumberAttribute(default=0)
    sla = JSONAttribute(null=True)
    analysis = JSONAttribute(null=True)  # the AI analyzer's result (staff-only)
    ai_stamp = UnicodeAttribute(null=True)  # analysis run id: AI fields are written without a version bump
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    version = VersionAttribute()

    tenant_key = UnicodeAttribute()
    status_key = UnicodeAttribute()
    client_key = UnicodeAttribute()
    assignee_key = UnicodeAttribute(null=True)
    activity_key = UnicodeAttribute()

    due_shard = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    due_kind = UnicodeAttribute(null=True)

    by_tenant = ByTenantIndex()
    by_status = ByStatusIndex()
    by_client = ByClientIndex()
    by_assignee = ByAssigneeIndex()
    due_timers = DueTimersIndex()

    def derive_keys(self) -> None:
        """Recompute every key from the ticket's own attributes (call before each write)."""
        prefix = tenant_prefix(self.tenant_id)
        self.pk = ticket_pk(self.tenant_id, self.id)
        self.sk = "TICKET"
        self.tenant_key = prefix
        self.status_key = f"{prefix}#S#{self.status}"
        self.client_key = f"{prefix}#C#{self.client_id}"
        self.assignee_key = f"{prefix}#A#{self.assignee_id}" if self.assignee_id else None
        self.activity_key = activity_sort_key(iso(self.updated_at) or "", self.id)

    def set_due(self, due: tuple[str, datetime] | None) -> None:
        """Put the ticket in the sparse due index (or take it out): only tickets a schedule must
        look at carry these attributes."""
        if due is None:
            self.due_shard = self.due_key = self.due_kind = None
            return
        kind, at = due
        self.due_shard = due_shard(kind, self.id)
        self.due_key = f"{iso(at)}#{self.tenant_id}#{self.id}"
        self.due_kind = kind


class ActivityItem(Item, discriminator="activity"):
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    source = UnicodeAttribute()
    change = JSONAttribute()

    @classmethod
    def for_ticket(
        cls, tenant_id: str, ticket_id: str, entry_id: str, *, at: Any, actor: str, source: str, change: Any
    ) -> ActivityItem:
        return cls(
            pk=ticket_pk(tenant_id, ticket_id),
            sk=f"ACT#{iso(at)}#{entry_id}",
            at=at,
            actor=actor,
            source=source,
            change=change,
        )


class ReplyItem(Item, discriminator="reply"):
    """A public reply; its SK carries the (time-sortable) reply id, so replies list in order."""

    tenant_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    id = UnicodeAttribute()
    author_type = UnicodeAttribute()
    author_id = UnicodeAttribute()
    body = UnicodeAttribute()
    channel = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    message_id = UnicodeAttribute(null=True)
    in_reply_to = UnicodeAttribute(null=True)
    delivery = JSONAttribute(null=True)
    # What the sender's conditional writes test: pending | claimed:<id> | sent | failed | skipped | rejected
    delivery_state = UnicodeAttribute(null=True)
    attachments = JSONAttribute(null=True)
    source = UnicodeAttribute(null=True)

    @staticmethod
    def key(tenant_id: str, ticket_id: str, reply_id: str) -> tuple[str, str]:
        return ticket_pk(tenant_id, ticket_id), f"REPLY#{reply_id}"


class NoteItem(Item, discriminator="note"):
    ticket_id = UnicodeAttribute()
    id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    source = UnicodeAttribute(null=True)


class TimeEntryItem(Item, discriminator="time_entry"):
    ticket_id = UnicodeAttribute()
    id = UnicodeAttribute()
    technician_id = UnicodeAttribute()
    minutes = NumberAttribute()
    billable = BooleanAttribute()
    work_date = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    note = UnicodeAttribute(null=True)


class AttachmentItem(Item, discriminator="attachment"):
    ticket_id = UnicodeAttribute()
    id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    key = UnicodeAttribute()
    state = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def item_key(tenant_id: str, ticket_id: str, attachment_id: str) -> tuple[str, str]:
        return ticket_pk(tenant_id, ticket_id), f"ATT#{attachment_id}"


class LinkItem(Item, discriminator="link"):
    """A link shown on this ticket's detail page (a follow-up, later children), written in the
    linked ticket's transaction so the two sides never disagree."""

    link_type = UnicodeAttribute()  # follow_up
    other_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()


class TimeStatsItem(Item, discriminator="time_stats"):
    """Time report counters for one (work date, client, technician)."""

    billable_minutes = NumberAttribute(default=0)
    non_billable_minutes = NumberAttribute(default=0)

    @staticmethod
    def partition(tenant_id: str) -> str:
        return f"{tenant_prefix(tenant_id)}#TIME_STATS"

    @staticmethod
    def sort_key(work_date: str, client_id: str, technician_id: str) -> str:
        return f"{work_date}#C#{client_id}#U#{technician_id}"


class CounterItem(Item, discriminator="counter"):
    value = NumberAttribute(default=0)

    @classmethod
    def ticket_number(cls, tenant_id: str) -> CounterItem:
        return cls(pk=f"{tenant_prefix(tenant_id)}#COUNTER", sk="TICKET_NUMBER")


class ClientItem(Item, discriminator="client"):
    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    vip = BooleanAttribute(default=False)
    email_domains = ListAttribute(of=UnicodeAttribute, default=list)
    sla_policy_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(tenant_id: str, client_id: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#CLIENTS", f"CLIENT#{client_id}"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.key(self.tenant_id, self.id)


class ContactItem(Item, discriminator="contact"):
    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(tenant_id: str, contact_id: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#CONTACTS", f"CONTACT#{contact_id}"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.key(self.tenant_id, self.id)


class LookupItem(Item, discriminator="lookup"):
    """A unique name pointing at one thing: a contact's email or phone, an inbound address."""

    target = UnicodeAttribute()
    tenant_id = UnicodeAttribute()

    @staticmethod
    def contact_email_key(tenant_id: str, email: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#LOOKUP", f"CONTACT_EMAIL#{email.lower()}"

    @staticmethod
    def contact_phone_key(tenant_id: str, phone: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#LOOKUP", f"CONTACT_PHONE#{phone}"

    @staticmethod
    def named_key(tenant_id: str, name: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#LOOKUP", name

    @staticmethod
    def message_id_key(tenant_id: str, message_id: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#MESSAGE_ID", message_id.strip().lower()

    @staticmethod
    def channel_key(channel: str, address: str) -> tuple[str, str]:
        # Inbound addresses are global: mail to an address must find its tenant.
        return f"CHANNEL#{channel}#{address.lower()}", "LOOKUP"


class SettingsItem(Item, discriminator="settings"):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    body = JSONAttribute()
    updated_at = UTCDateTimeAttribute()

    @staticmethod
    def key(tenant_id: str, name: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#SETTINGS", name.upper()


class EventItem(Item, discriminator="event"):
    """Outbox: an event written in the same transaction as the change it describes; the
    stream publishes it. The sort key is the event's dedupe key, so it exists once."""

    tenant_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    type = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    detail = JSONAttribute()

    @classmethod
    def for_ticket(cls, tenant_id: str, ticket_id: str, key: str) -> EventItem:
        return cls(
            pk=ticket_pk(tenant_id, ticket_id), sk=f"EVT#{key}", tenant_id=tenant_id, ticket_id=ticket_id
        )


class SlaStatsItem(Item, discriminator="sla_stats"):
    """SLA report counters for one (day, client, priority), kept as tickets change."""

    response_met = NumberAttribute(default=0)
    response_breached = NumberAttribute(default=0)
    response_count = NumberAttribute(default=0)
    response_minutes = NumberAttribute(default=0)
    resolution_met = NumberAttribute(default=0)
    resolution_breached = NumberAttribute(default=0)
    resolution_count = NumberAttribute(default=0)
    resolution_minutes = NumberAttribute(default=0)
    breaches = NumberAttribute(default=0)

    FIELDS = (
        "response_met",
        "response_breached",
        "response_count",
        "response_minutes",
        "resolution_met",
        "resolution_breached",
        "resolution_count",
        "resolution_minutes",
        "breaches",
    )

    @staticmethod
    def partition(tenant_id: str) -> str:
        return f"{tenant_prefix(tenant_id)}#SLA_STATS"

    @staticmethod
    def sort_key(day: str, client_id: str, priority: str) -> str:
        return f"{day}#C#{client_id}#P#{priority}"


# --- live chat ------------------------------------------------------------------------------------


def chat_pk(tenant_id: str, session_id: str) -> str:
    return f"T#{tenant_id}#CHAT#{session_id}"


def chat_list_key(tenant_id: str, state: str) -> str:
    """ByStatus hash key of a tenant's chat sessions in one state (distinct from tickets' S#...)."""
    return f"{tenant_prefix(tenant_id)}#CHATS#{state}"


class ChatByStateIndex(GlobalSecondaryIndex["ChatSessionItem"]):
    class Meta:
        index_name = "ByStatus"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class ChatDueIndex(GlobalSecondaryIndex["ChatSessionItem"]):
    class Meta:
        index_name = "DueTimers"
        projection = IncludeProjection(["kind", "tenant_id", "id", "due_kind"])

    due_shard = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ChatSessionItem(Item, discriminator="chat_session"):
    """A live chat session. Listed by state through ByStatus (newest activity first); while active
    it sits in the sparse DueTimers index (kind chat_idle) at its idle moment. No version attribute:
    every write is an update conditioned on `state` (and `message_count` when ending)."""

    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    state = UnicodeAttribute()
    started_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_activity_at = UTCDateTimeAttribute()
    client_id = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    message_count = NumberAttribute(default=0)
    first_staff_message_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    ended_by = UnicodeAttribute(null=True)
    end_reason = UnicodeAttribute(null=True)
    ticket_id = UnicodeAttribute(null=True)
    token_hash = UnicodeAttribute(null=True)

    status_key = UnicodeAttribute()
    activity_key = UnicodeAttribute()
    due_shard = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    due_kind = UnicodeAttribute(null=True)

    by_state = ChatByStateIndex()
    due_timers = ChatDueIndex()

    @staticmethod
    def key(tenant_id: str, session_id: str) -> tuple[str, str]:
        return chat_pk(tenant_id, session_id), "SESSION"

    @staticmethod
    def due_attrs(tenant_id: str, session_id: str, kind: str, at: datetime) -> tuple[str, str]:
        """(due_shard, due_key), laid out like a ticket's (TicketItem.set_due)."""
        return due_shard(kind, session_id), f"{iso(at)}#{tenant_id}#{session_id}"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.key(self.tenant_id, self.id)
        self.status_key = chat_list_key(self.tenant_id, self.state)
        self.activity_key = activity_sort_key(iso(self.last_activity_at) or "", self.id)

    @classmethod
    def end_update(cls, tenant_id: str, r: Any) -> tuple[ChatSessionItem, list[Any], Any]:
        """(item, actions, condition) that end a session for a ChatEnded record: only while it is
        still active with the messages its transcript was built from."""
        pk, sk = cls.key(tenant_id, r.session_id)
        actions = [
            cls.state.set("ended"),
            cls.ended_at.set(r.ended_at),
            cls.ended_by.set(r.ended_by),
            cls.end_reason.set(r.end_reason),
            cls.status_key.set(chat_list_key(tenant_id, "ended")),
            cls.activity_key.set(activity_sort_key(iso(r.ended_at) or "", r.session_id)),
            cls.due_shard.remove(),
            cls.due_key.remove(),
            cls.due_kind.remove(),
        ]
        for attr, value in (
            (cls.ticket_id, r.ticket_id),
            (cls.client_id, r.client_id),
            (cls.contact_id, r.contact_id),
        ):
            if value is not None:
                actions.append(attr.set(value))
        condition = (cls.state == "active") & (cls.message_count == r.expected_messages)
        return cls(pk=pk, sk=sk), actions, condition


class ChatMessageItem(Item, discriminator="chat_message"):
    tenant_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    id = UnicodeAttribute()
    author_type = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    body = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(tenant_id: str, session_id: str, message_id: str) -> tuple[str, str]:
        return chat_pk(tenant_id, session_id), f"MSG#{message_id}"


# --- master and child tickets ---------------------------------------------------------------------


class CascadeItem(Item, discriminator="cascade"):
    """One cascade of a master's change to its children (T#<tenant>#CASCADE#<id> / CASCADE). Its
    per-child outcomes are once-only markers CASCADE#<id>#<child> in the tenant's LOOKUP partition
    (written with each child's change); the counts here are set when the cascade finishes."""

    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    master_id = UnicodeAttribute()
    state = UnicodeAttribute()
    change = JSONAttribute()
    actor = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    total = NumberAttribute(default=0)
    applied = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)

    @staticmethod
    def key(tenant_id: str, cascade_id: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#CASCADE#{cascade_id}", "CASCADE"


# --- automations, notifications, priority policies --------------------------------------------------


class AutomationRunItem(Item, discriminator="automation_run"):
    """One evaluation of an automation rule (T#<tenant>#AUTORUN#<rule> / RUN#<event at>#<event hash>):
    the key comes from the rule and the event, so a redelivered event rewrites the same run."""

    tenant_id = UnicodeAttribute()
    rule_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    matched = BooleanAttribute()
    body = JSONAttribute()  # conditions, actions, skipped reason

    @staticmethod
    def partition(tenant_id: str, rule_id: str) -> str:
        return f"{tenant_prefix(tenant_id)}#AUTORUN#{rule_id}"


class NotificationItem(Item, discriminator="notification"):
    """An in-app notification for one recipient (T#<tenant>#NOTIFY#U#<user> or #E#<email> /
    <at>#<id>), newest last; the id is derived from what caused it, so it is written once."""

    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    recipient = UnicodeAttribute()
    reason = UnicodeAttribute()  # automation | sla_at_risk | sla_breached
    message = UnicodeAttribute()
    ticket_id = UnicodeAttribute(null=True)
    rule_id = UnicodeAttribute(null=True)

    @staticmethod
    def partition(tenant_id: str, recipient: str) -> str:
        return f"{tenant_prefix(tenant_id)}#NOTIFY#{recipient}"


class SpikeCounterItem(Item, discriminator="spike_counter"):
    """Tickets one client opened in one time bucket (T#<tenant>#SPIKE#<client> / B<minutes>#<start>):
    an atomic ADD per ticket, in the same transaction as a once-only marker for that ticket."""

    value = NumberAttribute(default=0)

    @staticmethod
    def key(tenant_id: str, client_id: str, bucket_minutes: int, start: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#SPIKE#{client_id}", f"B{bucket_minutes}#{start}"


# --- knowledge base ---------------------------------------------------------------------------------


class KbArticleItem(Item, discriminator="kb_article"):
    """A knowledge-base article (T#<tenant>#KB / ARTICLE#<id>): the tenant's KB is one Query."""

    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(default="")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def key(tenant_id: str, article_id: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#KB", f"ARTICLE#{article_id}"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.key(self.tenant_id, self.id)


# --- AI reviews -------------------------------------------------------------------------------------


def ai_review_list_key(tenant_id: str, state: str) -> str:
    """ByStatus hash key of a tenant's AI reviews in one state (pending | rated)."""
    return f"{tenant_prefix(tenant_id)}#AIREVIEWS#{state}"


def ai_review_rank(confidence_rank: str, created_at_iso: str, review_id: str) -> str:
    """ByStatus sort key of a review: by confidence (0000..1000), then time, then id."""
    return f"{confidence_rank}#{created_at_iso}#{review_id}"


class AiReviewByStateIndex(GlobalSecondaryIndex["AiReviewItem"]):
    class Meta:
        index_name = "ByStatus"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)


class AiReviewItem(Item, discriminator="ai_review"):
    """An AI suggestion kept for review (T#<tenant>#AIREVIEW#<id> / REVIEW), listed per state by
    confidence through ByStatus (status_key T#<tenant>#AIREVIEWS#<state>, activity_key
    <confidence 0000..1000>#<created_at>#<id>). No version attribute: rating is an update
    conditioned on state = pending, a draft's outcome one conditioned on no outcome yet."""

    tenant_id = UnicodeAttribute()
    id = UnicodeAttribute()
    review_kind = UnicodeAttribute()  # draft | priority | category
    ticket_id = UnicodeAttribute()
    value = UnicodeAttribute()
    sources = JSONAttribute(null=True)
    confidence = NumberAttribute()
    reasons = JSONAttribute(null=True)
    provider = UnicodeAttribute()
    state = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    ticket_text = UnicodeAttribute(null=True)
    source_event_id = UnicodeAttribute(null=True)
    rating = UnicodeAttribute(null=True)
    override = UnicodeAttribute(null=True)
    rated_by = UnicodeAttribute(null=True)
    rated_at = UTCDateTimeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    outcome_at = UTCDateTimeAttribute(null=True)
    similarity = NumberAttribute(null=True)
    outcome_reply_id = UnicodeAttribute(null=True)
    outcome_reason = UnicodeAttribute(null=True)

    status_key = UnicodeAttribute()
    activity_key = UnicodeAttribute()
    by_state = AiReviewByStateIndex()

    @staticmethod
    def key(tenant_id: str, review_id: str) -> tuple[str, str]:
        return f"{tenant_prefix(tenant_id)}#AIREVIEW#{review_id}", "REVIEW"

    @staticmethod
    def latest_draft_name(ticket_id: str) -> str:
        """The tenant LOOKUP name pointing at a ticket's latest draft review."""
        return f"AIDRAFT#{ticket_id}"


class AiReviewStatsItem(Item, discriminator="ai_review_stats"):
    """AI review counters of a tenant (T#<tenant>#AIREVIEW_STATS / COUNTS#<shard>), ADDed in the
    transaction that makes, rates or settles a review; spread over SHARDS items (by review id) so
    concurrent writers rarely meet, summed by one Query on read."""

    SHARDS = 4
    FIELDS = (
        "made_draft", "made_priority", "made_category",
        "correct_draft", "wrong_draft", "correct_priority", "wrong_priority",
        "correct_category", "wrong_category",
        "draft_accepted", "draft_edited", "draft_rejected",
    )  # fmt: skip

    made_draft = NumberAttribute(default=0)
    made_priority = NumberAttribute(default=0)
    made_category = NumberAttribute(default=0)
    correct_draft = NumberAttribute(default=0)
    wrong_draft = NumberAttribute(default=0)
    correct_priority = NumberAttribute(default=0)
    wrong_priority = NumberAttribute(default=0)
    correct_category = NumberAttribute(default=0)
    wrong_category = NumberAttribute(default=0)
    draft_accepted = NumberAttribute(default=0)
    draft_edited = NumberAttribute(default=0)
    draft_rejected = NumberAttribute(default=0)

    @staticmethod
    def partition(tenant_id: str) -> str:
        return f"{tenant_prefix(tenant_id)}#AIREVIEW_STATS"

    @classmethod
    def sort_key(cls, review_id: str) -> str:
        return f"COUNTS#{zlib.crc32(review_id.encode()) % cls.SHARDS}"


class AiExampleItem(Item, discriminator="ai_example"):
    """A rated override the prompts learn from (T#<tenant>#AIEXAMPLES / <group>#<rated_at>#<review id>),
    written with the rating; the latest few of a group are one Query, newest first."""

    tenant_id = UnicodeAttribute()
    review_id = UnicodeAttribute()
    review_kind = UnicodeAttribute()
    ticket_text = UnicodeAttribute(default="")
    suggested = UnicodeAttribute(default="")
    corrected = UnicodeAttribute()
    rated_at = UTCDateTimeAttribute()

    @staticmethod
    def partition(tenant_id: str) -> str:
        return f"{tenant_prefix(tenant_id)}#AIEXAMPLES"

    @staticmethod
    def sort_key(group: str, rated_at_iso: str, review_id: str) -> str:
        return f"{group}#{rated_at_iso}#{review_id}"


ALL_MODELS: list[type[Item]] = [
    Item, TicketItem, ActivityItem, CounterItem, ClientItem, ContactItem, LookupItem, SettingsItem,
    EventItem, SlaStatsItem, ReplyItem, NoteItem, TimeEntryItem, LinkItem, TimeStatsItem, AttachmentItem,
    ChatSessionItem, ChatMessageItem, CascadeItem, AutomationRunItem, NotificationItem, SpikeCounterItem,
    KbArticleItem, AiReviewItem, AiReviewStatsItem, AiExampleItem,
]  # fmt: skip


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
