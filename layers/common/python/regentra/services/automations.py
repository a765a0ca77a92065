"""Automation rules: CRUD (admin), their evaluation on bus events, the dry run, the evaluation
log, and staff in-app notifications (from `send_notification` and SLA alerts).

Rules are tenant settings documents (`automation#<id>`). On an event, the tenant's enabled rules
for its trigger run by ascending `order`: each is evaluated against the ticket as it is then
(earlier rules' changes included), every evaluation is logged, and a matching rule's actions are
one guarded write of the ticket with a once-only marker for (rule, event). The changes announce
themselves with the rule in their cause: the rule never runs on its own change, and a chain of
rule-made changes stops at depth 3.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from regentra.clock import iso
from regentra.cursors import scope_of
from regentra.domain.automation import (
    Notification,
    Outcome,
    RuleBody,
    apply_actions,
    evaluate,
    event_changes,
    facts_of,
    rule_problems,
)
from regentra.domain.events import (
    MAX_CHAIN_DEPTH,
    SLA_AT_RISK,
    SLA_BREACHED,
    TRIGGER_OF_EVENT,
    BusEvent,
    Cause,
)
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.tickets import Ticket
from regentra.errors import NotFound, ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.ports import Mailer, Page
from regentra.services.priority import Planned, consumed_marker, write_guarded

PREFIX = "automation#"
DEFAULT_FROM = "notifications@regentra.invalid"


def _setting(rule_id: str) -> str:
    return f"{PREFIX}{rule_id}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


# --- rules (admin) --------------------------------------------------------------------------------


def _view(doc: dict[str, Any]) -> dict[str, Any]:
    rule = RuleBody.model_validate(_body(doc))
    return {
        "id": doc["id"],
        **rule.model_dump(mode="json"),
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
    }


def _body(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("id", "created_at", "updated_at")}


def _check(rule: RuleBody) -> None:
    problems = rule_problems(rule)
    if problems:
        raise ValidationFailed("The rule is not valid.", problems)


def _load(deps: Deps, tenant_id: str, rule_id: str) -> dict[str, Any]:
    if not is_valid_id(rule_id):
        raise NotFound("Automation rule not found.")
    doc = deps.settings.get_settings(tenant_id, _setting(rule_id))
    if doc is None:
        raise NotFound("Automation rule not found.")
    return doc


def create_rule(principal: Principal, rule: RuleBody, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    _check(rule)
    now = deps.clock.now()
    doc = {"id": new_id(now), **rule.model_dump(mode="json"), "created_at": iso(now), "updated_at": iso(now)}
    deps.settings.put_settings(principal.tenant_id, _setting(doc["id"]), doc, now)
    return _view(doc)


def list_rules(principal: Principal, deps: Deps) -> list[dict[str, Any]]:
    principal.require_admin()
    return [_view(d) for d in _rules(deps, principal.tenant_id)]


def get_rule(principal: Principal, rule_id: str, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    return _view(_load(deps, principal.tenant_id, rule_id))


def put_rule(principal: Principal, rule_id: str, rule: RuleBody, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    before = _load(deps, principal.tenant_id, rule_id)
    _check(rule)
    now = deps.clock.now()
    doc = {
        "id": rule_id,
        **rule.model_dump(mode="json"),
        "created_at": before["created_at"],
        "updated_at": iso(now),
    }
    deps.settings.put_settings(principal.tenant_id, _setting(rule_id), doc, now)
    return _view(doc)


def delete_rule(principal: Principal, rule_id: str, deps: Deps) -> None:
    principal.require_admin()
    if not is_valid_id(rule_id) or not deps.settings.delete_settings(principal.tenant_id, _setting(rule_id)):
        raise NotFound("Automation rule not found.")


def _rules(deps: Deps, tenant_id: str) -> list[dict[str, Any]]:
    docs = deps.settings.list_settings(tenant_id, PREFIX)
    return sorted(docs, key=lambda d: (int(d.get("order", 0)), str(d.get("name", "")), str(d["id"])))


def list_runs(
    principal: Principal, rule_id: str, limit: int, cursor: str | None, deps: Deps
) -> Page[dict[str, Any]]:
    principal.require_admin()
    _load(deps, principal.tenant_id, rule_id)
    scope = scope_of("automation_runs", principal.tenant_id, rule_id, None)
    return deps.automations.list_runs(principal.tenant_id, rule_id, limit, cursor, scope)


# --- the dry run ----------------------------------------------------------------------------------


def dry_run_rule(principal: Principal, rule_id: str, ticket_id: str, deps: Deps) -> dict[str, Any]:
    """What the rule would do to the ticket now: which conditions match, which actions would run
    and with what outcome. Writes nothing (no ticket change, no log, no notification)."""
    principal.require_admin()
    doc = _load(deps, principal.tenant_id, rule_id)
    rule = RuleBody.model_validate(_body(doc))
    ticket = deps.tickets.get(principal.tenant_id, ticket_id) if is_valid_id(ticket_id) else None
    if ticket is None:
        raise NotFound("Ticket not found.")
    conditions = evaluate(rule, facts_of(ticket, _contact_email(deps, ticket, rule)), None)
    would = all(c.matched for c in conditions)
    if would:
        outcome = apply_actions(ticket, rule_id, rule, deps.clock.now())
        actions = [r | {"would": r["outcome"]} for r in outcome.results] + [
            {"type": "send_notification", "to": _recipients(n), "message": n.message, "would": "notify"}
            for n in outcome.notifications
        ]
        actions = [a for a in actions if not (a["type"] == "send_notification" and "outcome" in a)]
    else:
        actions = [
            {"type": a.type, "value": a.model_dump(mode="json")["value"], "would": "not_run"}
            for a in rule.actions
        ]
    return {
        "rule_id": rule_id,
        "ticket_id": ticket.id,
        "would_execute": would,
        "result": "would execute" if would else "would not execute",
        "conditions": [c.as_dict() for c in conditions],
        "actions": actions,
        "dry_run": True,
    }


def _contact_email(deps: Deps, ticket: Ticket, rule: RuleBody) -> str | None:
    if ticket.contact_id is None or not any(c.field == "contact_email" for c in rule.conditions):
        return None
    contact = deps.directory.get_contact(ticket.tenant_id, ticket.contact_id)
    return contact.email if contact else None


def _recipients(n: Notification) -> list[str]:
    return ([f"U#{n.user_id}"] if n.user_id else []) + ([f"E#{n.email.lower()}"] if n.email else [])


# --- running on events ----------------------------------------------------------------------------


def run_automations(deps: Deps, event: BusEvent, mailer: Mailer | None = None) -> dict[str, Any]:
    """Evaluate the tenant's rules for this event's trigger (idempotent per rule and event)."""
    trigger = TRIGGER_OF_EVENT.get(event.type)
    if trigger is None:
        return {"skipped": event.type}
    tenant_id = event.tenant_id
    if event.type in (SLA_AT_RISK, SLA_BREACHED):
        _sla_alert(deps, event)
    rules = [
        (d, RuleBody.model_validate(_body(d)))
        for d in _rules(deps, tenant_id)
        if d.get("enabled", True) and d.get("trigger") == trigger
    ]
    cause = event.cause
    summary: dict[str, Any] = {"trigger": trigger, "evaluated": 0, "matched": 0}
    changes = event_changes(event.changes())
    for doc, rule in rules:
        rule_id = str(doc["id"])
        marker = consumed_marker(f"automation:{rule_id}", event.id)
        logged = deps.automations.get_run(tenant_id, rule_id, event.at, event.id, cause.depth)
        if logged is not None or deps.tickets.lookup(tenant_id, marker) is not None:
            # An earlier delivery of this event got here: never twice.
            if logged is None:
                _log(deps, event, rule_id, True, {"note": "applied by an earlier delivery of this event"})
            if (logged is None or logged["matched"]) and rule.stop_after_match:
                break
            continue
        if cause.depth >= MAX_CHAIN_DEPTH:
            _log(
                deps, event, rule_id, False, {"skipped": f"automation chain depth {MAX_CHAIN_DEPTH} reached"}
            )
            continue
        if rule_id in cause.rules:
            _log(deps, event, rule_id, False, {"skipped": "the change was made by this rule"})
            continue
        ticket = deps.tickets.get(tenant_id, event.ticket_id)
        if ticket is None:
            break
        summary["evaluated"] += 1
        conditions = evaluate(rule, facts_of(ticket, _contact_email(deps, ticket, rule)), changes)
        if not all(c.matched for c in conditions):
            _log(
                deps, event, rule_id, False, {"conditions": [c.as_dict() for c in conditions], "actions": []}
            )
            continue
        summary["matched"] += 1
        results = _execute(deps, event, rule_id, rule, cause, marker, mailer)
        _log(
            deps, event, rule_id, True, {"conditions": [c.as_dict() for c in conditions], "actions": results}
        )
        if rule.stop_after_match:
            break
    return summary


def _log(deps: Deps, event: BusEvent, rule_id: str, matched: bool, body: dict[str, Any]) -> None:
    deps.automations.put_run(
        event.tenant_id,
        rule_id,
        event_id=event.id,
        event_type=event.type,
        event_at=event.at,
        at=deps.clock.now(),
        ticket_id=event.ticket_id,
        matched=matched,
        body=body,
        depth=event.cause.depth,
    )


def _execute(
    deps: Deps,
    event: BusEvent,
    rule_id: str,
    rule: RuleBody,
    cause: Cause,
    marker: str,
    mailer: Mailer | None,
) -> list[dict[str, Any]]:
    """The rule's actions: one guarded write of the ticket (with the once-only marker), then its
    notifications. A rule whose actions change nothing on the ticket still claims the event."""
    captured: dict[str, Outcome] = {}

    def plan(current: Ticket, now: datetime) -> Planned | None:
        outcome = apply_actions(current, rule_id, rule, now)
        captured["outcome"] = outcome
        if outcome.ticket == current and not outcome.notes:
            return None
        return Planned(
            outcome.ticket,
            outcome.activity,
            source=f"automation:{rule_id}",
            priority_change=outcome.priority_change,
            records=list(outcome.notes),
            cause=cause.then(rule_id),
        )

    saved = write_guarded(deps, event.tenant_id, event.ticket_id, plan, once=marker)
    outcome = captured.get("outcome")
    if outcome is None:
        return []
    if saved is None and not deps.tickets.put_lookup(event.tenant_id, marker, "1", only_if_absent=True):
        return [{"note": "applied by an earlier delivery of this event"}]
    results = [r for r in outcome.results if r["type"] != "send_notification"]
    for i, n in enumerate(outcome.notifications):
        results.append(_notify(deps, event, rule_id, rule.name, i, n, outcome.ticket, mailer))
    return results


def _notify(
    deps: Deps,
    event: BusEvent,
    rule_id: str,
    rule_name: str,
    index: int,
    n: Notification,
    ticket: Ticket,
    mailer: Mailer | None,
) -> dict[str, Any]:
    nid = _digest(event.id, rule_id, str(index))
    for recipient in _recipients(n):
        deps.automations.put_notification(
            event.tenant_id,
            recipient,
            notification_id=nid,
            at=deps.clock.now(),
            reason="automation",
            message=n.message,
            ticket_id=ticket.id,
            rule_id=rule_id,
        )
    result: dict[str, Any] = {"type": "send_notification", "to": _recipients(n), "outcome": "done"}
    if n.email:
        try:
            _send_email(
                deps, event.tenant_id, n.email, f"[#{ticket.number}] {rule_name}", n.message, ticket, mailer
            )
            result["email"] = "sent"
        except Exception as exc:  # noqa: BLE001 - the in-app notification stands; the log says why
            result["email"] = f"failed: {type(exc).__name__}"
    return result


def _send_email(
    deps: Deps, tenant_id: str, to: str, subject: str, body: str, ticket: Ticket, mailer: Mailer | None
) -> None:
    if mailer is None:
        from regentra.services.deps import mailer as default_mailer

        mailer = default_mailer()
    channels = deps.settings.get_settings(tenant_id, "channels") or {}
    sender = (channels.get("support_emails") or [DEFAULT_FROM])[0]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = " ".join(f"{subject}: {ticket.subject}".split())[:200]
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "regentra.invalid")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(f"{body}\n\nTicket #{ticket.number}: {ticket.subject}\n")
    mailer.send_raw(bytes(msg), from_address=sender, to_address=to, ticket_id=ticket.id)


def _sla_alert(deps: Deps, event: BusEvent) -> None:
    """An in-app alert for the ticket's assignee when a timer is at risk or breached (once: the
    notification's id comes from the event)."""
    ticket = deps.tickets.get(event.tenant_id, event.ticket_id)
    if ticket is None or ticket.assignee_id is None:
        return
    timer = str(event.detail.get("timer", ""))
    state = "at risk" if event.type == SLA_AT_RISK else "breached"
    deps.automations.put_notification(
        event.tenant_id,
        f"U#{ticket.assignee_id}",
        notification_id=_digest(event.id, "sla"),
        at=event.at,
        reason="sla_at_risk" if event.type == SLA_AT_RISK else "sla_breached",
        message=f"Ticket #{ticket.number} ({ticket.subject}): the {timer} SLA is {state}.",
        ticket_id=ticket.id,
        rule_id=None,
    )


# --- notifications (staff) ------------------------------------------------------------------------


def list_notifications(
    principal: Principal, limit: int, cursor: str | None, deps: Deps
) -> Page[dict[str, Any]]:
    """The caller's in-app notifications (by user id, and by the email in their token), newest first."""
    principal.require_staff()
    recipients = [f"U#{principal.user_id}"] + ([f"E#{principal.email.lower()}"] if principal.email else [])
    scope = scope_of("notifications", principal.tenant_id, principal.user_id, None)
    return deps.automations.list_notifications(principal.tenant_id, recipients, limit, cursor, scope)
