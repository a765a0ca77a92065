"""Which AWS actions each function calls, recorded while tests (or `regentra local`) run.

With ``REGENTRA_IAM_AUDIT=<dir>`` set, every botocore API call (boto3 and pynamodb alike: both end
in ``BaseClient._make_api_call``) and every presigned S3 URL or POST made while a template function
runs (``regentra.local.functions.current_function``) is written once per process as a JSON line
``{"function", "action", "resource"}`` to ``<dir>/<pid>.jsonl``, and each function invoked as
``{"function", "invoked": true}``. tests/iam checks each line against the
function's role in the SAM-transformed template (regentra.local.iam_policy).

``action`` is the IAM action the call needs, not the botocore operation: the prefix is the service's
signing name (sesv2 -> ses, pinpoint-sms-voice-v2 -> sms-voice, bedrock-runtime -> bedrock), and the
operations IAM authorises under another name (or several) are mapped (``iam_actions``). ``resource``
is set for DynamoDB only: ``table/<name>`` or ``table/<name>/index/<index>``, so a policy scoped to
an index is checked too.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

ENV = "REGENTRA_IAM_AUDIT"


class Call(NamedTuple):
    """One IAM action a call needs, and the DynamoDB table/index it acts on (None otherwise)."""

    action: str
    resource: str | None = None


# Signing names that are not the IAM prefix.
_PREFIX = {"monitoring": "cloudwatch"}

# Operations IAM authorises under other action names (prefix, operation) -> actions.
_RENAMED: dict[tuple[str, str], tuple[str, ...]] = {
    ("bedrock", "Converse"): ("InvokeModel",),
    ("bedrock", "ConverseStream"): ("InvokeModelWithResponseStream",),
    ("s3", "HeadObject"): ("GetObject",),
    ("s3", "ListObjects"): ("ListBucket",),
    ("s3", "ListObjectsV2"): ("ListBucket",),
    ("s3", "HeadBucket"): ("ListBucket",),
    ("s3", "ListObjectVersions"): ("ListBucketVersions",),
    ("s3", "ListMultipartUploads"): ("ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("ListMultipartUploadParts",),
    ("s3", "CopyObject"): ("GetObject", "PutObject"),  # reads the source, writes the target
    ("s3", "UploadPartCopy"): ("GetObject", "PutObject"),
    ("s3", "CreateMultipartUpload"): ("PutObject",),
    ("s3", "UploadPart"): ("PutObject",),
    ("s3", "CompleteMultipartUpload"): ("PutObject",),
    ("s3", "DeleteObjects"): ("DeleteObject",),
    ("s3", "GetObjectAttributes"): ("GetObject", "GetObjectAttributes"),
    ("lambda", "Invoke"): ("InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("InvokeFunction",),
    ("sqs", "SendMessageBatch"): ("SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("ChangeMessageVisibility",),
    ("sts", "GetCallerIdentity"): (),  # needs no permission
}

# A VersionId makes these S3 calls the "...Version" actions.
_S3_VERSIONED = {"GetObject": "GetObjectVersion", "DeleteObject": "DeleteObjectVersion"}

_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_PARTIQL = {
    "SELECT": "PartiQLSelect",
    "INSERT": "PartiQLInsert",
    "UPDATE": "PartiQLUpdate",
    "DELETE": "PartiQLDelete",
}


def iam_prefix(signing_name: str) -> str:
    return _PREFIX.get(signing_name, signing_name)


def _table(name: Any, index: Any = None) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    name = name.rsplit(":table/", 1)[-1].split("/", 1)[0]  # a table ARN names its table too
    return f"table/{name}/index/{index}" if isinstance(index, str) and index else f"table/{name}"


def _partiql(statement: Any) -> str:
    words = statement.split() if isinstance(statement, str) else []
    return _PARTIQL.get(words[0].upper(), "PartiQLSelect") if words else "PartiQLSelect"


def _dynamodb(operation: str, params: Mapping[str, Any]) -> list[Call]:
    def act(name: str) -> str:
        return f"dynamodb:{name}"

    if operation == "TransactWriteItems":
        out = []
        for item in params.get("TransactItems") or []:
            for kind, action in _TRANSACT_WRITE.items():
                if kind in item:
                    out.append(Call(act(action), _table(item[kind].get("TableName"))))
        return out
    if operation == "TransactGetItems":
        return [
            Call(act("GetItem"), _table(i["Get"].get("TableName"))) for i in params.get("TransactItems") or []
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Call(act(operation), _table(name)) for name in params.get("RequestItems") or {}]
    if operation == "ExecuteStatement":
        return [Call(act(_partiql(params.get("Statement"))))]
    if operation in ("BatchExecuteStatement", "ExecuteTransaction"):
        key = "Statements" if operation == "BatchExecuteStatement" else "TransactStatements"
        return [Call(act(_partiql(s.get("Statement")))) for s in params.get(key) or []]
    return [Call(act(operation), _table(params.get("TableName"), params.get("IndexName")))]


def iam_actions(
    signing_name: str, operation: str, params: Mapping[str, Any] | None = None, service: str | None = None
) -> list[Call]:
    """The IAM actions (with the DynamoDB table/index, if any) one botocore operation needs.
    ``service`` is botocore's service name, where one signing name covers two APIs (dynamodbstreams)."""
    params = params or {}
    prefix = iam_prefix(signing_name)
    if prefix == "dynamodb" and service != "dynamodbstreams":
        calls = _dynamodb(operation, params)
    else:
        names = _RENAMED.get((prefix, operation), (operation,))
        if prefix == "s3" and params.get("VersionId"):
            if operation == "HeadObject":
                names = ("GetObjectVersion",)
            names = tuple(_S3_VERSIONED.get(n, n) for n in names)
        calls = [Call(f"{prefix}:{name}") for name in names]
    seen: dict[Call, None] = dict.fromkeys(calls)  # ordered, distinct
    return list(seen)


# --- the recorder --------------------------------------------------------------------------------


class Recorder:
    """Appends each distinct (function, action, resource) once to ``<directory>/<pid>.jsonl``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str | None, str | None]] = set()
        self._pid = os.getpid()

    @property
    def path(self) -> Path:
        return self.directory / f"{os.getpid()}.jsonl"

    def record(self, function: str, calls: list[Call]) -> None:
        self._write([{"function": function, "action": c.action, "resource": c.resource} for c in calls])

    def invoked(self, function: str) -> None:
        """The function ran (whether or not it calls AWS): the report tells untested functions apart."""
        self._write([{"function": function, "invoked": True}])

    def _write(self, rows: list[dict[str, Any]]) -> None:
        with self._lock:
            if os.getpid() != self._pid:  # a forked child writes its own file, from scratch
                self._pid, self._seen = os.getpid(), set()
            lines = []
            for row in rows:
                key = (row["function"], row.get("action"), row.get("resource"))
                if key not in self._seen:
                    self._seen.add(key)
                    lines.append(json.dumps(row) + "\n")
            if lines:
                self.directory.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as out:
                    out.writelines(lines)


_recorder: Recorder | None = None
_hooks_lock = threading.Lock()
_HOOKED = "__regentra_iam_audit__"


def _note(client: Any, operation: str, params: Mapping[str, Any] | None) -> None:
    recorder = _recorder
    if recorder is None:
        return
    from regentra.local.functions import current_function

    function = current_function.get()
    if function is None:
        return
    model = client.meta.service_model
    try:
        calls = iam_actions(model.signing_name, operation, params, model.service_name)
    except Exception:  # noqa: BLE001 - never break the call being watched
        calls = [Call(f"{iam_prefix(model.signing_name)}:{operation}")]
    recorder.record(function, calls)


def note_invocation(function: str) -> None:
    """FunctionHost.invoke calls this for every invocation (a no-op unless recording)."""
    recorder = _recorder
    if recorder is not None:
        recorder.invoked(function)


def _wrap_api_call(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        _note(self, operation_name, api_params if isinstance(api_params, Mapping) else None)
        return original(self, operation_name, api_params)

    setattr(_make_api_call, _HOOKED, True)
    return _make_api_call


def _wrap_presigned_url(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def generate_presigned_url(
        self: Any, ClientMethod: str, Params: Any = None, *args: Any, **kwargs: Any
    ) -> Any:  # noqa: N803
        operation = getattr(self, "_PY_TO_OP_NAME", {}).get(ClientMethod, ClientMethod)
        _note(self, operation, Params if isinstance(Params, Mapping) else None)
        return original(self, ClientMethod, Params, *args, **kwargs)

    setattr(generate_presigned_url, _HOOKED, True)
    return generate_presigned_url


def _wrap_presigned_post(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def generate_presigned_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:  # noqa: N803
        _note(self, "PutObject", {"Bucket": Bucket, "Key": Key})  # a form POST uploads the object
        return original(self, Bucket, Key, *args, **kwargs)

    setattr(generate_presigned_post, _HOOKED, True)
    return generate_presigned_post


def _install_hooks() -> None:
    """Wrap botocore's entry points once per process (the wrappers do nothing without a recorder).
    Presigning functions are copied onto each client class when it is created, so clients made before
    this runs keep the unwrapped ones: install it first (tests/conftest.py, LocalStack.start)."""
    import botocore.client
    import botocore.signers

    with _hooks_lock:
        base = botocore.client.BaseClient
        if not getattr(base._make_api_call, _HOOKED, False):
            base._make_api_call = _wrap_api_call(base._make_api_call)
        for name, wrap in (
            ("generate_presigned_url", _wrap_presigned_url),
            ("generate_presigned_post", _wrap_presigned_post),
        ):
            current = getattr(botocore.signers, name)
            if not getattr(current, _HOOKED, False):
                setattr(botocore.signers, name, wrap(current))


def install(directory: str | Path | None = None) -> Recorder | None:
    """Record into ``directory`` (default: $REGENTRA_IAM_AUDIT); None when neither is set.
    Idempotent: a second call for the same folder returns the recorder already installed."""
    global _recorder
    target = directory if directory is not None else os.environ.get(ENV)
    if not target:
        return None
    _install_hooks()
    path = Path(target).resolve()
    with _hooks_lock:
        if _recorder is None or _recorder.directory != path:
            _recorder = Recorder(path)
        return _recorder


@contextmanager
def recording(directory: str | Path) -> Iterator[Recorder]:
    """Record into ``directory`` for a block only (tests), then restore whatever recorded before."""
    global _recorder
    _install_hooks()
    saved = _recorder
    _recorder = Recorder(Path(directory).resolve())
    try:
        yield _recorder
    finally:
        _recorder = saved


def _rows(directory: str | Path) -> Iterator[dict[str, Any]]:
    for path in sorted(Path(directory).glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("function"), str):
                    raise ValueError("no function")
                if not row.get("invoked") and not isinstance(row.get("action"), str):
                    raise ValueError("no action")
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: not an IAM audit record: {line!r}") from exc
            yield row


def read_records(directory: str | Path) -> list[dict[str, Any]]:
    """Every recorded call of every ``*.jsonl`` in ``directory``: distinct
    ``{"function", "action", "resource"}``, whichever process wrote them."""
    seen: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for row in _rows(directory):
        if row.get("invoked"):
            continue
        key = (row["function"], row["action"], row.get("resource"))
        seen.setdefault(key, {"function": key[0], "action": key[1], "resource": key[2]})
    return list(seen.values())


def read_invoked(directory: str | Path) -> set[str]:
    """The functions invoked at least once (with or without an AWS call)."""
    return {row["function"] for row in _rows(directory)}
