"""Cascade state machine, ListChildren: one page of the master's children still to be done."""

from regentra.api.tasks import ListChildrenInput, task_handler
from regentra.services.cascades import list_children_step

handler = task_handler(
    ListChildrenInput,
    lambda d, e: list_children_step(d, e.tenant_id, e.cascade_id, e.master_id, e.cursor),
)
