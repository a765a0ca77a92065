"""Cascade state machine, Finalize / MarkFailed: the final state and counts of a cascade."""

from regentra.api.tasks import FinalizeInput, task_handler
from regentra.services.cascades import finalize_step

handler = task_handler(
    FinalizeInput,
    lambda d, e: finalize_step(d, e.tenant_id, e.cascade_id, e.error.Error if e.error else None),
)
