"""Text embeddings (the Embedder port): Amazon Titan Text Embeddings v2 on Bedrock.

One InvokeModel call per text (Titan v2 has no batch form on the synchronous API):

    body    {"inputText": "...", "dimensions": 512, "normalize": true}
    answer  {"embedding": [512 floats], "inputTextTokenCount": n}

Vectors are requested normalized and normalized again here (cosine = dot product downstream).
Dimensions: 256, 512 (default) or 1024 — Amazon gives 512 as keeping ~99 % of 1024's retrieval
accuracy and 256 ~97 %, at half / a quarter of the storage and query arithmetic.

Any failure (throttling, access denied, timeout, a malformed answer) raises EmbeddingFailed with a
short reason; callers fall back to BM25 alone. Retries are few and timeouts short on the draft
path (a draft must not wait on a struggling endpoint); the indexer passes its own client config.
"""

from __future__ import annotations

import json
from typing import Any

from regentra.domain.kb_retrieval import MAX_EMBED_CHARS, EmbeddingFailed, normalize

TITAN_V2 = "amazon.titan-embed-text-v2:0"
TITAN_V2_DIMENSIONS = (256, 512, 1024)
DEFAULT_DIMENSIONS = 512

__all__ = ["DEFAULT_DIMENSIONS", "TITAN_V2", "EmbeddingFailed", "TitanEmbedder", "embedder_for"]


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return str(code or type(exc).__name__)


class TitanEmbedder:
    def __init__(
        self,
        model_id: str = TITAN_V2,
        region: str = "us-east-1",
        dimensions: int = DEFAULT_DIMENSIONS,
        client: Any = None,
        max_attempts: int = 2,
        read_timeout: float = 5.0,
    ) -> None:
        if dimensions not in TITAN_V2_DIMENSIONS:
            raise ValueError(f"Titan v2 embeds in {TITAN_V2_DIMENSIONS} dimensions, not {dimensions}")
        self.model_id = model_id
        self.dimensions = dimensions
        self.region = region
        self._client = client
        self._max_attempts = max_attempts
        self._read_timeout = read_timeout

    def _runtime(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "bedrock-runtime",
                region_name=self.region,
                config=Config(
                    retries={"max_attempts": self._max_attempts, "mode": "standard"},
                    connect_timeout=2,
                    read_timeout=self._read_timeout,
                ),
            )
        return self._client

    def request(self, text: str) -> dict[str, Any]:
        """The InvokeModel parameters for one text."""
        body = {"inputText": text[:MAX_EMBED_CHARS], "dimensions": self.dimensions, "normalize": True}
        return {
            "modelId": self.model_id,
            "contentType": "application/json",
            "accept": "application/json",
            "body": json.dumps(body),
        }

    def embed(self, text: str) -> list[float]:
        if not text.strip():
            raise EmbeddingFailed("empty text")
        try:
            response = self._runtime().invoke_model(**self.request(text))
            raw = response["body"].read()
        except Exception as exc:  # noqa: BLE001 - any service or transport failure: BM25 alone
            raise EmbeddingFailed(f"model call failed ({_code(exc)})") from exc
        return self.parse(raw)

    def parse(self, raw: bytes | str) -> list[float]:
        try:
            answer = json.loads(raw)
            vector = answer["embedding"]
            if not isinstance(vector, list) or len(vector) != self.dimensions:
                got = len(vector) if isinstance(vector, list) else type(vector).__name__
                raise EmbeddingFailed(f"expected {self.dimensions} dimensions, got {got}")
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in vector):
                raise EmbeddingFailed("non-numeric embedding")
            return normalize(vector)
        except EmbeddingFailed:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingFailed(f"malformed answer ({type(exc).__name__})") from exc


def embedder_for(
    model_id: str | None, region: str, dimensions: int = DEFAULT_DIMENSIONS, **client_options: Any
) -> TitanEmbedder | None:
    """The configured embedder, or None (BM25 alone) when no embedding model is named."""
    return TitanEmbedder(model_id, region, dimensions, **client_options) if model_id else None
