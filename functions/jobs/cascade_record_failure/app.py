"""Cascade state machine, RecordChildFailure: a child whose apply failed after its retries."""

from regentra.api.tasks import FailedChildInput, task_handler
from regentra.services.cascades import record_failure_step

handler = task_handler(
    FailedChildInput,
    lambda d, e: record_failure_step(d, e.tenant_id, e.cascade_id, e.child_id, e.error.Error),
)
