"""The ports a service call uses, built lazily once per process (cold start stays light)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from regentra.clock import Clock, get_clock
from regentra.config import get_settings
from regentra.services.ports import (
    BlobStore,
    ChatRepository,
    DirectoryRepository,
    EventPublisher,
    Mailer,
    RunOnce,
    SettingsRepository,
    SmsSender,
    TicketRepository,
)


@lru_cache(maxsize=1)
def _chat_repository() -> ChatRepository:
    from regentra.adapters.dynamo.chat import DynamoChatRepository

    return DynamoChatRepository()


@dataclass
class Deps:
    tickets: TicketRepository
    directory: DirectoryRepository
    settings: SettingsRepository
    once: RunOnce
    clock: Clock
    # Live chat sessions (built on first use, once per process).
    chats: ChatRepository = field(default_factory=_chat_repository)


@lru_cache(maxsize=1)
def _dynamo_repositories() -> tuple[TicketRepository, DirectoryRepository, SettingsRepository, RunOnce]:
    from regentra.adapters.dynamo.repository import (
        DynamoDirectoryRepository,
        DynamoSettingsRepository,
        DynamoTicketRepository,
    )
    from regentra.adapters.idempotency import PowertoolsIdempotency

    return (
        DynamoTicketRepository(),
        DynamoDirectoryRepository(),
        DynamoSettingsRepository(),
        PowertoolsIdempotency(),
    )


def default_deps() -> Deps:
    tickets, directory, settings, once = _dynamo_repositories()
    # The clock is looked up per call: the local runtime may swap it for its controllable one.
    return Deps(tickets=tickets, directory=directory, settings=settings, once=once, clock=get_clock())


def reset_deps() -> None:
    _dynamo_repositories.cache_clear()
    _chat_repository.cache_clear()


def event_publisher() -> EventPublisher:
    """EventBridge in AWS; the local event sink under `regentra local`."""
    settings = get_settings()
    if settings.local_data_dir is not None:
        from pathlib import Path

        from regentra.local.sinks import LocalEventBus, sink

        return LocalEventBus(sink("events", Path(settings.local_data_dir)))
    from regentra.adapters.events import EventBridgePublisher

    return EventBridgePublisher(settings)


def mailer() -> Mailer:
    """SES in AWS; the local outbox under `regentra local`."""
    settings = get_settings()
    if settings.local_data_dir is not None:
        from pathlib import Path

        from regentra.local.sinks import LocalMailer, sink

        return LocalMailer(sink("outbox", Path(settings.local_data_dir)))
    from regentra.adapters.mail import SesMailer

    return SesMailer(settings.region)


def sms_sender() -> SmsSender:
    """End User Messaging SMS in AWS; the local outbox under `regentra local`."""
    settings = get_settings()
    if settings.local_data_dir is not None:
        from pathlib import Path

        from regentra.local.sinks import LocalSms, sink

        return LocalSms(sink("outbox", Path(settings.local_data_dir)))
    from regentra.adapters.sms import EndUserMessagingSms

    return EndUserMessagingSms(settings.region)


def blob_store() -> BlobStore:
    """S3 (the mail bucket) in AWS; a folder in the data dir under `regentra local`."""
    settings = get_settings()
    if settings.local_data_dir is not None:
        from pathlib import Path

        from regentra.local.sinks import LocalBlobStore

        return LocalBlobStore(Path(settings.local_data_dir) / "blobs")
    from regentra.adapters.blobs import S3BlobStore

    return S3BlobStore(settings.mail_bucket, settings.region)
