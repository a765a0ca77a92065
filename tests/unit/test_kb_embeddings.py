"""The Titan Text Embeddings v2 adapter (botocore Stubber): request shape, vector parsing, and
failures that make retrieval fall back to BM25."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from regentra.adapters.embeddings import TITAN_V2, TitanEmbedder, embedder_for
from regentra.domain.kb_retrieval import EmbeddingFailed


def _embedder(dimensions: int = 512) -> tuple[TitanEmbedder, Stubber]:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    return TitanEmbedder(TITAN_V2, "us-east-1", dimensions, client=client), Stubber(client)


def _body(answer: Any) -> dict[str, Any]:
    raw = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
    return {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"}


def test_request_shape_and_vector_parsing() -> None:
    embedder, stub = _embedder(256)
    seen: dict[str, Any] = {}

    def capture(params: dict[str, Any], **_: Any) -> None:
        seen.update(params)

    embedder._runtime().meta.events.register("provide-client-params.bedrock-runtime.InvokeModel", capture)
    raw = [0.5] * 128 + [0.0] * 128  # not unit length: normalized again here
    stub.add_response(
        "invoke_model",
        _body({"embedding": raw, "inputTextTokenCount": 6}),
        {
            "modelId": "amazon.titan-embed-text-v2:0",
            "contentType": "application/json",
            "accept": "application/json",
            "body": json.dumps(
                {"inputText": "my VPN token stopped working", "dimensions": 256, "normalize": True}
            ),
        },
    )
    with stub:
        vector = embedder.embed("my VPN token stopped working")
    stub.assert_no_pending_responses()
    assert json.loads(seen["body"]) == {
        "inputText": "my VPN token stopped working",
        "dimensions": 256,
        "normalize": True,
    }
    assert len(vector) == 256
    assert math.fsum(v * v for v in vector) == pytest.approx(1.0)
    assert vector[0] == pytest.approx(1 / math.sqrt(128))
    assert vector[-1] == 0.0


def test_long_input_is_cut_to_what_the_model_takes() -> None:
    embedder, _ = _embedder()
    body = json.loads(embedder.request("x" * 60_000)["body"])
    assert len(body["inputText"]) == 20_000 and body["dimensions"] == 512


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("ThrottlingException", "model call failed (ThrottlingException)"),
        ("AccessDeniedException", "model call failed (AccessDeniedException)"),
        ("ServiceUnavailableException", "model call failed (ServiceUnavailableException)"),
    ],
)
def test_service_errors_raise_embedding_failed(error: str, reason: str) -> None:
    embedder, stub = _embedder()
    stub.add_client_error("invoke_model", service_error_code=error, http_status_code=429)
    with stub, pytest.raises(EmbeddingFailed) as caught:
        embedder.embed("printer jammed")
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"embedding": [0.1] * 10}, "expected 512 dimensions, got 10"),
        ({"embedding": "nope"}, "expected 512 dimensions, got str"),
        ({"embedding": [0.0] * 512}, "malformed answer (ValueError)"),  # a zero vector
        ({"embedding": ["a"] * 512}, "non-numeric embedding"),
        ({"vector": [0.1] * 512}, "malformed answer (KeyError)"),
        ("not json", "malformed answer (JSONDecodeError)"),
    ],
)
def test_malformed_answers_raise_embedding_failed(answer: Any, reason: str) -> None:
    embedder, stub = _embedder()
    stub.add_response("invoke_model", _body(answer))
    with stub, pytest.raises(EmbeddingFailed) as caught:
        embedder.embed("printer jammed")
    assert caught.value.reason == reason


def test_configuration() -> None:
    assert embedder_for(None, "us-east-1") is None
    assert embedder_for("", "us-east-1") is None
    configured = embedder_for(TITAN_V2, "eu-west-1", 1024)
    assert configured is not None and configured.dimensions == 1024 and configured.model_id == TITAN_V2
    with pytest.raises(ValueError):
        TitanEmbedder(TITAN_V2, "us-east-1", 300)
    with pytest.raises(EmbeddingFailed):
        TitanEmbedder(TITAN_V2, "us-east-1", client=object()).embed("   ")
