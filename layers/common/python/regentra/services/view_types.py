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

from regentra.domain.automation import ActionType, Field_, Notify, Operator
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


# --- automations: the dry run, the evaluation log, notifications ------------------------------------


class ConditionResultView(TypedDict):
    """One condition of a rule against a ticket (domain.automation.ConditionResult.as_dict)."""

    field: Field_
    operator: Operator
    value: Annotated[str | list[str] | None, Field(description="The rule's value.")]
    actual: Annotated[
        str | None, Field(description="The ticket's value (for changed_to in a log: the event's).")
    ]
    matched: bool
    note: NotRequired[
        Annotated[str, Field(description="Why a changed_to compared what it did (dry run, no event).")]
    ]


class DryRunActionView(TypedDict):
    """What one action would do (POST /automations/{id}/test)."""

    type: ActionType
    would: Annotated[
        str,
        Field(description="done | no_change | failed (from a trial run), notify, or not_run (no match)"),
    ]
    value: NotRequired[
        Annotated[str | Notify | None, Field(description="The action's value; absent on notify entries.")]
    ]
    outcome: NotRequired[Annotated[str, Field(description="done | no_change | failed (the trial run)")]]
    detail: NotRequired[Annotated[str, Field(description="Why it failed.")]]
    to: NotRequired[
        Annotated[list[str], Field(description="send_notification: U#<user id> / E#<email> recipients.")]
    ]
    message: NotRequired[Annotated[str, Field(description="send_notification: the message.")]]


class DryRunView(TypedDict):
    rule_id: str
    ticket_id: str
    would_execute: bool
    result: Annotated[str, Field(description="would execute | would not execute")]
    conditions: list[ConditionResultView]
    actions: list[DryRunActionView]
    dry_run: Annotated[bool, Field(description="Always true: nothing was written.")]


class RunActionView(TypedDict):
    """What one action did in a logged run: a ticket action's result, a notification sent, or a
    note that an earlier delivery of the event applied the rule (then only `note`)."""

    type: NotRequired[ActionType]
    value: NotRequired[Annotated[str | Notify | None, Field(description="The rule's action value.")]]
    outcome: NotRequired[Annotated[str, Field(description="done | no_change | failed")]]
    detail: NotRequired[Annotated[str, Field(description="Why it failed.")]]
    to: NotRequired[
        Annotated[list[str], Field(description="send_notification: U#<user id> / E#<email> recipients.")]
    ]
    email: NotRequired[Annotated[str, Field(description="send_notification by email: sent | failed: <why>")]]
    note: NotRequired[str]


class AutomationRunView(TypedDict):
    """One evaluation of a rule (adapters/dynamo/automations.py `_run_view`): its conditions and
    actions, or why it was skipped, or a note that an earlier delivery of the event applied it."""

    rule_id: str
    at: datetime
    event_id: str
    event_type: str
    ticket_id: str
    matched: bool
    conditions: NotRequired[Annotated[list[ConditionResultView], Field(description="When evaluated.")]]
    actions: NotRequired[
        Annotated[list[RunActionView], Field(description="When evaluated; empty when it did not match.")]
    ]
    skipped: NotRequired[Annotated[str, Field(description="Why it was not evaluated (depth, own change).")]]
    note: NotRequired[Annotated[str, Field(description="An earlier delivery of the event applied it.")]]


class NotificationView(TypedDict):
    id: str
    at: datetime
    reason: Annotated[str, Field(description="automation | sla_at_risk | sla_breached")]
    message: str
    ticket_id: str | None
    rule_id: Annotated[str | None, Field(description="The rule that sent it; null for SLA alerts.")]


# --- AI reviews ---------------------------------------------------------------------------------------


class AiReviewReason(TypedDict):
    """A signal behind a confidence, or a knowledge-base section a draft's confidence came from."""

    type: Annotated[str, Field(description="signal | kb_section")]
    text: NotRequired[Annotated[str, Field(description="signal: what was found.")]]
    article_id: NotRequired[Annotated[str, Field(description="kb_section")]]
    title: NotRequired[Annotated[str, Field(description="kb_section")]]
    heading: NotRequired[Annotated[str, Field(description="kb_section")]]
    score: NotRequired[Annotated[float, Field(description="kb_section: the retrieval score.")]]


class AiReviewView(TypedDict):
    id: str
    kind: Annotated[str, Field(description="draft | priority | category")]
    ticket_id: str
    value: Annotated[str, Field(description="The draft text, the suggested priority or category.")]
    sources: Annotated[list[DraftSource], Field(description="Drafts: the KB articles cited.")]
    confidence: Annotated[float, Field(description="0..1")]
    reasons: list[AiReviewReason]
    provider: str
    state: Annotated[str, Field(description="pending | rated")]
    created_at: datetime
    ticket_excerpt: Annotated[str, Field(description="What the AI read (an excerpt).")]
    rating: Annotated[str | None, Field(description="correct | wrong")]
    override: Annotated[str | None, Field(description="A wrong rating's right value (or corrected reply).")]
    rated_by: str | None
    rated_at: datetime | None
    outcome: Annotated[
        str | None, Field(description="Drafts: accepted | edited | rejected, once a staff reply decided it.")
    ]
    outcome_at: datetime | None
    outcome_reason: Annotated[
        str | None, Field(description="reply_sent | replaced_by_newer_draft | closed_without_reply")
    ]
    similarity: Annotated[float | None, Field(description="Drafts: how much of it the reply kept, 0..1.")]
    outcome_reply_id: str | None


class AiDraftStats(TypedDict):
    total: int
    accepted: int
    edited: int
    rejected: int
    open: int
    acceptance_rate: Annotated[float | None, Field(description="accepted / decided; null before any.")]


class RatingCounts(TypedDict):
    correct: int
    wrong: int


class AiRatingsByKind(TypedDict):
    draft: RatingCounts
    priority: RatingCounts
    category: RatingCounts


class AiCountsByKind(TypedDict):
    draft: int
    priority: int
    category: int


class AiReviewStats(TypedDict):
    drafts: AiDraftStats
    ratings: AiRatingsByKind
    made: AiCountsByKind
    pending: Annotated[int, Field(description="Reviews not rated yet, all kinds.")]
    pending_by_kind: AiCountsByKind


# --- attachments ----------------------------------------------------------------------------------------


class UploadForm(TypedDict):
    """A presigned POST: send `fields` and then `file` as multipart/form-data to `url`."""

    url: str
    fields: dict[str, str]
    method: Annotated[str, Field(description="POST")]


# --- reports ----------------------------------------------------------------------------------------------


class SlaTimerStats(TypedDict):
    met: int
    breached: int
    compliance_percent: Annotated[float | None, Field(description="met / (met + breached); null when none.")]
    average_business_minutes: Annotated[float | None, Field(description="null when none counted.")]


class SlaSummary(TypedDict):
    response: SlaTimerStats
    resolution: SlaTimerStats
    breaches: int


class SlaByPriority(TypedDict):
    CRITICAL: SlaSummary
    HIGH: SlaSummary
    MEDIUM: SlaSummary
    LOW: SlaSummary


class DayBreaches(TypedDict):
    date: date
    breaches: int


# `from` is a Python keyword: the functional form.
ReportRange = TypedDict(
    "ReportRange",
    {
        "from": date,
        "to": date,
        "client_id": Annotated[str | None, Field(description="The client asked for; null: all.")],
    },
)


class SlaReportView(ReportRange):
    overall: SlaSummary
    by_priority: SlaByPriority
    by_client: Annotated[dict[str, SlaSummary], Field(description="By client id.")]
    breaches_per_day: list[DayBreaches]


class TimeReportView(ReportRange):
    total: TimeTotals
    by_client: Annotated[dict[str, TimeTotals], Field(description="By client id.")]
    by_technician: Annotated[dict[str, TimeTotals], Field(description="By technician (user) id.")]


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
    """Which function returns which shape (a type, an Extends or a ListOf). A type stands in for
    the function's return annotation wherever the generator reads one, also when a handler takes
    the result apart (`page.items` of a `Page[X]`, `a, b = f()` of a `tuple[A, B]`). Imported
    lazily: only the openapi generator needs it, never a handler at cold start."""
    from regentra.domain.automation import RuleBody
    from regentra.domain.conversation import Attachment
    from regentra.domain.kb import Draft
    from regentra.domain.policies import PolicySettings
    from regentra.domain.sla_policy import SlaPolicySettings
    from regentra.services import (
        ai_reviews,
        attachments,
        automations,
        cascades,
        directory,
        policies,
        reports,
        search,
        sla_policies,
        tickets,
        views,
    )
    from regentra.services.ports import Page
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
        views.ai_review_view: AiReviewView,
        ai_reviews.review_stats: AiReviewStats,
        automations.dry_run_rule: DryRunView,
        reports.sla_report: SlaReportView,
        reports.time_report: TimeReportView,
        # Typed returns whose parts the handlers take apart (`page.items`, `attachment, upload = …`):
        # the dicts in them are these shapes.
        automations.list_runs: Page[AutomationRunView],
        automations.list_notifications: Page[NotificationView],
        attachments.start_upload: tuple[Attachment, UploadForm],
    }
