"""Entry points for Step Functions task states: parse the state's input, run one service step,
return its result as the state's output. An exception fails the task with the exception's class
name as the error (ConcurrentUpdate, ...), which the state machine's Retry / Catch match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict

from regentra.services.deps import Deps, default_deps

logger = Logger(service="regentra")

E = TypeVar("E", bound=BaseModel)


class TaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListChildrenInput(TaskInput):
    tenant_id: str
    cascade_id: str
    master_id: str
    cursor: str | None = None


class ChildInput(TaskInput):
    tenant_id: str
    cascade_id: str
    child_id: str


class StateError(BaseModel):
    """What a Catch puts at its ResultPath."""

    model_config = ConfigDict(extra="ignore")

    Error: str
    Cause: str | None = None


class FailedChildInput(ChildInput):
    error: StateError


class FinalizeInput(TaskInput):
    tenant_id: str
    cascade_id: str
    error: StateError | None = None


def task_handler(
    model: type[E], step: Callable[[Deps, E], dict[str, Any]]
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        parsed = model.model_validate(event)  # a malformed state input fails loudly, before any write
        result = step(default_deps(), parsed)
        logger.info(
            "task finished",
            extra={"task": model.__name__, **{k: v for k, v in result.items() if k != "children"}},
        )
        return result

    return handler
