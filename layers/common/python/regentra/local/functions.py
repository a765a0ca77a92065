"""Load the handlers template.yaml names and invoke them in process, as Lambda would."""

from __future__ import annotations

import importlib.util
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from regentra.config import reset_settings
from regentra.local.iam_audit import note_invocation
from regentra.local.tables import local_table_name
from regentra.local.template import FunctionSpec, Template

# The template function whose handler this thread is running (None outside any), for whatever watches
# the AWS calls a function makes (local/iam_audit.py checks them against the function's policy).
current_function: ContextVar[str | None] = ContextVar("current_function", default=None)


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    timeout_ms: int = 30_000
    started: float = 0.0

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.timeout_ms - (time.monotonic() - self.started) * 1000))


def resolve_env_value(template: Template, value: Any, local_values: dict[str, str]) -> str | None:
    """Turn a template environment value into a local one (Ref to a table -> its local name)."""
    if isinstance(value, str | int | float | bool):
        return str(value)
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        if ref in local_values:
            return local_values[ref]
        if ref in template.tables():
            return local_table_name(ref)
        params = template.body.get("Parameters", {})
        if ref in params and "Default" in params[ref]:
            return str(params[ref]["Default"])
    return None  # not resolvable locally (secrets, ARNs): the caller supplies a local value


class FunctionHost:
    """Every function of the template, loaded on first use, invoked one at a time (like a
    single Lambda instance each; the environment is process-wide, so calls are serialised)."""

    def __init__(
        self, template: Template, local_values: dict[str, str], fallback_env: dict[str, str]
    ) -> None:
        self.template = template
        self.specs = template.functions()
        self.local_values = local_values
        self.fallback_env = fallback_env
        self._modules: dict[str, ModuleType] = {}
        # One function runs at a time (they share os.environ). Everything that runs functions — the
        # gateway, the stream poller, the scheduler — takes this lock first and the clock's after it.
        self.lock = threading.RLock()

    def environment(self, spec: FunctionSpec) -> dict[str, str]:
        env = {}
        for key, raw in spec.environment.items():
            value = resolve_env_value(self.template, raw, self.local_values)
            if value is None:
                value = self.fallback_env.get(key, f"local-{key.lower()}")
            env[key] = value
        env["AWS_LAMBDA_FUNCTION_NAME"] = spec.logical_id
        return env

    def handler(self, logical_id: str) -> Callable[[dict[str, Any], Any], Any]:
        spec = self.specs[logical_id]
        module_name, _, attr = spec.handler.rpartition(".")
        key = f"{logical_id}:{module_name}"
        if key not in self._modules:
            path = spec.code_uri / (module_name.replace(".", "/") + ".py")
            mod_spec = importlib.util.spec_from_file_location(f"regentra_fn_{logical_id}", path)
            if mod_spec is None or mod_spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(mod_spec)
            with self._env(spec):
                mod_spec.loader.exec_module(module)
            self._modules[key] = module
        handler: Callable[[dict[str, Any], Any], Any] = getattr(self._modules[key], attr)
        return handler

    @contextmanager
    def _env(self, spec: FunctionSpec) -> Iterator[None]:
        wanted = self.environment(spec)
        saved = {k: os.environ.get(k) for k in wanted}
        os.environ.update(wanted)
        reset_settings()
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            reset_settings()

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        with self.lock:
            fn = self.handler(logical_id)
            spec = self.specs[logical_id]
            ctx = LambdaContext(
                function_name=logical_id, aws_request_id=str(uuid.uuid4()), started=time.monotonic()
            )
            token = current_function.set(logical_id)
            note_invocation(logical_id)
            try:
                with self._env(spec):
                    return fn(event, ctx)
            finally:
                current_function.reset(token)
