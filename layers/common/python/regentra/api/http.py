"""What every HTTP handler shares: the resolver, identity, body/query parsing, the error mapping.

Handlers stay thin: parse with these helpers, call one service function, shape the response.
This module is the only place that turns a domain error into an HTTP status.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from regentra import errors
from regentra.config import get_settings
from regentra.identity import Principal, principal_from_claims
from regentra.services.deps import Deps, default_deps

M = TypeVar("M", bound=BaseModel)

logger = Logger(service="regentra")

STATUS_BY_ERROR: dict[type[errors.RegentraError], int] = {
    errors.ValidationFailed: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.ConcurrentUpdate: 409,
    errors.VersionMismatch: 412,
    errors.PayloadTooLarge: 413,
}


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, separators=(",", ":"), default=str) if body is not None else None,
        headers=headers or {},
    )


def error_response(status: int, code: str, message: str, details: list[Any] | None = None) -> Response:
    return json_response(status, {"error": {"code": code, "message": message, "details": details or []}})


def _status_for(exc: errors.RegentraError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def _pydantic_details(exc: PydanticValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "issue": e["msg"], "type": e["type"]}
        for e in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def make_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.exception_handler(errors.RegentraError)
    def _domain_error(exc: errors.RegentraError) -> Response:
        return error_response(_status_for(exc), exc.code, exc.message, exc.details)

    @app.exception_handler(PydanticValidationError)
    def _invalid(exc: PydanticValidationError) -> Response:
        return error_response(400, "validation_error", "The request is not valid.", _pydantic_details(exc))

    @app.not_found
    def _no_route(exc: NotFoundError) -> Response:
        return error_response(404, "not_found", "No such route.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "Something went wrong on our side.")

    return app


def principal(app: APIGatewayHttpResolver) -> Principal:
    ctx = app.current_event.raw_event.get("requestContext") or {}
    claims = ((ctx.get("authorizer") or {}).get("jwt") or {}).get("claims")
    return principal_from_claims(claims)


def raw_body(app: APIGatewayHttpResolver) -> bytes:
    event = app.current_event
    body = event.body or ""
    try:
        data = base64.b64decode(body, validate=True) if event.is_base64_encoded else body.encode()
    except (binascii.Error, ValueError) as exc:
        raise errors.ValidationFailed(
            "The body is not valid base64.", [{"field": "body", "issue": "encoding"}]
        ) from exc
    limit = get_settings().max_body_bytes
    if len(data) > limit:
        raise errors.PayloadTooLarge(f"The body is larger than {limit} bytes.")
    return data


def parse_body(app: APIGatewayHttpResolver, model: type[M]) -> M:
    data = raw_body(app)
    if not data.strip():
        raise errors.ValidationFailed("A JSON body is required.", [{"field": "body", "issue": "missing"}])
    try:
        payload = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.ValidationFailed(
            "The body is not valid JSON.", [{"field": "body", "issue": str(exc)}]
        ) from exc
    if not isinstance(payload, dict):
        raise errors.ValidationFailed(
            "The body must be a JSON object.", [{"field": "body", "issue": "not an object"}]
        )
    return model.model_validate_json(data)


def parse_query(app: APIGatewayHttpResolver, model: type[M]) -> M:
    params = app.current_event.query_string_parameters or {}
    return model.model_validate(dict(params))


def if_match(app: APIGatewayHttpResolver) -> int | None:
    value = app.current_event.headers.get("if-match") or app.current_event.headers.get("If-Match")
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise errors.ValidationFailed(
            "If-Match must be a ticket version number.", [{"field": "If-Match", "issue": "not a number"}]
        )
    return int(text)


def header(app: APIGatewayHttpResolver, name: str) -> str | None:
    headers = app.current_event.headers or {}
    return headers.get(name.lower()) or headers.get(name)


def deps() -> Deps:
    return default_deps()


def lambda_handler(app: APIGatewayHttpResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Wrap an app as a Lambda entry point with a structured, correlated logger."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    return handler
