"""Step Functions: start a state machine execution (the cascade to a master's children)."""

from __future__ import annotations

import json
from typing import Any


class StepFunctionsStarter:
    """The WorkflowStarter port in AWS. The execution is named by the caller (the cascade id), so
    Step Functions itself refuses a second start of the same cascade."""

    def __init__(self, state_machine_arn: str, region: str) -> None:
        self.state_machine_arn = state_machine_arn
        self.region = region
        self._client: Any = None

    def _sfn(self) -> Any:
        if self._client is None:  # created lazily: handlers import little at cold start
            import boto3

            self._client = boto3.client("stepfunctions", region_name=self.region)
        return self._client

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        client = self._sfn()
        try:
            client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=name,
                input=json.dumps(payload, separators=(",", ":")),
            )
        except client.exceptions.ExecutionAlreadyExists:
            return False
        return True
