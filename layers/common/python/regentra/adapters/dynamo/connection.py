"""Point the pynamodb models at the configured table and endpoint, lazily, once."""

from __future__ import annotations

import threading

from pynamodb.connection import Connection

from regentra.adapters.dynamo.items import ALL_MODELS, Item
from regentra.config import Settings, get_settings

_lock = threading.Lock()
_configured_for: tuple[str, str | None, str] | None = None
_connection: Connection | None = None


def ensure_configured(settings: Settings | None = None) -> Connection:
    """Bind the models to the settings' table; cheap after the first call."""
    global _configured_for, _connection
    settings = settings or get_settings()
    wanted = (settings.table_name, settings.dynamodb_endpoint, settings.region)
    if _configured_for == wanted and _connection is not None:
        return _connection
    with _lock:
        if _configured_for != wanted or _connection is None:
            Item.Meta.table_name = settings.table_name
            Item.Meta.region = settings.region
            Item.Meta.host = settings.dynamodb_endpoint
            for model in ALL_MODELS:
                model._connection = None  # drop a connection made for other settings
            _connection = Connection(region=settings.region, host=settings.dynamodb_endpoint)
            _configured_for = wanted
    assert _connection is not None
    return _connection
