"""Master and child tickets: promote / demote, link / unlink, the cascade prompt, and the cascade
itself (started here, run by the state machine in infra/statemachines/cascade.asl.json, whose
task handlers call the step functions at the end of this module)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from regentra.domain import cascade as rules
from regentra.domain.cascade import Cascade, CascadeChange
from regentra.domain.conversation import STAFF, Note, OnceMarker
from regentra.domain.enums import Status
from regentra.domain.events import change_events
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.tickets import Activity, Ticket
from regentra.errors import ConcurrentUpdate, Conflict, InvalidTransition, NotFound, ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps, cascade_store, cascade_workflow
from regentra.services.ports import CascadeStore
from regentra.services.requests import StartCascade
from regentra.services.sla import on_change
from regentra.services.tickets import MAX_WRITE_ATTEMPTS

CHILD_PAGE = 100  # children per ListChildren page (one Map over them per page)


def _store() -> CascadeStore:
    return cascade_store()


def _load(principal: Principal, deps: Deps, ticket_id: str) -> Ticket:
    if not is_valid_id(ticket_id):
        raise NotFound("Ticket not found.")
    ticket = deps.tickets.get(principal.tenant_id, ticket_id)
    if ticket is None:
        raise NotFound("Ticket not found.")
    return ticket


# --- promote / demote --------------------------------------------------------------------------


def promote(principal: Principal, ticket_id: str, deps: Deps) -> Ticket:
    return _set_master(principal, ticket_id, deps, rules.promote)


def demote(principal: Principal, ticket_id: str, deps: Deps) -> Ticket:
    return _set_master(principal, ticket_id, deps, rules.demote)


def _set_master(principal: Principal, ticket_id: str, deps: Deps, rule: Any) -> Ticket:
    principal.require_staff_writer()
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = _load(principal, deps, ticket_id)
        updated, activity = rule(ticket, deps.clock.now(), principal.user_id, principal.source)
        if not activity:
            return ticket
        try:
            return deps.tickets.save(updated, activity)
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate("The ticket kept changing; try again.")


# --- link / unlink -----------------------------------------------------------------------------


@dataclass
class LinkResult:
    linked: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"linked": self.linked, "rejected": self.rejected}


def link_children(principal: Principal, master_id: str, child_ids: list[str], deps: Deps) -> LinkResult:
    """Link children to a master in batches (one transaction each: the children, their links and
    the master's child_count). Each id is linked or rejected with a reason; a batch that lost a race
    is re-read and re-checked."""
    principal.require_staff_writer()
    store = _store()
    master = _load(principal, deps, master_id)
    rules.require_master(master)
    wanted = list(dict.fromkeys(child_ids))
    if len(wanted) > rules.MAX_CHILDREN_PER_CALL:
        raise ValidationFailed(
            f"At most {rules.MAX_CHILDREN_PER_CALL} children per call.",
            [{"field": "child_ids", "issue": f"more than {rules.MAX_CHILDREN_PER_CALL}"}],
        )
    result = LinkResult()
    valid = [i for i in wanted if is_valid_id(i) and i != master.id]
    found = store.get_tickets(principal.tenant_id, valid)
    outcome: dict[str, str | None] = {}
    pending: list[Ticket] = []
    for child_id in wanted:
        child = found.get(child_id) if child_id in valid else None
        reason = rules.link_rejection(master, child_id, child)
        if reason is not None:
            outcome[child_id] = reason
        elif child is not None and child.master_id == master.id:
            outcome[child_id] = None  # linked already: nothing to write
        elif child is not None:
            pending.append(child)
    for start in range(0, len(pending), rules.LINK_BATCH):
        master = _link_batch(
            principal, deps, store, master, pending[start : start + rules.LINK_BATCH], outcome
        )
    for child_id in wanted:
        reason = outcome.get(child_id)
        if reason is None:
            result.linked.append(child_id)
        else:
            result.rejected.append(
                {"id": child_id, "reason": reason, "message": rules.REJECTION_MESSAGES[reason]}
            )
    return result


def _link_batch(
    principal: Principal,
    deps: Deps,
    store: CascadeStore,
    master: Ticket,
    batch: list[Ticket],
    outcome: dict[str, str | None],
) -> Ticket:
    for attempt in range(MAX_WRITE_ATTEMPTS):
        now = deps.clock.now()
        linking = []
        for child in batch:
            updated, entry = rules.linked_child(child, master.id, now, principal.user_id, principal.source)
            linking.append((updated, entry))
        if not linking:
            return master
        entry = Activity(
            now,
            principal.user_id,
            principal.source,
            {"event": "children_linked", "child_ids": [c.id for c, _ in linking]},
        )
        try:
            master = store.link(master, linking, entry)
        except ConcurrentUpdate:
            if attempt == MAX_WRITE_ATTEMPTS - 1:
                raise
            # Someone changed the master or a child: read them again and re-check every rule.
            master = _load(principal, deps, master.id)
            rules.require_master(master)
            fresh = store.get_tickets(principal.tenant_id, [c.id for c in batch])
            batch = []
            for child_id in [c.id for c, _ in linking]:
                again = fresh.get(child_id)
                reason = rules.link_rejection(master, child_id, again)
                if reason is not None:
                    outcome[child_id] = reason
                elif again is not None and again.master_id == master.id:
                    outcome[child_id] = None  # a concurrent request linked it: done
                elif again is not None:
                    batch.append(again)
            continue
        for child, _ in linking:
            outcome[child.id] = None
        return master
    raise ConcurrentUpdate("The tickets kept changing; try again.")


def unlink_child(principal: Principal, master_id: str, child_id: str, deps: Deps) -> None:
    principal.require_staff_writer()
    store = _store()
    for _ in range(MAX_WRITE_ATTEMPTS):
        master = _load(principal, deps, master_id)
        child = _load(principal, deps, child_id)
        if child.master_id != master.id:
            raise NotFound("This ticket is not a child of that master.")
        now = deps.clock.now()
        updated, child_entry = rules.unlinked_child(child, now, principal.user_id, principal.source)
        master_entry = Activity(
            now, principal.user_id, principal.source, {"event": "child_unlinked", "child_id": child.id}
        )
        try:
            store.unlink(master, updated, child_entry, master_entry)
        except ConcurrentUpdate:
            continue
        return
    raise ConcurrentUpdate("The tickets kept changing; try again.")


def children_of(deps: Deps, master: Ticket) -> list[Ticket]:
    store = _store()
    ids = store.all_child_ids(master.tenant_id, master.id)
    found = store.get_tickets(master.tenant_id, ids)
    return [found[i] for i in ids if i in found]


def cascade_prompt(deps: Deps, ticket: Ticket, requested_status: Status | None) -> dict[str, Any] | None:
    """What a PATCH asking for RESOLVED / CLOSED that moved a master with children there returns
    beside the ticket, so the UI can offer the cascade: how many children it would touch or skip."""
    if requested_status != ticket.status or not ticket.is_master or ticket.child_count <= 0:
        return None
    if not rules.moved_to_done(ticket):
        return None
    return rules.cascade_prompt(ticket, children_of(deps, ticket))


# --- the cascade -------------------------------------------------------------------------------


def change_of(req: StartCascade) -> CascadeChange:
    change = CascadeChange(
        status=req.status,
        assignee_id=req.assignee_id,
        resolution=req.resolution,
        reply_body=req.reply.body if req.reply is not None else None,
    )
    if change.empty:
        raise ValidationFailed(
            "Say what to cascade: status, assignee_id, resolution or reply.",
            [{"field": "body", "issue": "nothing to cascade"}],
        )
    if change.status == Status.OPEN:
        raise ValidationFailed(
            "OPEN cannot be cascaded (no ticket moves back to OPEN).",
            [{"field": "status", "issue": "not a target status"}],
        )
    return change


def start_cascade(principal: Principal, master_id: str, req: StartCascade, deps: Deps) -> Cascade:
    """Record the cascade (RUNNING) and start its execution, named by the cascade id: the same
    request against the same master version is the same cascade, so a re-post starts nothing."""
    principal.require_staff_writer()
    store = _store()
    master = _load(principal, deps, master_id)
    rules.require_master(master)
    change = change_of(req)
    cascade_id = rules.cascade_id_for(principal.tenant_id, master, change)
    cascade = store.get(principal.tenant_id, cascade_id)
    if cascade is None:
        now = deps.clock.now()
        cascade = Cascade(
            tenant_id=principal.tenant_id,
            id=cascade_id,
            master_id=master.id,
            change=change,
            actor=principal.user_id,
            created_at=now,
            total=master.child_count,
        )
        entry = Activity(
            now,
            principal.user_id,
            principal.source,
            {
                "event": "cascade_started",
                "cascade_id": cascade_id,
                "change": change.as_dict(),
                "children": master.child_count,
            },
        )
        if not store.create(cascade, entry):
            cascade = store.get(principal.tenant_id, cascade_id) or cascade
    if cascade.state == rules.RUNNING:
        # Also after a crash between recording and starting: a second start of the same name is refused.
        cascade_workflow().start(
            cascade_id,
            {
                "tenant_id": principal.tenant_id,
                "cascade_id": cascade_id,
                "master_id": master.id,
                "cursor": None,
            },
        )
    return cascade


def get_cascade(principal: Principal, cascade_id: str, deps: Deps) -> Cascade:
    """A cascade and its progress: while RUNNING the counts come from its markers so far."""
    principal.require_staff()
    if not rules.is_cascade_id(cascade_id):
        raise NotFound("Cascade not found.")
    store = _store()
    cascade = store.get(principal.tenant_id, cascade_id)
    if cascade is None:
        raise NotFound("Cascade not found.")
    if cascade.state == rules.RUNNING:
        counts = rules.tally(store.outcomes(cascade.tenant_id, cascade.id))
        cascade = replace(
            cascade, applied=counts["applied"], skipped=counts["skipped"], failed=counts["failed"]
        )
    return cascade


# --- the state machine's steps (functions/jobs/cascade_*) ---------------------------------------


def list_children_step(
    deps: Deps, tenant_id: str, cascade_id: str, master_id: str, cursor: str | None
) -> dict[str, Any]:
    """ListChildren: one page of the master's children. Children this cascade has handled already
    (a re-run) are left out; those finished (or gone) now are marked skipped here; the rest go to
    the Map. A re-run of a finished cascade therefore reads, and writes nothing."""
    store = _store()
    ids, next_cursor = store.child_ids(tenant_id, master_id, cursor, CHILD_PAGE)
    handled = store.markers(tenant_id, cascade_id, ids)
    todo = [i for i in ids if i not in handled]
    found = store.get_tickets(tenant_id, todo)
    eligible = []
    for child_id in todo:
        child = found.get(child_id)
        if child is not None and child.master_id == master_id and rules.is_eligible(child):
            eligible.append(child_id)
        else:
            marker = rules.marker_name(cascade_id, child_id)
            deps.tickets.put_lookup(tenant_id, marker, rules.SKIPPED, only_if_absent=True)
    return {"children": eligible, "next_cursor": next_cursor, "listed": len(ids), "done_before": len(handled)}


_specs: dict[tuple[str, str], Cascade] = {}


def _cascade_spec(tenant_id: str, cascade_id: str) -> Cascade:
    """What a cascade applies (master, change, actor) never changes once recorded: one read per
    warm function instance, not one per child."""
    key = (tenant_id, cascade_id)
    if key not in _specs:
        cascade = _store().get(tenant_id, cascade_id)
        if cascade is None:
            raise NotFound(f"cascade {cascade_id} not found")
        if len(_specs) >= 64:
            _specs.clear()
        _specs[key] = cascade
    return _specs[key]


def apply_step(deps: Deps, tenant_id: str, cascade_id: str, child_id: str) -> dict[str, Any]:
    """ApplyToChild: the master's change to one child, at most once per (cascade, child): the
    marker is written in the child's own transaction. A child RESOLVED / CLOSED (or unlinked) at
    this moment is left alone and counted skipped. Transient errors raise (the state machine
    retries them); a change the lifecycle refuses is counted failed without retrying."""
    marker = rules.marker_name(cascade_id, child_id)
    done = deps.tickets.lookup(tenant_id, marker)
    if done is not None:
        return {"child_id": child_id, "outcome": rules.MARKER_VALUES.get(done, done), "repeated": True}
    cascade = _cascade_spec(tenant_id, cascade_id)
    try:
        _apply(deps, cascade, child_id, marker)
        outcome = rules.APPLIED
    except rules.ChildFinished:
        outcome = rules.SKIPPED
    except (InvalidTransition, Conflict, NotFound):
        outcome = rules.FAILED
    except ConcurrentUpdate:
        # The marker's condition fails like a lost race: if a parallel attempt applied it, done.
        done = deps.tickets.lookup(tenant_id, marker)
        if done is None:
            raise
        return {"child_id": child_id, "outcome": rules.MARKER_VALUES.get(done, done), "repeated": True}
    if outcome != rules.APPLIED and not deps.tickets.put_lookup(
        tenant_id, marker, outcome, only_if_absent=True
    ):
        done = deps.tickets.lookup(tenant_id, marker) or outcome
        return {"child_id": child_id, "outcome": rules.MARKER_VALUES.get(done, done), "repeated": True}
    return {"child_id": child_id, "outcome": outcome}


def _apply(deps: Deps, cascade: Cascade, child_id: str, marker: str) -> None:
    from regentra.services.conversation import Author, add_reply

    change = cascade.change
    source = f"cascade:{cascade.id}"
    actor = cascade.actor

    def extras(ticket: Ticket) -> tuple[list[Any], list[Activity]]:
        now = deps.clock.now()
        records: list[Any] = [OnceMarker(marker)]
        activity: list[Activity] = []
        if change.resolution:
            note = Note(new_id(now), ticket.id, actor, change.resolution, now, source=source)
            records.append(note)
            activity.append(
                Activity(
                    now, actor, source, {"event": "note_added", "note_id": note.id, "kind": "resolution"}
                )
            )
        return records, activity

    if change.reply_body:
        # One transaction per child: the reply (and the status it sets) through the conversation
        # service, with the assignee, the resolution note and the marker added by `prepare`, which
        # runs on every fresh read of the child inside add_reply's versioned retry loop.
        records: list[Any] = []

        def prepare(ticket: Ticket) -> tuple[Ticket, list[Activity]]:
            rules.guard_child(ticket, cascade.master_id)
            updated, activity = rules.assign(ticket, change, deps.clock.now(), actor, source)
            fresh, more = extras(ticket)
            records[:] = fresh
            return updated, activity + more

        add_reply(
            deps,
            cascade.tenant_id,
            child_id,
            Author(STAFF, actor, source, counts_as_response=True),
            change.reply_body,
            set_status=change.status,
            prepare=prepare,
            extra_records=records,
        )
        return
    for _ in range(MAX_WRITE_ATTEMPTS):
        child = deps.tickets.get(cascade.tenant_id, child_id)
        if child is None:
            raise rules.ChildFinished(child_id)
        rules.guard_child(child, cascade.master_id)
        now = deps.clock.now()
        updated, activity = rules.apply_without_reply(child, change, now, actor, source)
        records, more = extras(child)
        updated, counters = on_change(child, replace(updated, updated_at=now), now)
        events = change_events(child, updated, source=source, at=now)  # StatusChanged / TicketUpdated
        try:
            deps.tickets.save(updated, activity + more, counters=counters, records=records, events=events)
        except ConcurrentUpdate:
            continue
        return
    raise ConcurrentUpdate(f"child {child_id} kept changing")


def record_failure_step(
    deps: Deps, tenant_id: str, cascade_id: str, child_id: str, error: str
) -> dict[str, Any]:
    """RecordChildFailure (the Catch after ApplyToChild's retries): counted failed, once."""
    marker = rules.marker_name(cascade_id, child_id)
    deps.tickets.put_lookup(tenant_id, marker, rules.FAILED, only_if_absent=True)
    outcome = deps.tickets.lookup(tenant_id, marker) or rules.FAILED
    return {"child_id": child_id, "outcome": rules.MARKER_VALUES.get(outcome, outcome), "error": error}


def finalize_step(deps: Deps, tenant_id: str, cascade_id: str, error: str | None = None) -> dict[str, Any]:
    """Finalize / MarkFailed: the counts from the markers, stored once with the final state."""
    store = _store()
    cascade = store.get(tenant_id, cascade_id)
    if cascade is None:
        raise NotFound(f"cascade {cascade_id} not found")
    if cascade.state != rules.RUNNING:  # a retried step or a re-run: it is recorded already
        return {
            "cascade_id": cascade_id, "state": cascade.state, "total": cascade.total,
            "applied": cascade.applied, "skipped": cascade.skipped, "failed": cascade.failed,
        }  # fmt: skip
    counts = rules.tally(store.outcomes(tenant_id, cascade_id))
    handled = counts["applied"] + counts["skipped"] + counts["failed"]
    now = deps.clock.now()
    final = replace(
        cascade,
        state=rules.FAILED_STATE if error else rules.SUCCEEDED,
        total=max(cascade.total, handled),
        applied=counts["applied"],
        skipped=counts["skipped"],
        failed=counts["failed"],
        finished_at=now,
        error=error,
    )
    entry = Activity(
        now,
        cascade.actor,
        f"cascade:{cascade_id}",
        {"event": "cascade_finished", "cascade_id": cascade_id, "state": final.state, **counts},
    )
    store.finish(final, entry)
    return {"cascade_id": cascade_id, "state": final.state, "total": final.total, **counts}
