"""The small interfaces services talk to. Adapters implement them (DynamoDB, S3, SES, ...)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from regentra.domain.ai_reviews import AiReview, DraftOutcome, Example
from regentra.domain.analysis import Analysis
from regentra.domain.cascade import Cascade
from regentra.domain.chat import ChatEnded, ChatMessage, ChatSession
from regentra.domain.conversation import Attachment, Note, Reply, TicketLink, TimeEntry
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.kb import Draft, KbArticle, ScoredChunk
from regentra.domain.kb_retrieval import KbChange, KbIndexReport, Retrieval
from regentra.domain.priority import PriorityChange
from regentra.domain.search import SearchQuery, SearchUpdate
from regentra.domain.sla import CounterDelta
from regentra.domain.tickets import Activity, DomainEvent, Ticket

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[Status, ...] = ()
    priority: Priority | None = None
    assignee_id: str | None = None
    client_id: str | None = None
    channel: Channel | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True)
class Client:
    tenant_id: str
    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    vip: bool = False
    email_domains: tuple[str, ...] = ()
    sla_policy_id: str | None = None
    version: int = 0


@dataclass(frozen=True)
class Contact:
    tenant_id: str
    id: str
    client_id: str
    name: str
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    phone: str | None = None
    version: int = 0


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    activity: list[Activity] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    time_entries: list[TimeEntry] = field(default_factory=list)
    links: list[TicketLink] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


class TicketRepository(Protocol):
    def next_ticket_number(self, tenant_id: str) -> int: ...
    def insert(
        self,
        ticket: Ticket,
        activity: list[Activity],
        records: list[Any] | None = None,
        *,
        counters: list[CounterDelta] | None = None,
        events: list[DomainEvent] | None = None,
    ) -> Ticket:
        """Write a new ticket, with a TicketCreated outbox event (always) and any other `events`."""
        ...

    def get(self, tenant_id: str, ticket_id: str) -> Ticket | None: ...
    def save(
        self,
        ticket: Ticket,
        activity: list[Activity],
        *,
        events: list[DomainEvent] | None = None,
        counters: list[CounterDelta] | None = None,
        records: list[Any] | None = None,
        priority_change: PriorityChange | None = None,
    ) -> Ticket:
        """Write `ticket` if the stored version is still `ticket.version` (else ConcurrentUpdate),
        with its activity, outbox events, report counters and conversation records (replies,
        notes, time entries, links, time counters), all or nothing. A priority different from the
        stored one is written only with a `priority_change` that `decide_priority` allows."""
        ...

    def save_analysis(self, ticket: Ticket, analysis: dict[str, Any], suggested: Priority) -> bool:
        """The AI fields only (no version bump, never `priority`); False when another analysis won."""
        ...

    def get_reply(self, tenant_id: str, ticket_id: str, reply_id: str) -> Reply | None: ...
    def update_delivery(
        self,
        tenant_id: str,
        ticket_id: str,
        reply_id: str,
        delivery: dict[str, Any],
        expected_state: list[str],
    ) -> bool: ...
    def ticket_for_message_id(self, tenant_id: str, message_id: str) -> str | None: ...
    def lookup(self, tenant_id: str, name: str) -> str | None: ...
    def get_attachment(self, tenant_id: str, ticket_id: str, attachment_id: str) -> Attachment | None: ...
    def mark_attachment_uploaded(
        self, tenant_id: str, ticket_id: str, attachment_id: str, size: int
    ) -> bool: ...
    def put_lookup(self, tenant_id: str, name: str, target: str, *, only_if_absent: bool = False) -> bool: ...
    def time_stats(
        self, tenant_id: str, first_day: str, last_day: str
    ) -> Iterator[tuple[str, str, str, int, int]]: ...

    def due(self, kind: str, now: datetime, page_size: int = 100) -> Iterator[tuple[str, str]]: ...
    def sla_stats(
        self, tenant_id: str, first_day: str, last_day: str
    ) -> Iterator[tuple[str, str, str, dict[str, float]]]: ...
    def list(
        self, tenant_id: str, flt: TicketFilter, limit: int, cursor: str | None, scope: str
    ) -> Page[Ticket]: ...
    def detail(self, tenant_id: str, ticket_id: str) -> TicketDetail | None: ...


class DirectoryRepository(Protocol):
    """Clients and contacts of a tenant."""

    def insert_client(self, client: Client) -> Client: ...
    def get_client(self, tenant_id: str, client_id: str) -> Client | None: ...
    def save_client(self, client: Client) -> Client: ...
    def list_clients(self, tenant_id: str, limit: int, cursor: str | None, scope: str) -> Page[Client]: ...
    def insert_contact(self, contact: Contact) -> Contact: ...
    def get_contact(self, tenant_id: str, contact_id: str) -> Contact | None: ...
    def save_contact(self, contact: Contact, previous: Contact) -> Contact: ...
    def list_contacts(
        self, tenant_id: str, client_id: str | None, limit: int, cursor: str | None, scope: str
    ) -> Page[Contact]: ...
    def client_uses_policy(self, tenant_id: str, policy_id: str) -> bool: ...
    def contact_by_email(self, tenant_id: str, email: str) -> Contact | None: ...
    def contact_by_phone(self, tenant_id: str, phone: str) -> Contact | None: ...
    def client_for_email_domain(self, tenant_id: str, domain: str) -> Client | None: ...


class SettingsRepository(Protocol):
    def get_settings(self, tenant_id: str, name: str) -> dict[str, Any] | None: ...
    def put_settings(self, tenant_id: str, name: str, body: dict[str, Any], now: datetime) -> None: ...
    def list_settings(self, tenant_id: str, prefix: str) -> list[dict[str, Any]]: ...
    def delete_settings(self, tenant_id: str, name: str) -> bool: ...
    def put_channels(
        self, tenant_id: str, body: dict[str, Any], previous: dict[str, Any] | None, now: datetime
    ) -> None: ...
    def tenant_for_channel(self, channel: str, address: str) -> str | None: ...


class RunOnce(Protocol):
    """Idempotency: the first result for a key is returned to every retry."""

    def run_once(
        self, key: dict[str, Any], payload: dict[str, Any], compute: Callable[[], dict[str, Any]]
    ) -> Any: ...


class EventPublisher(Protocol):
    """Where domain events go: the EventBridge bus in AWS, a local sink locally."""

    def publish(self, events: list[dict[str, Any]]) -> None: ...


class Mailer(Protocol):
    """Sends a complete MIME message; returns the provider's message id."""

    def send_raw(
        self, raw: bytes, *, from_address: str, to_address: str, ticket_id: str | None = None
    ) -> str: ...


class SmsSender(Protocol):
    def send(self, *, to: str, origination: str, body: str, ticket_id: str | None = None) -> str: ...


class BlobStore(Protocol):
    """Raw mail and attachments: S3 in AWS, a folder locally."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...


class ChatRepository(Protocol):
    """Live chat sessions and their messages (one partition per session)."""

    def create(self, session: ChatSession, first: ChatMessage | None) -> None: ...
    def get(self, tenant_id: str, session_id: str) -> ChatSession | None: ...
    def load(self, tenant_id: str, session_id: str) -> tuple[ChatSession, list[ChatMessage]] | None: ...
    def add_message(self, session: ChatSession, message: ChatMessage) -> bool:
        """Append a message if the session is still active and not full; False otherwise."""
        ...

    def end(self, tenant_id: str, ended: ChatEnded) -> bool:
        """End a session without a ticket (no customer message), on the same conditions."""
        ...

    def list(
        self, tenant_id: str, state: str, limit: int, cursor: str | None, scope: str
    ) -> Page[ChatSession]: ...
    def due_idle(self, now: datetime, page_size: int = 100) -> Iterator[tuple[str, str]]: ...


# --- search, board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchScope:
    """What the index narrows a search by; tenant and client are terms of the index query itself.
    Every value is re-checked on the hydrated ticket: the index only narrows."""

    tenant_id: str
    client_id: str | None = None
    statuses: tuple[str, ...] = ()
    priority: str | None = None
    assignee_id: str | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sla_statuses: tuple[str, ...] = ()  # index-time statuses: domain.search.sla_index_candidates


@dataclass(frozen=True)
class SearchHit:
    ticket_id: str
    score: float


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]  # [offset, offset + limit) of the window, by relevance then recency
    window: int  # hits in the window (at most the window asked for)
    matched: int  # documents the index matched in all


@dataclass(frozen=True)
class RebuildReport:
    generation: str
    documents: int
    caught_up: int
    seconds: float


class SearchIndex(Protocol):
    """The full-text index (tantivy): one document per ticket, written by one writer only."""

    def upsert(self, updates: Sequence[SearchUpdate]) -> int:
        """Merge updates (domain.search.merge: newer versions only, replies by id); returns the
        number of documents changed. One commit."""
        ...

    def delete(self, removals: Sequence[tuple[str, str, int]]) -> int:
        """(tenant, ticket id, version) removed from the table; never removes a newer document."""
        ...

    def search(
        self, query: SearchQuery, scope: SearchScope, *, offset: int, limit: int, window: int
    ) -> SearchPage: ...

    def rebuild(
        self,
        updates: Iterable[SearchUpdate],
        catch_up: Callable[[list[tuple[str, str]]], Iterable[SearchUpdate]],
    ) -> RebuildReport:
        """Build a new generation from `updates`, switch readers to it, then re-read (catch_up)
        the tickets the live writer touched meanwhile."""
        ...


class TicketLists(Protocol):
    """Ticket reads behind search and the board (DynamoDB; no Scan except search_sources)."""

    def list_matching(
        self,
        tenant_id: str,
        flt: TicketFilter,
        keep: Callable[[Ticket], bool],
        limit: int,
        cursor: str | None,
        scope: str,
        max_examined: int,
    ) -> Page[Ticket]: ...
    def count(
        self, tenant_id: str, flt: TicketFilter, keep: Callable[[Ticket], bool] | None, max_examined: int
    ) -> tuple[int, bool]:
        """(count, exact): exact is False when max_examined items were read before the end."""
        ...

    def get_many(self, tenant_id: str, ticket_ids: Sequence[str]) -> dict[str, Ticket]: ...
    def search_source(self, tenant_id: str, ticket_id: str) -> tuple[Ticket | None, list[Reply]]: ...
    def search_sources(self) -> Iterator[tuple[str, Ticket | Reply]]:
        """(tenant, ticket or public reply) for the whole table: a full Scan, for the offline
        `regentra reindex` only, never on a request path."""
        ...


class AttachmentStore(Protocol):
    """Presigned uploads and downloads for ticket attachments."""

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_s: int
    ) -> dict[str, Any]: ...
    def presign_download(self, key: str, filename: str, expires_s: int) -> str: ...


# --- master and child tickets ---------------------------------------------------------------------


class CascadeStore(Protocol):
    """Master/child links and cascades (adapters/dynamo/cascades.py)."""

    def get_tickets(self, tenant_id: str, ticket_ids: Iterable[str]) -> dict[str, Ticket]: ...
    def child_ids(
        self, tenant_id: str, master_id: str, after: str | None, limit: int
    ) -> tuple[list[str], str | None]: ...
    def all_child_ids(self, tenant_id: str, master_id: str) -> list[str]: ...
    def link(
        self, master: Ticket, children: Sequence[tuple[Ticket, Activity]], master_activity: Activity
    ) -> Ticket: ...
    def unlink(
        self, master: Ticket, child: Ticket, child_activity: Activity, master_activity: Activity
    ) -> None: ...
    def create(self, cascade: Cascade, master_activity: Activity) -> bool: ...
    def get(self, tenant_id: str, cascade_id: str) -> Cascade | None: ...
    def finish(self, cascade: Cascade, master_activity: Activity) -> bool: ...
    def markers(self, tenant_id: str, cascade_id: str, child_ids: Iterable[str]) -> dict[str, str]: ...
    def outcomes(self, tenant_id: str, cascade_id: str) -> list[str]: ...


class WorkflowStarter(Protocol):
    """Starts a state machine execution: Step Functions in AWS, the in-process interpreter locally."""

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        """Start execution `name`; False when one of that name exists already (nothing started)."""
        ...


# --- automations, notifications, priority policies, AI analyzer -----------------------------------


class AutomationStore(Protocol):
    """Rule evaluation logs, in-app notifications and spike counters (rules are settings)."""

    def put_run(
        self,
        tenant_id: str,
        rule_id: str,
        *,
        event_id: str,
        event_type: str,
        event_at: datetime,
        at: datetime,
        ticket_id: str,
        matched: bool,
        body: dict[str, Any],
        depth: int = 0,
    ) -> None: ...
    def get_run(
        self, tenant_id: str, rule_id: str, event_at: datetime, event_id: str, depth: int = 0
    ) -> dict[str, Any] | None: ...
    def list_runs(
        self, tenant_id: str, rule_id: str, limit: int, cursor: str | None, scope: str
    ) -> Page[dict[str, Any]]: ...
    def put_notification(
        self,
        tenant_id: str,
        recipient: str,
        *,
        notification_id: str,
        at: datetime,
        reason: str,
        message: str,
        ticket_id: str | None,
        rule_id: str | None,
    ) -> None: ...
    def list_notifications(
        self, tenant_id: str, recipients: list[str], limit: int, cursor: str | None, scope: str
    ) -> Page[dict[str, Any]]: ...
    def count_ticket(
        self, tenant_id: str, client_id: str, ticket_id: str, created_at: datetime, window_minutes: int
    ) -> int:
        """Count a new ticket for its client (once) and return the client's count in the window."""
        ...


class Analyzer(Protocol):
    """The AI analyzer: Bedrock, or offline (lexicon + sentiment). Returns (analysis, provider)."""

    provider: str

    def analyze(
        self, subject: str, body: str, *, is_reply: bool = False, examples: Sequence[Example] = ()
    ) -> tuple[Analysis, str]:
        """`examples`: the tenant's recent rated overrides (priority/category), passed only to an
        analyzer with `learns_from_examples = True` (services/ai_reviews.py)."""
        ...


# --- knowledge base and drafts ---


class KbStore(Protocol):
    def insert(self, article: KbArticle) -> KbArticle: ...
    def get(self, tenant_id: str, article_id: str) -> KbArticle | None: ...
    def save(self, article: KbArticle) -> KbArticle:
        """Conditional on article.version; raises ConcurrentUpdate when it changed meanwhile."""
        ...

    def delete(self, tenant_id: str, article_id: str) -> bool: ...
    def list(self, tenant_id: str) -> list[KbArticle]:
        """Every article of the tenant (the KB partition, page after page): reindexing only."""
        ...

    def list_page(self, tenant_id: str, limit: int, cursor: str | None, scope: str) -> Page[KbArticle]:
        """One page, newest first: one Query of `limit + 1` items."""
        ...


class Embedder(Protocol):
    """Text -> unit vector (Titan Text Embeddings v2); raises EmbeddingFailed
    (domain.kb_retrieval) on any failure."""

    model_id: str
    dimensions: int

    def embed(self, text: str) -> list[float]: ...


class KbIndex(Protocol):
    """The per-tenant KB retrieval index (BM25 over sections, plus their vectors)."""

    def apply(
        self, tenant_id: str, changes: Sequence[KbChange], embedder: Embedder | None
    ) -> KbIndexReport: ...
    def rebuild(
        self, tenant_id: str, articles: Callable[[], Sequence[KbArticle]], embedder: Embedder | None
    ) -> KbIndexReport: ...
    def bm25(self, tenant_id: str, query: str, limit: int) -> list[ScoredChunk]: ...
    def nearest(
        self, tenant_id: str, vector: Sequence[float], tag: str, limit: int, min_score: float
    ) -> list[ScoredChunk]: ...
    def has_vectors(self, tenant_id: str, tag: str) -> bool: ...


class KbRetriever(Protocol):
    def retrieve(self, tenant_id: str, query: str, limit: int = 5) -> Retrieval:
        """The tenant's KB sections best matching `query`, and how they were found."""
        ...


class Drafter(Protocol):
    provider: str

    def draft(
        self,
        contact_name: str,
        ticket_text: str,
        chunks: list[ScoredChunk],
        examples: Sequence[Example] = (),
    ) -> Draft:
        """`examples`: the tenant's recent corrected drafts, passed only to a drafter with
        `learns_from_examples = True` (services/ai_reviews.py)."""
        ...


# --- AI reviews ---


class AiReviewStore(Protocol):
    """AI suggestions kept for review, their counters and the examples prompts learn from."""

    def add(self, reviews: Sequence[AiReview]) -> bool:
        """New reviews, each only if absent (False: an earlier delivery wrote them)."""
        ...

    def add_draft(self, review: AiReview, previous_id: str | None) -> None:
        """A new draft review and the ticket's latest-draft pointer moved to it from
        `previous_id`; ConcurrentUpdate when another draft moved it meanwhile."""
        ...

    def latest_draft_id(self, tenant_id: str, ticket_id: str) -> str | None: ...
    def get(self, tenant_id: str, review_id: str) -> AiReview | None: ...
    def settle(self, review: AiReview, outcome: DraftOutcome, at: datetime) -> bool: ...
    def rate(
        self,
        review: AiReview,
        rating: str,
        override: str | None,
        by: str,
        at: datetime,
        example: Example | None,
    ) -> bool: ...
    def page(
        self, tenant_id: str, state: str, limit: int, cursor: str | None, scope: str, *, highest_first: bool
    ) -> Page[AiReview]: ...
    def stats(self, tenant_id: str) -> dict[str, int]: ...
    def examples(self, tenant_id: str, group: str, limit: int) -> list[Example]: ...
