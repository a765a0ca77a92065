"""Entry points for EventBridge schedules: parse the event, run one service job, log its figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from regentra.services.deps import Deps, default_deps

logger = Logger(service="regentra")


def scheduled_handler(job: Callable[[Deps], Any]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        parse(event=event, model=EventBridgeModel)  # a malformed trigger fails loudly, before any write
        result = job(default_deps()).as_dict()
        logger.info("job finished", extra={"job": job.__name__, **result})
        return result

    return handler
