"""Typed configuration, read once per process from the environment (template.yaml sets it)."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    table_name: str = "regentra-table"
    idempotency_table_name: str = "regentra-idempotency"
    region: str = "us-east-1"
    # Set only for local runs (DynamoDB Local); in Lambda the SDK finds the endpoint.
    dynamodb_endpoint: str | None = None
    cursor_secret: str = "regentra-local-cursor-secret"
    max_body_bytes: int = 256 * 1024
    idempotency_ttl_seconds: int = 24 * 3600
    service_name: str = "regentra"
    event_bus_name: str = "default"
    mail_bucket: str = "regentra-mail"
    # The cascade state machine (Step Functions); locally the in-process interpreter runs it.
    cascade_state_machine_arn: str | None = None
    # Set by `regentra local`: side effects (events, mail, SMS) go to local sinks in this folder.
    local_data_dir: str | None = None
    # The AI analyzer's Bedrock model (Converse API); empty: the offline analyzer.
    bedrock_model_id: str | None = None
    # KB retrieval embeddings (Titan Text Embeddings v2, InvokeModel); empty: BM25 alone.
    embedding_model_id: str | None = None
    embedding_dimensions: int = 512


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", "regentra-table"),
        idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", "regentra-idempotency"),
        region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")),
        dynamodb_endpoint=env.get("REGENTRA_DYNAMODB_ENDPOINT") or None,
        cursor_secret=env.get("CURSOR_SECRET", "regentra-local-cursor-secret"),
        max_body_bytes=int(env.get("MAX_BODY_BYTES", str(256 * 1024))),
        service_name=env.get("POWERTOOLS_SERVICE_NAME", "regentra"),
        event_bus_name=env.get("EVENT_BUS_NAME", "default"),
        mail_bucket=env.get("MAIL_BUCKET", "regentra-mail"),
        cascade_state_machine_arn=env.get("CASCADE_STATE_MACHINE_ARN") or None,
        local_data_dir=env.get("REGENTRA_DATA_DIR") or None,
        bedrock_model_id=env.get("BEDROCK_MODEL_ID") or None,
        embedding_model_id=env.get("EMBEDDING_MODEL_ID") or None,
        embedding_dimensions=int(env.get("EMBEDDING_DIMENSIONS") or 512),
    )


def reset_settings() -> None:
    """Forget the cached settings (tests and the local runtime change the environment)."""
    get_settings.cache_clear()
