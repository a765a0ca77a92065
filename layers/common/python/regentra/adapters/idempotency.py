"""Run-once for retried requests, on powertools idempotency with DynamoDB persistence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regentra.config import Settings, get_settings
from regentra.errors import Conflict


class PowertoolsIdempotency:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or get_settings()
        self._store: Any = None
        self._config: Any = None
        self._lambda_context: Any = None

    def _persistence(self) -> tuple[Any, Any]:
        # Built on first use: a handler that never sees an Idempotency-Key pays nothing at cold start.
        if self._store is None:
            import boto3
            from aws_lambda_powertools.utilities.idempotency import (
                DynamoDBPersistenceLayer,
                IdempotencyConfig,
            )

            client = boto3.client(
                "dynamodb", endpoint_url=self._settings.dynamodb_endpoint, region_name=self._settings.region
            )
            self._store = DynamoDBPersistenceLayer(
                table_name=self._settings.idempotency_table_name, boto3_client=client
            )
            self._config = IdempotencyConfig(
                event_key_jmespath="key",
                payload_validation_jmespath="payload",
                expires_after_seconds=self._settings.idempotency_ttl_seconds,
                raise_on_no_idempotency_key=True,
            )
        return self._store, self._config

    def register_lambda_context(self, context: Any) -> None:
        self._lambda_context = context

    def run_once(
        self, key: dict[str, Any], payload: dict[str, Any], compute: Callable[[], dict[str, Any]]
    ) -> Any:
        """Return `compute()` the first time `key` is seen, and that same result on every retry.
        The same key with a different payload raises IdempotencyValidationError."""
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        store, config = self._persistence()
        if self._lambda_context is not None and hasattr(self._lambda_context, "get_remaining_time_in_millis"):
            config.register_lambda_context(self._lambda_context)

        @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config)
        def once(request: dict[str, Any]) -> dict[str, Any]:
            return compute()

        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        # The adapter turns the library's errors into ours; the HTTP layer never imports it, so a
        # handler's cold start does not pay for powertools idempotency (and the boto3 it pulls in).
        try:
            return once(request={"key": key, "payload": payload})
        except IdempotencyValidationError as exc:
            raise Conflict("This Idempotency-Key was already used with a different body.") from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise Conflict("A request with this Idempotency-Key is still in progress.") from exc
