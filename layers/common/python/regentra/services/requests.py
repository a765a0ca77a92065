"""Validated inputs of the use cases (bodies and query strings), as pydantic models.

Unknown fields are rejected (`extra="forbid"`), so a typo is a 400, not silently ignored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from regentra.domain.enums import Channel, Priority, SlaStatus, Status

MAX_PAGE = 100
Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-:.@]+$"),
]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    """A JSON body: no unknown fields, no coercion ("yes" is not a boolean, 3 is not a string)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """A query string: every value arrives as text, so numbers are parsed from it."""

    model_config = ConfigDict(extra="forbid")


class CreateTicket(Strict):
    subject: Subject
    description: Description = ""
    priority: Priority = Priority.MEDIUM
    client_id: Id | None = None
    contact_id: Id | None = None
    assignee_id: Id | None = None


class PatchTicket(Strict):
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = None
    subject: Subject | None = None

    @field_validator("status", "priority", "subject", mode="before")
    @classmethod
    def _not_null(cls, v: Any) -> Any:
        if v is None:
            raise ValueError("may not be null")
        return v


def _split_csv(v: Any) -> Any:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    return v


def _instant(value: Any, *, end_of_day: bool) -> Any:
    """Accept a date (whole day, UTC) or an ISO time for created_from / created_to."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime.combine(d, time.max if end_of_day else time.min, tzinfo=UTC)
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


SearchText = Annotated[str, StringConstraints(max_length=200)]


def _blank_is_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


class TicketFilters(Query):
    """The filters of GET /tickets and GET /tickets/board."""

    status: Annotated[list[Status], BeforeValidator(_split_csv)] = Field(default_factory=list)
    priority: Priority | None = None
    assignee_id: Id | None = None
    client_id: Id | None = None
    channel: Channel | None = None
    created_from: Annotated[datetime | None, BeforeValidator(lambda v: _instant(v, end_of_day=False))] = None
    created_to: Annotated[datetime | None, BeforeValidator(lambda v: _instant(v, end_of_day=True))] = None
    # Live SLA status (comma list), computed for the request's moment.
    sla_status: Annotated[list[SlaStatus], BeforeValidator(_split_csv)] = Field(default_factory=list)
    # Full text (domain/search.py has the language); blank means no search.
    q: Annotated[SearchText | None, BeforeValidator(_blank_is_none)] = None


class ListTicketsQuery(TicketFilters):
    limit: int = Field(default=25, ge=1, le=MAX_PAGE)
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None


class BoardQuery(TicketFilters):
    """`limit` is per column; a column's next page is GET /tickets?status=<column>&<same filters>&cursor=."""

    limit: int = Field(default=25, ge=1, le=MAX_PAGE)


class PageQuery(Query):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None


class ListContactsQuery(PageQuery):
    client_id: Id | None = None


EmailDomain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=253,
        pattern=r"(?i)^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    ),
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        pattern=r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$",
    ),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+[1-9]\d{6,14}$")]


class CreateClient(Strict):
    name: Name
    vip: bool = False
    email_domains: list[EmailDomain] = Field(default_factory=list, max_length=50)
    sla_policy_id: Id | None = None


class PatchClient(Strict):
    name: Name | None = None
    vip: bool | None = None
    email_domains: list[EmailDomain] | None = Field(default=None, max_length=50)
    sla_policy_id: Id | None = None


class CreateContact(Strict):
    client_id: Id
    name: Name
    email: Email | None = None
    phone: Phone | None = None


class PatchContact(Strict):
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None


class ChannelSettings(Strict):
    support_emails: list[Email] = Field(default_factory=list, max_length=20)
    sms_numbers: list[Phone] = Field(default_factory=list, max_length=20)

    @field_validator("support_emails", "sms_numbers")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("entries must be unique")
        return v


class SlaReportQuery(Query):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    client_id: Id | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Body = Annotated[str, StringConstraints(min_length=1, max_length=50_000)]


def _not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("may not be blank")
    return v


TextBody = Annotated[Body, AfterValidator(_not_blank)]


class CreateReply(Strict):
    body: TextBody
    set_status: Status | None = None


class CreateNote(Strict):
    body: TextBody


class CreateTimeEntry(Strict):
    minutes: int = Field(gt=0, le=24 * 60)
    billable: bool
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    work_date: date | None = None


class TimeReportQuery(SlaReportQuery):
    pass


# --- live chat ------------------------------------------------------------------------------------

ChatText = Annotated[str, StringConstraints(min_length=1, max_length=5000)]


def _not_blank_text(v: str | None) -> str | None:
    if v is not None and not v.strip():
        raise ValueError("may not be blank")
    return v


class StartChat(Strict):
    """A customer (token) starts a chat; the first message may come with it."""

    message: ChatText | None = None

    check_blank = field_validator("message")(_not_blank_text)


class StartVisitorChat(Strict):
    """A visitor (no token) starts a chat on a tenant's site, giving an email."""

    tenant_id: Id
    email: Email
    name: Name | None = None
    message: ChatText | None = None

    check_blank = field_validator("message")(_not_blank_text)


class PostChatMessage(Strict):
    body: ChatText

    check_blank = field_validator("body")(_not_blank_text)


class ListChatsQuery(PageQuery):
    state: Literal["active", "ended"] = "active"


class CreateAttachment(Strict):
    filename: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    content_type: Annotated[str, StringConstraints(min_length=3, max_length=120)]
    size: int = Field(gt=0)


# --- master and child tickets ---------------------------------------------------------------------


class LinkChildren(Strict):
    # More than 500 is refused by the service with a clear message (API.md: 500 in one call works).
    child_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=1000
    )


class CascadeReply(Strict):
    body: Body

    @field_validator("body")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("may not be blank")
        return v


Resolution = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class StartCascade(Strict):
    """What to push to every linked child not RESOLVED / CLOSED (at least one field)."""

    status: Status | None = None
    assignee_id: Id | None = None
    resolution: Resolution | None = None
    reply: CascadeReply | None = None


# --- automations ----------------------------------------------------------------------------------
# Rule bodies: regentra.domain.automation.RuleBody; policy switches: domain.policies.PolicySettings.


class DryRunAutomation(Strict):
    """POST /automations/{id}/test: the ticket to dry-run the rule on."""

    ticket_id: Id


# --- knowledge base ---

KbTag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class KbArticleBody(Strict):
    """POST /kb/articles and PUT /kb/articles/{id} (a PUT replaces the whole article)."""

    title: Subject
    body: Annotated[str, StringConstraints(max_length=50_000)] = ""
    tags: Annotated[list[KbTag], Field(max_length=20)] = []


# --- AI reviews ---


class ListAiReviewsQuery(PageQuery):
    """GET /ai/reviews: one state, by confidence (`desc`: most confident first; `asc`: least)."""

    state: Literal["pending", "rated"] = "pending"
    order: Literal["desc", "asc"] = "desc"


class RateAiReview(Strict):
    """POST /ai/reviews/{id}: `override` is the right priority/category, or the corrected reply."""

    rating: Literal["correct", "wrong"]
    override: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] | None = None
