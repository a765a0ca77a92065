"""The shapes of the HTTP responses, as TypedDicts, for openapi.json (regentra.api.openapi).

The view functions in views.py (and a few services) build plain dicts; this module says what
those dicts hold, and `response_types()` names which function returns which shape. A view whose
return annotation is itself a TypedDict or a pydantic model needs no entry here: the generator
reads annotations first. tests/integration/test_openapi_responses.py checks real responses
against these shapes (no key missing, none undeclared), so they cannot drift silently.

`NotRequired` keys are the ones only some callers get (staff-only fields) or only sometimes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from regentra.domain.enums import Channel, Priority, SlaStatus, Status

StaffOnly = "Staff only: absent for customers."


class SlaTimerView(TypedDict):
    status: SlaStatus
    due_at: datetime | None
    stopped_at: datetime | None
    paused: bool
    target_minutes: int
    elapsed_minutes: float


class SlaView(TypedDict):
    """Computed for the moment of the request, so a badge is never stale between sweeps."""

    status: SlaStatus
    policy_id: str | None
    response: SlaTimerView
    resolution: SlaTimerView


class TicketView(TypedDict):
    id: str
    number: int
    subject: str
    description: str
    status: Status
    priority: Priority
    suggested_priority: Annotated[
        Priority | None, Field(description="The AI's suggestion; null for customers.")
    ]
    channel: Channel
    client_id: str
    contact_id: str | None
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla: SlaView | None
    is_master: bool
    master_id: str | None
    child_count: int
    follow_up_of: str | None
    version: Annotated[int, Field(description="Send it back as If-Match to guard against lost updates.")]


class ActivityView(TypedDict):
    at: datetime
    actor: str
    source: Annotated[
        str, Field(description="staff:<user>, customer:<contact>, automation:<rule>, policy:<name>, …")
    ]
    change: dict[str, Any]


class ReplyView(TypedDict):
    id: str
    author_type: Annotated[str, Field(description="staff | customer")]
    author_id: str
    body: str
    created_at: datetime
    channel: Channel
    attachments: list[dict[str, Any]]
    delivery: NotRequired[Annotated[dict[str, Any] | None, Field(description=StaffOnly)]]
    message_id: NotRequired[Annotated[str | None, Field(description=StaffOnly)]]
    source: NotRequired[Annotated[str | None, Field(description=StaffOnly)]]


class AttachmentView(TypedDict):
    id: str
    filename: str
    content_type: str
    size: int
    state: Annotated[str, Field(description="pending | uploaded")]
    uploaded_by: str
    created_at: datetime


class NoteView(TypedDict):
    id: str
    author_id: str
    body: str
    created_at: datetime


class TimeEntryView(TypedDict):
    id: str
    technician_id: str
    minutes: int
    billable: bool
    note: str | None
    work_date: date
    created_at: datetime


class TicketLinks(TypedDict):
    master: str | None
    children: Annotated[list[str], Field(description="Empty for customers.")]
    follow_up_of: str | None
    follow_ups: list[str]


class TimeTotals(TypedDict):
    billable_minutes: int
    non_billable_minutes: int


class TicketDetailView(TicketView):
    replies: list[ReplyView]
    attachments: list[AttachmentView]
    links: TicketLinks
    notes: NotRequired[Annotated[list[NoteView], Field(description=StaffOnly)]]
    time_entries: NotRequired[Annotated[list[TimeEntryView], Field(description=StaffOnly)]]
    time_totals: NotRequired[Annotated[TimeTotals, Field(description=StaffOnly)]]
    activity: NotRequired[Annotated[list[ActivityView], Field(description=StaffOnly)]]
    analysis: NotRequired[
        Annotated[dict[str, Any] | None, Field(description="The AI analyzer's last result. " + StaffOnly)]
    ]
    tags: NotRequired[Annotated[list[str], Field(description=StaffOnly)]]


class CascadePrompt(TypedDict):
    """Beside a PATCH that moved a master with children to RESOLVED / CLOSED."""

    status: Status
    eligible_children: int
    skipped_children: int


class ClientView(TypedDict):
    id: str
    name: str
    vip: bool
    email_domains: list[str]
    sla_policy_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class ContactView(TypedDict):
    id: str
    client_id: str
    name: str
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class ChatMessageView(TypedDict):
    id: str
    author_type: Annotated[str, Field(description="customer | visitor | staff")]
    author_id: str
    author_name: str | None
    body: str
    created_at: datetime


class ChatSessionView(TypedDict):
    id: str
    state: Annotated[str, Field(description="active | ended")]
    started_by: Annotated[str, Field(description="customer | visitor")]
    client_id: str | None
    contact_id: str | None
    email: str | None
    name: str | None
    created_at: datetime
    last_activity_at: datetime
    idle_at: datetime | None
    message_count: int
    ended_at: datetime | None
    end_reason: Annotated[str | None, Field(description="customer | visitor | staff | idle")]
    ticket_id: Annotated[str | None, Field(description="The CHAT ticket the ended session became.")]
    ended_by: NotRequired[Annotated[str | None, Field(description=StaffOnly)]]
    first_staff_message_at: NotRequired[Annotated[datetime | None, Field(description=StaffOnly)]]
    messages: NotRequired[Annotated[list[ChatMessageView], Field(description="On a session's detail.")]]
    participants: NotRequired[Annotated[list[str], Field(description="On a session's detail.")]]


class CascadeChangeView(TypedDict):
    status: Status | None
    assignee_id: str | None
    resolution: str | None
    reply_body: str | None


class CascadeView(TypedDict):
    id: str
    master_id: str
    state: Annotated[str, Field(description="RUNNING | SUCCEEDED | FAILED")]
    total: int
    applied: int
    skipped: int
    failed: int
    change: CascadeChangeView
    created_by: str
    created_at: datetime
    finished_at: datetime | None


class KbArticleView(TypedDict):
    id: str
    title: str
    body: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    version: int


class BoardColumn(TypedDict):
    items: list[TicketView]
    count: int
    count_exact: bool
    next_cursor: Annotated[
        str | None, Field(description="GET /tickets?status=<column>&<same filters>&cursor=")
    ]


class BoardView(TypedDict):
    columns: Annotated[dict[str, BoardColumn], Field(description="One column per status.")]


class LinkChildrenResult(TypedDict):
    linked: list[str]
    rejected: Annotated[list[dict[str, str]], Field(description='[{"id", "reason"}]')]


class DraftSource(TypedDict):
    article_id: str
    title: str


class AiDraftView(TypedDict):
    draft: str
    sources: list[DraftSource]
    provider: Annotated[str, Field(description="offline, or the Bedrock model that wrote it")]
    retrieval: Annotated[str, Field(description="How the KB sections were found: bm25, or BM25 + embeddings")]


class StoredId(TypedDict):
    id: str


class StoredRule(TypedDict):
    id: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Extends:
    """A model's fields (less `drop`) plus a TypedDict's: what `{**model.model_dump(), "id": …}` gives."""

    base: Any
    extra: Any = None
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf:
    item: Any


def response_types() -> dict[Callable[..., Any], Any]:
    """Which function returns which shape (a type, an Extends or a ListOf). Imported lazily: only
    the openapi generator needs it, never a handler at cold start."""
    from regentra.domain.automation import RuleBody
    from regentra.domain.kb import Draft
    from regentra.domain.policies import PolicySettings
    from regentra.domain.sla_policy import SlaPolicySettings
    from regentra.services import (
        automations,
        cascades,
        directory,
        policies,
        search,
        sla_policies,
        tickets,
        views,
    )
    from regentra.services.requests import ChannelSettings

    sla_policy = Extends(SlaPolicySettings, StoredId)
    rule = Extends(RuleBody, StoredRule)
    return {
        views.ticket_view: TicketView,
        views.activity_view: ActivityView,
        views.reply_view: ReplyView,
        views.attachment_view: AttachmentView,
        views.note_view: NoteView,
        views.time_entry_view: TimeEntryView,
        views.detail_view: TicketDetailView,
        views.client_view: ClientView,
        views.contact_view: ContactView,
        views.chat_message_view: ChatMessageView,
        views.chat_session_view: ChatSessionView,
        views.cascade_view: CascadeView,
        views.kb_article_view: KbArticleView,
        search.board_view: BoardView,
        tickets.create_ticket_view: TicketView,
        cascades.cascade_prompt: CascadePrompt,
        cascades.LinkResult.as_dict: LinkChildrenResult,
        Draft.as_dict: AiDraftView,
        sla_policies.get_default_policy: Extends(SlaPolicySettings, drop=("name",)),
        sla_policies.put_default_policy: Extends(SlaPolicySettings, drop=("name",)),
        sla_policies.create_policy: sla_policy,
        sla_policies.get_policy: sla_policy,
        sla_policies.put_policy: sla_policy,
        sla_policies.list_policies: ListOf(sla_policy),
        automations.create_rule: rule,
        automations.get_rule: rule,
        automations.put_rule: rule,
        automations.list_rules: ListOf(rule),
        policies.get_policies: PolicySettings,
        policies.put_policies: PolicySettings,
        directory.get_channels: ChannelSettings,
        directory.put_channels: ChannelSettings,
    }
