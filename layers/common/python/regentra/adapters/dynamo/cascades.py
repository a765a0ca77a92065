"""Master and child tickets in the single table.

- A master's children are LinkItems in the master's partition (`LINK#child#<child id>`), so its
  detail page still is one Query; each child carries `master_id` on its ticket item.
- Linking writes, in one transaction per batch, every child (conditional on its version, with its
  activity), a LinkItem per child, and the master (`child_count` ADD, conditional on the master's
  version and on it being a master) with one activity entry: the two sides never disagree.
- A cascade is a CascadeItem; what it did to each child is a once-only marker
  `CASCADE#<cascade>#<child>` in the tenant's LOOKUP partition, written in the child's own
  transaction ("1" = applied) or alone ("skipped" / "failed"). Progress is one Query of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from regentra.adapters.dynamo.connection import ensure_configured
from regentra.adapters.dynamo.items import (
    ActivityItem,
    CascadeItem,
    Item,
    LinkItem,
    LookupItem,
    TicketItem,
    ticket_pk,
)
from regentra.adapters.dynamo.repository import (
    _activity_items,
    _cancel_reasons,
    _condition_failed,
    item_to_ticket,
    ticket_to_item,
)
from regentra.domain.cascade import (
    LINK_BATCH,
    LINK_CHILD,
    RUNNING,
    Cascade,
    CascadeChange,
    marker_name,
    marker_prefix,
)
from regentra.domain.ids import new_id
from regentra.domain.tickets import Activity, Ticket
from regentra.errors import ConcurrentUpdate

CHILD_LINK_PREFIX = f"LINK#{LINK_CHILD}#"


def child_link_key(tenant_id: str, master_id: str, child_id: str) -> tuple[str, str]:
    return ticket_pk(tenant_id, master_id), f"{CHILD_LINK_PREFIX}{child_id}"


def _master_update(master: Ticket, delta: int) -> tuple[TicketItem, list[Any]]:
    item = TicketItem(pk=ticket_pk(master.tenant_id, master.id), sk="TICKET")
    item.version = master.version  # pynamodb conditions the update on it and increments it
    return item, [TicketItem.child_count.add(delta)]


def _cascade_from(item: CascadeItem) -> Cascade:
    return Cascade(
        tenant_id=item.tenant_id,
        id=item.id,
        master_id=item.master_id,
        change=CascadeChange.from_dict(dict(item.change or {})),
        actor=item.actor,
        created_at=item.created_at,
        state=item.state,
        total=int(item.total or 0),
        applied=int(item.applied or 0),
        skipped=int(item.skipped or 0),
        failed=int(item.failed or 0),
        finished_at=item.finished_at,
        error=item.error,
    )


class DynamoCascadeStore:
    def __init__(self) -> None:
        self._conn = ensure_configured()

    # --- children ------------------------------------------------------------------------------

    def get_tickets(self, tenant_id: str, ticket_ids: Iterable[str]) -> dict[str, Ticket]:
        """The tickets of this tenant among `ticket_ids` (BatchGetItem, 100 keys a call, consistent)."""
        keys = [(ticket_pk(tenant_id, i), "TICKET") for i in dict.fromkeys(ticket_ids)]
        if not keys:
            return {}
        return {
            item.id: item_to_ticket(item)
            for item in TicketItem.batch_get(keys, consistent_read=True)
            if isinstance(item, TicketItem)
        }

    def child_ids(
        self, tenant_id: str, master_id: str, after: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """One page of a master's children (by id), and the id to continue after (None: no more)."""
        pk = ticket_pk(tenant_id, master_id)
        start = {"PK": {"S": pk}, "SK": {"S": f"{CHILD_LINK_PREFIX}{after}"}} if after else None
        ids: list[str] = []
        for item in Item.query(
            pk,
            Item.sk.startswith(CHILD_LINK_PREFIX),
            consistent_read=True,
            last_evaluated_key=start,
            page_size=limit + 1,
        ):
            if len(ids) == limit:
                return ids, ids[-1]
            ids.append(item.sk[len(CHILD_LINK_PREFIX) :])
        return ids, None

    def all_child_ids(self, tenant_id: str, master_id: str) -> list[str]:
        out: list[str] = []
        after: str | None = None
        while True:
            page, after = self.child_ids(tenant_id, master_id, after, 1000)
            out += page
            if after is None:
                return out

    def link(
        self, master: Ticket, children: Sequence[tuple[Ticket, Activity]], master_activity: Activity
    ) -> Ticket:
        """Link up to LINK_BATCH children (each already carrying `master_id`, at the version it was
        read) in one transaction. ConcurrentUpdate when the master or any child changed meanwhile."""
        assert 0 < len(children) <= LINK_BATCH
        tenant = master.tenant_id
        master_item, actions = _master_update(master, len(children))
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.update(master_item, actions=actions, condition=TicketItem.is_master == True)  # noqa: E712
                for act in _activity_items(tenant, master.id, master.version + 1, [master_activity]):
                    tx.save(act)
                for child, entry in children:
                    tx.save(ticket_to_item(child))  # conditional on the version it was read at
                    for act in _activity_items(tenant, child.id, child.version + 1, [entry]):
                        tx.save(act)
                    pk, sk = child_link_key(tenant, master.id, child.id)
                    tx.save(LinkItem(pk=pk, sk=sk, link_type=LINK_CHILD, other_id=child.id, at=entry.at))
        except TransactWriteError as exc:
            if _condition_failed(exc):
                reasons = _cancel_reasons(exc)
                raise ConcurrentUpdate(
                    "The master or a child changed while linking.",
                    [{"master_changed": bool(reasons and reasons[0] == "ConditionalCheckFailed")}],
                ) from exc
            raise
        return replace(
            master,
            child_count=master.child_count + len(children),
            version=master.version + 1,
        )

    def unlink(
        self, master: Ticket, child: Ticket, child_activity: Activity, master_activity: Activity
    ) -> None:
        """`child` (already without master_id, at the version it was read) leaves `master`."""
        tenant = master.tenant_id
        master_item, actions = _master_update(master, -1)
        pk, sk = child_link_key(tenant, master.id, child.id)
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.update(master_item, actions=actions, condition=TicketItem.is_master == True)  # noqa: E712
                for act in _activity_items(tenant, master.id, master.version + 1, [master_activity]):
                    tx.save(act)
                tx.save(ticket_to_item(child))
                for act in _activity_items(tenant, child.id, child.version + 1, [child_activity]):
                    tx.save(act)
                tx.delete(LinkItem(pk=pk, sk=sk), condition=LinkItem.pk.exists())
        except TransactWriteError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate("The master or the child changed while unlinking.") from exc
            raise

    # --- cascades ------------------------------------------------------------------------------

    def create(self, cascade: Cascade, master_activity: Activity) -> bool:
        """Record a new cascade (RUNNING) with an entry in the master's activity; False if a
        cascade with this id exists already (a re-post)."""
        pk, sk = CascadeItem.key(cascade.tenant_id, cascade.id)
        item = CascadeItem(
            pk=pk,
            sk=sk,
            tenant_id=cascade.tenant_id,
            id=cascade.id,
            master_id=cascade.master_id,
            state=cascade.state,
            change=cascade.change.as_dict(),
            actor=cascade.actor,
            created_at=cascade.created_at,
            total=cascade.total,
        )
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.save(item, condition=CascadeItem.pk.does_not_exist())
                tx.save(self._activity(cascade.tenant_id, cascade.master_id, master_activity))
        except TransactWriteError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def get(self, tenant_id: str, cascade_id: str) -> Cascade | None:
        try:
            return _cascade_from(
                CascadeItem.get(*CascadeItem.key(tenant_id, cascade_id), consistent_read=True)
            )
        except CascadeItem.DoesNotExist:
            return None

    def finish(self, cascade: Cascade, master_activity: Activity) -> bool:
        """Store the final state and counts, once (while it is still RUNNING), with an entry in the
        master's activity. False when it had finished already (a retried step)."""
        pk, sk = CascadeItem.key(cascade.tenant_id, cascade.id)
        actions: list[Any] = [
            CascadeItem.state.set(cascade.state),
            CascadeItem.total.set(cascade.total),
            CascadeItem.applied.set(cascade.applied),
            CascadeItem.skipped.set(cascade.skipped),
            CascadeItem.failed.set(cascade.failed),
        ]
        if cascade.finished_at is not None:
            actions.append(CascadeItem.finished_at.set(cascade.finished_at))
        if cascade.error:
            actions.append(CascadeItem.error.set(cascade.error[:1000]))
        try:
            with TransactWrite(connection=self._conn) as tx:
                tx.update(CascadeItem(pk=pk, sk=sk), actions=actions, condition=CascadeItem.state == RUNNING)
                tx.save(self._activity(cascade.tenant_id, cascade.master_id, master_activity))
        except TransactWriteError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def markers(self, tenant_id: str, cascade_id: str, child_ids: Iterable[str]) -> dict[str, str]:
        """The stored marker value of each of these children that has one (BatchGetItem)."""
        names = {marker_name(cascade_id, c): c for c in dict.fromkeys(child_ids)}
        if not names:
            return {}
        keys = [LookupItem.named_key(tenant_id, n) for n in names]
        return {
            names[item.sk]: str(item.target)
            for item in LookupItem.batch_get(keys, consistent_read=True)
            if item.sk in names
        }

    def outcomes(self, tenant_id: str, cascade_id: str) -> list[str]:
        """The stored marker value of every child this cascade has handled (one paged Query)."""
        pk, _ = LookupItem.named_key(tenant_id, "")
        return [
            str(item.target)
            for item in LookupItem.query(
                pk, LookupItem.sk.startswith(marker_prefix(cascade_id)), consistent_read=True
            )
        ]

    @staticmethod
    def _activity(tenant_id: str, ticket_id: str, entry: Activity) -> ActivityItem:
        # Not a versioned write of the ticket: an entry beside it, ordered by its time and id.
        return ActivityItem.for_ticket(
            tenant_id,
            ticket_id,
            new_id(entry.at),
            at=entry.at,
            actor=entry.actor,
            source=entry.source,
            change=entry.change,
        )
