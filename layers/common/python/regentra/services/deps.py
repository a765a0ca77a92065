"""The ports a service call uses, built lazily once per process (cold start stays light)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from regentra.clock import Clock, get_clock
from regentra.config import get_settings
from regentra.services.ports import (
    AiReviewStore,
    Analyzer,
    AttachmentStore,
    AutomationStore,
    BlobStore,
    CascadeStore,
    ChatRepository,
    DirectoryRepository,
    Drafter,
    Embedder,
    EventPublisher,
    KbIndex,
    KbRetriever,
    KbStore,
    Mailer,
    RunOnce,
    SearchIndex,
    SettingsRepository,
    SmsSender,
    TicketLists,
    TicketRepository,
    WorkflowStarter,
)


@lru_cache(maxsize=1)
def _chat_repository() -> ChatRepository:
    from regentra.adapters.dynamo.chat import DynamoChatRepository

    return DynamoChatRepository()


@lru_cache(maxsize=1)
def _automation_store() -> AutomationStore:
    from regentra.adapters.dynamo.automations import DynamoAutomationStore

    return DynamoAutomationStore()


@dataclass
class Deps:
    tickets: TicketRepository
    directory: DirectoryRepository
    settings: SettingsRepository
    once: RunOnce
    clock: Clock
    # Live chat sessions (built on first use, once per process).
    chats: ChatRepository = field(default_factory=_chat_repository)
    # Automation run logs, notifications, spike counters (built on first use, once per process).
    automations: AutomationStore = field(default_factory=_automation_store)


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
    _automation_store.cache_clear()


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


def search_index() -> SearchIndex:
    """The tantivy index: `<data dir>/search` under `regentra local`, the EFS mount
    (SEARCH_INDEX_DIR) in AWS. One instance per folder per process; opened on first use."""
    from regentra.adapters.search_index import open_search_index

    return open_search_index()


@lru_cache(maxsize=1)
def ticket_lists() -> TicketLists:
    """Ticket reads behind search and the board (DynamoDB)."""
    from regentra.adapters.dynamo.ticket_lists import DynamoTicketLists

    return DynamoTicketLists()


def attachment_store() -> AttachmentStore:
    """Presigned S3 uploads/downloads in AWS; the local gateway's upload routes locally."""
    settings = get_settings()
    if settings.local_data_dir is not None:
        import os

        from regentra.local.sinks import LocalAttachmentStore

        return LocalAttachmentStore(
            os.environ.get("REGENTRA_LOCAL_URL", "http://127.0.0.1:3000"), settings.cursor_secret
        )
    from regentra.adapters.blobs import S3AttachmentStore

    return S3AttachmentStore(settings.mail_bucket, settings.region)


# --- master and child tickets ---


def cascade_store() -> CascadeStore:
    """Master/child links and cascades (DynamoDB)."""
    from regentra.adapters.dynamo.cascades import DynamoCascadeStore

    return DynamoCascadeStore()


CASCADE_STATE_MACHINE = "CascadeStateMachine"  # its logical id in template.yaml


def cascade_workflow() -> WorkflowStarter:
    """Step Functions in AWS; under `regentra local` (and the tests) the same state machine,
    read from its ASL file, run in process by the local interpreter."""
    settings = get_settings()
    if settings.local_data_dir is not None:
        from regentra.local.workflows import LocalWorkflowStarter

        return LocalWorkflowStarter(CASCADE_STATE_MACHINE)
    from regentra.adapters.workflows import StepFunctionsStarter

    if not settings.cascade_state_machine_arn:
        raise RuntimeError("CASCADE_STATE_MACHINE_ARN is not set")
    return StepFunctionsStarter(settings.cascade_state_machine_arn, settings.region)


def analyzer() -> Analyzer:
    """Bedrock Converse when a model is configured (BEDROCK_MODEL_ID), else the offline analyzer
    (security lexicon + VADER sentiment); the analysis names the provider that made it."""
    from regentra.adapters.analyzer import analyzer_for

    settings = get_settings()
    return analyzer_for(settings.bedrock_model_id, settings.region)


# --- knowledge base and drafts ---


def kb_store() -> KbStore:
    """KB articles in the single table."""
    from regentra.adapters.dynamo.kb import DynamoKbStore

    return DynamoKbStore()


def kb_index() -> KbIndex:
    """The per-tenant KB index (tantivy): `<data dir>/kb` under `regentra local`, the EFS folder
    KB_INDEX_DIR in AWS. One instance per folder per process; fed by the table's stream."""
    from regentra.adapters.kb_index import open_kb_index

    return open_kb_index()


def embedder(for_indexing: bool = False) -> Embedder | None:
    """Titan Text Embeddings v2 when EMBEDDING_MODEL_ID is set (EMBEDDING_DIMENSIONS: 256, 512 or
    1024), else None: retrieval is BM25 alone. The draft path retries little and times out fast
    (it falls back to BM25); the indexer retries more (a failure there is retried by the stream)."""
    from regentra.adapters.embeddings import embedder_for

    settings = get_settings()
    options = {"max_attempts": 5, "read_timeout": 20.0} if for_indexing else {}
    return embedder_for(
        settings.embedding_model_id, settings.region, settings.embedding_dimensions, **options
    )


def kb_retriever() -> KbRetriever:
    """Hybrid retrieval over the tenant's KB index: BM25, plus embeddings fused by reciprocal
    rank fusion when an embedding model is configured."""
    from regentra.services.kb_retrieval import HybridRetriever

    return HybridRetriever(kb_index(), embedder())


def drafter() -> Drafter:
    """Bedrock Converse when BEDROCK_MODEL_ID is set, else the offline draft."""
    from regentra.adapters.drafter import drafter_for

    settings = get_settings()
    return drafter_for(settings.bedrock_model_id, settings.region)


# --- AI reviews ---


def ai_review_store() -> AiReviewStore:
    """AI suggestions kept for review, their counters and examples (the single table)."""
    from regentra.adapters.dynamo.ai_reviews import DynamoAiReviewStore

    return DynamoAiReviewStore()
