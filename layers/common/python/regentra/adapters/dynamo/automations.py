"""DynamoDB side of automations and priority policies: rule evaluation logs, in-app notifications
and the per-client spike counters (item layouts in items.py). Rules themselves are tenant
settings documents (`automation#<id>`), read through the settings repository."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import AutomationRunItem, LookupItem, NotificationItem, SpikeCounterItem
from regentra.clock import iso
from regentra.config import get_settings
from regentra.cursors import decode_cursor, encode_cursor
from regentra.domain.policies import window_buckets
from regentra.services.ports import Page


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def run_sort_key(event_at: datetime, event_id: str, depth: int = 0) -> str:
    """Runs sort by the event's time, then its automation chain depth (a rule-made change comes
    after the change that caused it, even within one millisecond); the event names the rest."""
    return f"RUN#{iso(event_at)}#{depth:02d}#{_digest(event_id)}"


def _condition_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) in (
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    )


def _run_view(item: AutomationRunItem) -> dict[str, Any]:
    return {
        "rule_id": item.rule_id,
        "at": iso(item.at),
        "event_id": item.event_id,
        "event_type": item.event_type,
        "ticket_id": item.ticket_id,
        "matched": bool(item.matched),
        **dict(item.body or {}),
    }


def _notification_view(item: NotificationItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "at": iso(item.at),
        "reason": item.reason,
        "message": item.message,
        "ticket_id": item.ticket_id,
        "rule_id": item.rule_id,
    }


class DynamoAutomationStore:
    def __init__(self) -> None:
        self._conn = ensure_configured()

    # -- evaluation log ----------------------------------------------------------------------------
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
    ) -> None:
        """One evaluation; keyed by rule and event, so a redelivered event rewrites the same run."""
        AutomationRunItem(
            pk=AutomationRunItem.partition(tenant_id, rule_id),
            sk=run_sort_key(event_at, event_id, depth),
            tenant_id=tenant_id,
            rule_id=rule_id,
            at=at,
            event_id=event_id,
            event_type=event_type,
            ticket_id=ticket_id,
            matched=matched,
            body=body,
        ).save()

    def get_run(
        self, tenant_id: str, rule_id: str, event_at: datetime, event_id: str, depth: int = 0
    ) -> dict[str, Any] | None:
        try:
            item = AutomationRunItem.get(
                AutomationRunItem.partition(tenant_id, rule_id),
                run_sort_key(event_at, event_id, depth),
                consistent_read=True,
            )
        except AutomationRunItem.DoesNotExist:
            return None
        return _run_view(item)

    def list_runs(
        self, tenant_id: str, rule_id: str, limit: int, cursor: str | None, scope: str
    ) -> Page[dict[str, Any]]:
        """Newest first, `limit` a page (one Query of the rule's log)."""
        secret = get_settings().cursor_secret
        condition: Condition = AutomationRunItem.sk.startswith("RUN#")
        if cursor:
            before = str(decode_cursor(secret, scope, cursor).get("sk", ""))
            condition = AutomationRunItem.sk < before  # the partition holds only runs
        items = list(
            AutomationRunItem.query(
                AutomationRunItem.partition(tenant_id, rule_id),
                range_key_condition=condition,
                scan_index_forward=False,
                limit=limit + 1,
                consistent_read=True,
            )
        )
        more = len(items) > limit
        items = items[:limit]
        nxt = encode_cursor(secret, scope, {"sk": items[-1].sk}) if more and items else None
        return Page([_run_view(i) for i in items], nxt)

    # -- notifications -----------------------------------------------------------------------------
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
    ) -> None:
        """Write one notification; its id comes from its cause, so writing it again changes nothing."""
        NotificationItem(
            pk=NotificationItem.partition(tenant_id, recipient),
            sk=f"{iso(at)}#{notification_id}",
            tenant_id=tenant_id,
            id=notification_id,
            at=at,
            recipient=recipient,
            reason=reason,
            message=message,
            ticket_id=ticket_id,
            rule_id=rule_id,
        ).save()

    def list_notifications(
        self, tenant_id: str, recipients: list[str], limit: int, cursor: str | None, scope: str
    ) -> Page[dict[str, Any]]:
        """A caller's notifications from each of their recipient names, merged newest first."""
        secret = get_settings().cursor_secret
        before = str(decode_cursor(secret, scope, cursor).get("sk", "")) if cursor else None
        found: list[NotificationItem] = []
        for recipient in dict.fromkeys(recipients):
            found.extend(
                NotificationItem.query(
                    NotificationItem.partition(tenant_id, recipient),
                    range_key_condition=(NotificationItem.sk < before) if before else None,
                    scan_index_forward=False,
                    limit=limit + 1,
                )
            )
        # One notification sent to a user by id and by email is one notification.
        found = list({i.id: i for i in sorted(found, key=lambda i: i.sk)}.values())
        found.sort(key=lambda i: i.sk, reverse=True)
        more = len(found) > limit
        page = found[:limit]
        nxt = encode_cursor(secret, scope, {"sk": page[-1].sk}) if more and page else None
        return Page([_notification_view(i) for i in page], nxt)

    # -- spike counters ----------------------------------------------------------------------------
    def count_ticket(
        self, tenant_id: str, client_id: str, ticket_id: str, created_at: datetime, window_minutes: int
    ) -> int:
        """Count the ticket once (an atomic ADD to its client's bucket, in one transaction with a
        once-only marker for the ticket), then return the client's tickets in the window ending at
        it: one BatchGet of the window's bucket counters, never a query of tickets."""
        size, names = window_buckets(created_at, window_minutes)
        pk, sk = SpikeCounterItem.key(tenant_id, client_id, size, names[0])
        mpk, msk = LookupItem.named_key(tenant_id, f"SPIKE#{ticket_id}#B{size}")
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(
                    LookupItem(pk=mpk, sk=msk, target=client_id, tenant_id=tenant_id),
                    condition=LookupItem.pk.does_not_exist(),
                )
                tx.update(
                    SpikeCounterItem(pk=pk, sk=sk),
                    actions=[SpikeCounterItem.value.add(1), SpikeCounterItem.kind.set(SpikeCounterItem)],
                )
        except TransactWriteError as exc:
            if not _condition_failed(exc):
                raise
            # counted by an earlier delivery of the same event: just read the window again
        keys = [SpikeCounterItem.key(tenant_id, client_id, size, name) for name in names]
        return sum(int(i.value or 0) for i in SpikeCounterItem.batch_get(keys, consistent_read=True))
