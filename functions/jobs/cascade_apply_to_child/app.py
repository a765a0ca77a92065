"""Cascade state machine, ApplyToChild: the master's change to one child, at most once."""

from regentra.api.tasks import ChildInput, task_handler
from regentra.services.cascades import apply_step

handler = task_handler(ChildInput, lambda d, e: apply_step(d, e.tenant_id, e.cascade_id, e.child_id))
