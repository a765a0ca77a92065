"""Automation rules (API.md "automations"): what a rule is, when it matches, what it does. Pure.

A rule listens to one trigger; all of its conditions must match the ticket (and, for
`changed_to`, the event); then its actions run in order, as one write of the ticket. Rules run
by ascending `order`; a matching rule with `stop_after_match` ends the evaluation for that event.
A change a rule makes is announced with the rule in its cause, so the same rule never runs on it,
and chains stop at depth 3 (domain/events.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from regentra.domain.analysis import CATEGORIES
from regentra.domain.conversation import Note
from regentra.domain.enums import Channel, Priority, Status
from regentra.domain.ids import new_id
from regentra.domain.priority import PriorityChange, apply_priority
from regentra.domain.tickets import Activity, Ticket, with_status
from regentra.errors import RegentraError

Trigger = Literal[
    "ticket.created", "ticket.status_changed", "ticket.updated", "reply.added", "sla.at_risk", "sla.breached"
]
Field_ = Literal[
    "priority",
    "status",
    "category",
    "channel",
    "client",
    "contact_email",
    "subject",
    "description",
    "assignee",
]
Operator = Literal["equals", "in", "contains", "changed_to", "not"]
ActionType = Literal["assign", "change_priority", "set_status", "add_note", "send_notification", "add_tag"]

TEXT_FIELDS = frozenset({"subject", "description", "contact_email", "category", "client", "assignee"})
ENUM_VALUES: dict[str, frozenset[str]] = {
    "priority": frozenset(p.value for p in Priority),
    "status": frozenset(s.value for s in Status),
    "channel": frozenset(c.value for c in Channel),
    "category": frozenset(CATEGORIES),
}
# changed_to needs an event that reports the field's new value.
CHANGED_TO: dict[str, frozenset[str]] = {
    "ticket.status_changed": frozenset({"status"}),
    "ticket.updated": frozenset({"priority", "assignee", "subject"}),
}
TAG_PATTERN = r"^[a-z0-9][a-z0-9_\-:.]{0,39}$"
ID_PATTERN = r"^[A-Za-z0-9_\-:.@]{1,64}$"
EMAIL_PATTERN = r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$"
Text = Annotated[str, StringConstraints(max_length=500)]
ConditionValue = Text | list[Text] | None


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    field: Field_
    operator: Operator
    value: ConditionValue = Field(default=None)


class Notify(BaseModel):
    """send_notification's value: in-app for `user_id` and/or the user with `email` (who also
    gets it by email), with an optional message."""

    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: Annotated[str, StringConstraints(pattern=ID_PATTERN)] | None = None
    email: Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN, to_lower=True)] | None = (
        None
    )
    message: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = None


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: ActionType
    value: str | Notify | None = None


class RuleBody(BaseModel):
    """POST /automations and PUT /automations/{id}."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    enabled: bool = True
    order: int = Field(default=100, ge=0, le=1_000_000)
    stop_after_match: bool = False
    trigger: Trigger
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    actions: list[Action] = Field(min_length=1, max_length=10)


def rule_problems(rule: RuleBody) -> list[dict[str, Any]]:
    """What makes a well-typed rule still invalid (400 details), or [] when it is valid."""
    problems: list[dict[str, Any]] = []

    def bad(where: str, issue: str) -> None:
        problems.append({"field": where, "issue": issue})

    for i, c in enumerate(rule.conditions):
        where = f"conditions.{i}.value"
        values = c.value if isinstance(c.value, list) else [c.value]
        if c.operator == "in":
            if not isinstance(c.value, list) or not c.value:
                bad(where, "'in' needs a non-empty list of values")
                continue
        elif isinstance(c.value, list):
            bad(where, f"'{c.operator}' needs a single value, not a list")
            continue
        if c.operator == "contains":
            if c.field not in TEXT_FIELDS - {"client", "assignee"}:
                bad(f"conditions.{i}.operator", f"'contains' applies to text fields, not {c.field}")
            elif not c.value:
                bad(where, "'contains' needs a non-empty text")
            continue
        if c.operator == "changed_to" and c.field not in CHANGED_TO.get(rule.trigger, frozenset()):
            fields = sorted(CHANGED_TO.get(rule.trigger, frozenset()))
            bad(
                f"conditions.{i}.operator",
                f"'changed_to' on {c.field} needs trigger ticket.status_changed (status) or "
                f"ticket.updated (priority, assignee, subject); {rule.trigger} reports "
                + (", ".join(fields) if fields else "no change"),
            )
            continue
        if None in values and c.field != "assignee":
            bad(where, f"{c.field} needs a value")
            continue
        allowed = ENUM_VALUES.get(c.field)
        if allowed is not None:
            wrong = [
                v for v in values if v is not None and v.upper() not in allowed and v.lower() not in allowed
            ]
            if wrong:
                bad(where, f"{c.field} is one of {sorted(allowed)}; not {wrong}")
    for i, a in enumerate(rule.actions):
        where = f"actions.{i}.value"
        v = a.value
        if a.type == "send_notification":
            if not isinstance(v, Notify) or (v.user_id is None and v.email is None):
                bad(where, 'send_notification needs {"user_id" and/or "email", "message"?}')
            continue
        if isinstance(v, Notify):
            bad(where, f"{a.type} takes a text value")
            continue
        if a.type == "assign":
            if v is not None and not re.match(ID_PATTERN, v):
                bad(where, "assign needs a user id (or null to unassign)")
        elif a.type == "change_priority" and v not in ENUM_VALUES["priority"]:
            bad(where, f"change_priority is one of {sorted(ENUM_VALUES['priority'])}")
        elif a.type == "set_status" and v not in ENUM_VALUES["status"]:
            bad(where, f"set_status is one of {sorted(ENUM_VALUES['status'])}")
        elif a.type == "add_note" and (not v or not v.strip() or len(v) > 5000):
            bad(where, "add_note needs a text of 1 to 5000 characters")
        elif a.type == "add_tag" and (not isinstance(v, str) or not re.match(TAG_PATTERN, v.strip().lower())):
            bad(where, "add_tag needs a tag: letters, digits, _ - : . (at most 40)")
    return problems


# --- evaluation -----------------------------------------------------------------------------------


def facts_of(ticket: Ticket, contact_email: str | None) -> dict[str, Any]:
    """The values conditions look at, by condition field name."""
    return {
        "priority": str(ticket.priority),
        "status": str(ticket.status),
        "category": (ticket.analysis or {}).get("category"),
        "channel": str(ticket.channel),
        "client": ticket.client_id,
        "contact_email": contact_email,
        "subject": ticket.subject,
        "description": ticket.description,
        "assignee": ticket.assignee_id,
    }


# Event field names (domain/events.py) -> condition field names.
_EVENT_FIELDS = {"status": "status", "priority": "priority", "assignee_id": "assignee", "subject": "subject"}


def event_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {_EVENT_FIELDS[k]: v for k, v in changes.items() if k in _EVENT_FIELDS}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


@dataclass(frozen=True)
class ConditionResult:
    field: str
    operator: str
    value: Any
    actual: Any
    matched: bool
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "field": self.field,
            "operator": self.operator,
            "value": self.value,
            "actual": self.actual,
            "matched": self.matched,
        }
        return out | ({"note": self.note} if self.note else {})


def check(condition: Condition, facts: dict[str, Any], changes: dict[str, Any] | None) -> ConditionResult:
    """One condition against the ticket's facts; `changes` (field -> new value) is what the event
    changed, or None in a dry run (then changed_to compares with the current value)."""
    actual = facts.get(condition.field)
    v = condition.value
    note = None
    if condition.operator == "equals":
        ok = _same(actual, v)
    elif condition.operator == "not":
        ok = not any(_same(actual, x) for x in v) if isinstance(v, list) else not _same(actual, v)
    elif condition.operator == "in":
        ok = isinstance(v, list) and any(_same(actual, x) for x in v)
    elif condition.operator == "contains":
        ok = isinstance(actual, str) and isinstance(v, str) and v.casefold() in actual.casefold()
    elif changes is None:  # changed_to in a dry run
        ok, note = _same(actual, v), "dry run: no event, compared with the current value"
    elif condition.field in changes:  # changed_to
        actual = changes[condition.field]
        ok = _same(actual, v)
    else:
        ok, actual, note = False, None, f"the event did not change {condition.field}"
    return ConditionResult(condition.field, condition.operator, v, actual, ok, note)


def evaluate(rule: RuleBody, facts: dict[str, Any], changes: dict[str, Any] | None) -> list[ConditionResult]:
    """Every condition's result (all are evaluated, for the log); the rule matches when all match."""
    return [check(c, facts, changes) for c in rule.conditions]


# --- actions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    user_id: str | None
    email: str | None
    message: str


@dataclass
class Outcome:
    """What a rule's actions do to a ticket (applied in order, nothing written yet)."""

    ticket: Ticket
    activity: list[Activity] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    priority_change: PriorityChange | None = None


def _value_text(value: str | Notify | None) -> Any:
    return value.model_dump(exclude_none=True) if isinstance(value, Notify) else value


def apply_actions(ticket: Ticket, rule_id: str, rule: RuleBody, now: datetime) -> Outcome:
    """Run the rule's actions on `ticket` in order. An action that cannot apply (a status move
    the lifecycle forbids) is recorded as failed; the others still run."""
    source = f"automation:{rule_id}"
    out = Outcome(ticket=ticket)

    def result(action: Action, outcome: str, detail: str | None = None) -> None:
        entry = {"type": action.type, "value": _value_text(action.value), "outcome": outcome}
        out.results.append(entry | ({"detail": detail} if detail else {}))

    def log(change: dict[str, Any]) -> None:
        out.activity.append(Activity(at=now, actor=source, source=source, change=change))

    for action in rule.actions:
        current = out.ticket
        v = action.value
        try:
            if action.type == "assign":
                target = v if isinstance(v, str) else None
                if target == current.assignee_id:
                    result(action, "no_change")
                    continue
                out.ticket = replace(current, assignee_id=target, updated_at=now)
                log({"field": "assignee_id", "from": current.assignee_id, "to": target})
            elif action.type == "change_priority":
                updated, entries, change = apply_priority(
                    current, Priority(str(v)), source, now=now, actor=source
                )
                if change is None:
                    result(action, "no_change")
                    continue
                out.ticket = updated
                out.activity.extend(entries)
                out.priority_change = out.priority_change or change
            elif action.type == "set_status":
                target_status = Status(str(v))
                if target_status == current.status:
                    result(action, "no_change")
                    continue
                out.ticket = with_status(current, target_status, now)
                log({"field": "status", "from": str(current.status), "to": str(target_status)})
            elif action.type == "add_note":
                note = Note(
                    id=new_id(now),
                    ticket_id=current.id,
                    author_id=source,
                    body=str(v),
                    created_at=now,
                    source=source,
                )
                out.notes.append(note)
                out.ticket = replace(current, updated_at=now)
                log({"event": "note_added", "note_id": note.id})
            elif action.type == "add_tag":
                tag = str(v).strip().lower()
                if tag in current.tags:
                    result(action, "no_change")
                    continue
                out.ticket = replace(current, tags=(*current.tags, tag), updated_at=now)
                log({"field": "tags", "added": tag})
            elif action.type == "send_notification":
                assert isinstance(v, Notify)
                message = (
                    v.message or f"Rule '{rule.name}' matched ticket #{current.number}: {current.subject}"
                )
                out.notifications.append(Notification(v.user_id, v.email, message))
        except RegentraError as exc:
            result(action, "failed", f"{exc.code}: {exc.message}")
            continue
        result(action, "done")
    return out
