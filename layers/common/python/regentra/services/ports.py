"""The small interfaces services talk to. Adapters implement them (DynamoDB, S3, SES, ...)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from regentra.domain.conversation import Note, Reply, TicketLink, TimeEntry
from regentra.domain.enums import Channel, Priority, Status
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


class TicketRepository(Protocol):
    def next_ticket_number(self, tenant_id: str) -> int: ...
    def insert(
        self, ticket: Ticket, activity: list[Activity], records: list[Any] | None = None
    ) -> Ticket: ...
    def get(self, tenant_id: str, ticket_id: str) -> Ticket | None: ...
    def save(
        self,
        ticket: Ticket,
        activity: list[Activity],
        *,
        events: list[DomainEvent] | None = None,
        counters: list[CounterDelta] | None = None,
        records: list[Any] | None = None,
    ) -> Ticket:
        """Write `ticket` if the stored version is still `ticket.version` (else ConcurrentUpdate),
        with its activity, outbox events, report counters and conversation records (replies,
        notes, time entries, links, time counters), all or nothing."""
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
