"""openapi.json, derived from the HTTP handlers themselves (`regentra openapi`, `make openapi`).

Every `functions/http/<name>/app.py` is imported and its one route read from the powertools
resolver it registered (method, path, path parameters). The handler function's own code is then
read (its AST, names resolved in the module's globals) for what it uses:

- `parse_body(app, Model)` → the request body schema; `parse_query(app, Model)` → query parameters;
- `header(app, "Name")` and `if_match(app)` → header parameters;
- `principal(app)` → bearer auth (a handler that never asks for a principal is public), and the
  `require_admin()` / `require_staff()` / … calls it or the service it hands the principal to makes → roles;
- `json_response(status, <expr>)` → the responses: a view call is typed by its return annotation
  (a TypedDict or a pydantic model) or by `services.view_types.response_types()` (which also types
  what a handler takes apart: `page.items`, `a, b = f()`); dict literals, `|` merges and
  `body["key"] = …` additions are followed;
- errors: the typed errors the handler and the regentra functions it calls raise (a few levels deep),
  mapped to statuses by `regentra.api.http.STATUS_BY_ERROR`, all in the one error shape.

Nothing here lists routes by hand except the local-only ones of `regentra local` (flagged
`x-local-only`). tests/unit/test_openapi.py checks the routes against template.yaml, the committed
file against a fresh run, and the document against the OpenAPI 3.1 schema.

powertools' own `get_openapi_schema()` was not used: it reads request models only from handler
signatures, which it injects only with `enable_validation=True` — that changes the 400 error shape
and the strict-JSON parsing `parse_body` does.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import inspect
import json
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from typing_extensions import TypedDict

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"
METHODS = ("get", "post", "put", "patch", "delete")
ALL_ROLES = ("admin", "lead", "technician", "readonly", "customer")
# What each Principal.require_* call lets through.
ROLE_CHECKS = {
    "require_admin": {"admin"},
    "require_staff_writer": {"admin", "lead", "technician"},
    "require_staff": {"admin", "lead", "technician", "readonly"},
    "require_writer": {"admin", "lead", "technician", "customer"},
}
ERROR_RESPONSES = {
    400: (
        "BadRequest",
        "`validation_error`: malformed JSON, a missing, unknown or ill-typed field, a bad enum or cursor.",
    ),
    401: ("Unauthorized", "`unauthorized`: no token, or one that does not name a tenant, a user and a role."),
    403: ("Forbidden", "`forbidden`: the caller's role may not do this."),
    404: ("NotFound", "`not_found`: absent, or outside the caller's tenant (or, for a customer, client)."),
    409: ("Conflict", "`invalid_transition` or `conflict`: the lifecycle or a link rule forbids it."),
    412: ("PreconditionFailed", "`version_mismatch`: the If-Match version is stale."),
    413: ("PayloadTooLarge", "`payload_too_large`: the body is over the limit."),
}
MAX_CALL_DEPTH = 4


class OpenApiError(Exception):
    """A handler the generator cannot read (it names the handler and what is missing)."""


class ErrorInfo(TypedDict):
    code: str
    message: str
    details: list[dict[str, Any]]


class Error(TypedDict):
    """Every error: one shape, the status says which kind."""

    error: ErrorInfo


# --- placeholders filled once every type's JSON schema is known ------------------------------------


@dataclass(frozen=True, eq=False)
class TypeRef:
    """A Python type whose JSON schema pydantic writes (components for models and TypedDicts)."""

    tp: Any
    mode: str = "serialization"


@dataclass(eq=False)
class Merge:
    """Objects merged into one (`a | b`, `{**a, "k": v}`, `body["k"] = v`): properties are copied,
    not combined with allOf (a model with additionalProperties false would forbid the extras)."""

    parts: list[Any]
    optional: set[str] = field(default_factory=set)
    drop: tuple[str, ...] = ()


def _is_typed_dict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


# --- handler modules --------------------------------------------------------------------------------


def repo_root() -> Path:
    from regentra.local.template import find_repo_root

    return find_repo_root()


def load_handler(path: Path) -> types.ModuleType:
    name = f"regentra_openapi_{path.parent.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise OpenApiError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # typing.get_type_hints looks modules up by name
    spec.loader.exec_module(module)
    return module


def handler_paths(root: Path) -> list[Path]:
    return sorted((root / "functions" / "http").glob("*/app.py"))


# --- reading one handler ---------------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    method: str
    path: str
    summary: str
    description: str
    path_params: list[str]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    public: bool = True
    roles: set[str] = field(default_factory=lambda: set(ALL_ROLES))
    responses: dict[int, Any] = field(default_factory=dict)
    errors: set[int] = field(default_factory=set)


@cache
def _source_tree(func: Callable[..., Any]) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _statements(body: list[ast.stmt], conditional: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement of a function body, with whether it runs only sometimes."""
    for stmt in body:
        yield stmt, conditional
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list) and inner and not isinstance(stmt, ast.FunctionDef | ast.ClassDef):
                yield from _statements(inner, True)
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _statements(handler.body, True)


class _Reader:
    """What one handler function does, read from its code."""

    def __init__(self, module: types.ModuleType, func: Callable[..., Any]) -> None:
        from regentra.api import http

        self.http = http
        self.module = module
        self.func = func
        self.globals = func.__globals__
        tree = _source_tree(func)
        if tree is None:
            raise OpenApiError(f"{module.__file__}: cannot read the source of {func.__name__}")
        self.tree = tree
        hints = _hints(func)
        self.params = {name: hints[name] for name in inspect.signature(func).parameters if name in hints}
        self.assigned: dict[str, ast.expr] = {}
        self.unpacked: dict[str, tuple[ast.expr, int]] = {}
        self.added: dict[str, list[tuple[str, ast.expr, bool]]] = {}
        for stmt, conditional in _statements(tree.body):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name):
                    self.assigned.setdefault(target.id, stmt.value)
                elif isinstance(target, ast.Tuple):
                    for i, elt in enumerate(target.elts):
                        if isinstance(elt, ast.Name):
                            self.unpacked[elt.id] = (stmt.value, i)
                elif (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    self.added.setdefault(target.value.id, []).append(
                        (target.slice.value, stmt.value, conditional)
                    )

    # -- names ------------------------------------------------------------------------------------
    def resolve(self, node: ast.expr, scope: dict[str, Any] | None = None) -> Any:
        scope = self.globals if scope is None else scope
        if isinstance(node, ast.Name):
            return scope.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value, scope)
            return getattr(base, node.attr, None) if base is not None else None
        return None

    def _is(self, node: ast.Call, helper: str) -> bool:
        return self.resolve(node.func) is getattr(self.http, helper)

    def calls(self) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                yield node

    def model_arg(self, call: ast.Call, helper: str) -> type[BaseModel]:
        model = self.resolve(call.args[1]) if len(call.args) > 1 else None
        if not _is_model(model):
            raise OpenApiError(
                f"{self.module.__file__}: {helper}(app, …) must name a pydantic model the module imports"
            )
        return model  # type: ignore[return-value]

    # -- the principal and roles ------------------------------------------------------------------
    def _principal_names(self) -> set[str]:
        return {
            name
            for name, value in self.assigned.items()
            if isinstance(value, ast.Call) and self._is(value, "principal")
        }

    def _carries_principal(self, node: ast.expr, names: set[str]) -> bool:
        return (isinstance(node, ast.Name) and node.id in names) or (
            isinstance(node, ast.Call) and self._is(node, "principal")
        )

    def roles(self) -> set[str]:
        allowed = set(ALL_ROLES)
        names = self._principal_names()
        for call in self.calls():
            if isinstance(call.func, ast.Attribute) and call.func.attr in ROLE_CHECKS:
                if isinstance(call.func.value, ast.Name) and call.func.value.id in names:
                    allowed &= ROLE_CHECKS[call.func.attr]
                continue
            callee = self.resolve(call.func)
            if not inspect.isfunction(callee):
                continue
            receivers = _principal_receivers(call, callee, lambda a: self._carries_principal(a, names))
            if receivers:
                allowed &= _roles_checked_in(callee, receivers)
        return allowed

    # -- responses --------------------------------------------------------------------------------
    def shape(self, node: ast.expr) -> Any:
        """A JSON-schema-like tree for an expression (with TypeRef / Merge placeholders)."""
        if isinstance(node, ast.Constant):
            if node.value is None:
                return {"type": "null"}
            return TypeRef(type(node.value))
        if isinstance(node, ast.Dict):
            props: dict[str, Any] = {}
            parts: list[Any] = []
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    parts.append(self.shape(value))
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    props[key.value] = self.shape(value)
                else:
                    return {"type": "object"}
            obj = {"type": "object", "properties": props, "required": list(props)}
            return Merge([*parts, obj]) if parts else obj
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return Merge([self.shape(node.left), self.shape(node.right)])
        if isinstance(node, ast.ListComp | ast.GeneratorExp):
            return {"type": "array", "items": self.shape(node.elt)}
        if isinstance(node, ast.List):
            return {"type": "array", "items": self.shape(node.elts[0]) if node.elts else {}}
        if isinstance(node, ast.Name) and node.id in self.assigned:
            base = self.shape(self.assigned[node.id])
            extra = self.added.get(node.id)
            if not extra:
                return base
            props = {key: self.shape(value) for key, value, _ in extra}
            required = [key for key, _, cond in extra if not cond]
            return Merge([base, {"type": "object", "properties": props, "required": required}])
        if isinstance(node, ast.Call):
            fn = self.callee(node)
            if fn is not None:
                return shape_of_callable(fn)
        tp = self.infer_type(node)
        return _type_shape(tp)

    def callee(self, call: ast.Call) -> Any:
        fn = self.resolve(call.func)
        if fn is None and isinstance(call.func, ast.Attribute):  # obj.method(): the method of obj's type
            owner = _runtime_class(self.infer_type(call.func.value))
            fn = getattr(owner, call.func.attr, None) if owner is not None else None
        return fn

    def infer_type(self, node: ast.expr) -> Any:
        """The static type of an expression from annotations, or None."""
        if isinstance(node, ast.Call):
            fn = self.callee(node)
            return _declared_type(fn) if fn is not None else None
        if isinstance(node, ast.Name):
            if node.id in self.assigned:
                return self.infer_type(self.assigned[node.id])
            if node.id in self.params:
                return self.params[node.id]
            if node.id in self.unpacked:
                value, index = self.unpacked[node.id]
                whole = self.infer_type(value)
                args = typing.get_args(whole) if typing.get_origin(whole) is tuple else ()
                return args[index] if index < len(args) else None
            return None
        if isinstance(node, ast.Attribute):
            return _attribute_type(self.infer_type(node.value), node.attr)
        return None


def _principal_receivers(call: ast.Call, callee: Any, carries: Callable[[ast.expr], bool]) -> frozenset[str]:
    """The parameters of `callee` that receive the principal in this call."""
    try:
        params = list(inspect.signature(callee).parameters)
    except (TypeError, ValueError):
        return frozenset()
    names = {params[i] for i, arg in enumerate(call.args) if i < len(params) and carries(arg)}
    names |= {k.arg for k in call.keywords if k.arg and carries(k.value)}
    return frozenset(names)


@cache
def _roles_checked_in(func: Callable[..., Any], receivers: frozenset[str], depth: int = 1) -> frozenset[str]:
    """The roles a regentra function lets through: `<principal>.require_*()` calls in its body, and
    in the regentra functions it hands the principal to (up to MAX_CALL_DEPTH)."""
    allowed = set(ALL_ROLES)
    tree = _source_tree(func)
    if tree is None:
        return frozenset(allowed)
    scope = _Resolver(getattr(func, "__globals__", {}))

    def carries(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in receivers

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr in ROLE_CHECKS:
            if carries(node.func.value):
                allowed &= ROLE_CHECKS[node.func.attr]
            continue
        callee = scope.resolve(node.func)
        if depth < MAX_CALL_DEPTH and inspect.isfunction(callee) and callee.__module__.startswith("regentra"):
            inner = _principal_receivers(node, callee, carries)
            if inner:
                allowed &= _roles_checked_in(callee, inner, depth + 1)
    return frozenset(allowed)


def _hints(fn: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - an unresolvable annotation is simply unknown
        return {}


def _return_type(fn: Any) -> Any:
    return _hints(fn).get("return")


def _declared_type(fn: Any) -> Any:
    """What a call returns: the type `response_types()` gives the function (e.g. `Page[X]` where
    its annotation says `Page[dict[str, Any]]`), else its return annotation."""
    from regentra.services.view_types import Extends, ListOf

    known = _response_types().get(fn)
    if known is not None and not isinstance(known, Extends | ListOf):
        return known
    return _return_type(fn)


def _runtime_class(tp: Any) -> type | None:
    origin = typing.get_origin(tp) or tp
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in typing.get_args(tp) if a is not type(None)]
        return _runtime_class(kinds[0]) if len(kinds) == 1 else None
    return origin if isinstance(origin, type) else None


def _attribute_type(owner: Any, attr: str) -> Any:
    cls = _runtime_class(owner)
    if cls is None:
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001
        return None
    tp = hints.get(attr)
    params = getattr(cls, "__parameters__", ())
    args = typing.get_args(owner)
    if tp is not None and params and len(params) == len(args):  # Page[Client].items -> list[Client]
        tp = _substitute(tp, dict(zip(params, args, strict=True)))
    return tp


def _substitute(tp: Any, mapping: dict[Any, Any]) -> Any:
    if tp in mapping:
        return mapping[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is None or not args:
        return tp
    new = tuple(_substitute(a, mapping) for a in args)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[new]  # noqa: UP007 - built from a tuple
    return origin[new if len(new) > 1 else new[0]]


def _type_shape(tp: Any) -> Any:
    if tp is None or tp is Any or isinstance(tp, typing.TypeVar):
        return {}
    try:
        TypeAdapter(tp)
    except Exception:  # noqa: BLE001 - not a type pydantic can describe: leave it open
        return {}
    return TypeRef(tp)


def shape_of_callable(fn: Any) -> Any:
    from regentra.services.view_types import Extends, ListOf

    known = _response_types().get(fn)
    if known is None:
        return _type_shape(_return_type(fn)) or {"type": "object"}

    def build(shape: Any) -> Any:
        if isinstance(shape, ListOf):
            return {"type": "array", "items": build(shape.item)}
        if isinstance(shape, Extends):
            parts = [TypeRef(shape.base)] + ([TypeRef(shape.extra)] if shape.extra is not None else [])
            return Merge(parts, drop=shape.drop)
        return TypeRef(shape)

    return build(known)


@cache
def _response_types() -> dict[Any, Any]:
    from regentra.services.view_types import response_types

    return response_types()


# --- errors, from what the code raises -----------------------------------------------------------


def _error_status(cls: Any) -> int | None:
    from regentra import errors
    from regentra.api.http import STATUS_BY_ERROR

    if not (isinstance(cls, type) and issubclass(cls, errors.RegentraError)):
        return None
    return next((STATUS_BY_ERROR[c] for c in cls.__mro__ if c in STATUS_BY_ERROR), None)


def _raised(func: Callable[..., Any], depth: int, seen: set[Any]) -> set[int]:
    """Statuses of the typed errors a regentra function raises, itself or through the regentra
    functions it calls (up to MAX_CALL_DEPTH; method calls on objects are not followed)."""
    if func in seen or depth > MAX_CALL_DEPTH:
        return set()
    seen.add(func)
    tree = _source_tree(func)
    if tree is None:
        return set()
    scope = getattr(func, "__globals__", {})
    found: set[int] = set()
    reader = _Resolver(scope)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            status = _error_status(reader.resolve(exc))
            if status is not None:
                found.add(status)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in ROLE_CHECKS:
                found.add(403)
                continue
            callee = reader.resolve(node.func)
            module = getattr(callee, "__module__", "") if inspect.isfunction(callee) else ""
            if module.startswith("regentra") and module != "regentra.api.http":
                found |= _raised(callee, depth + 1, seen)
    return found


class _Resolver:
    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope

    def resolve(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            return self.scope.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None


# --- one handler module -> one Operation ----------------------------------------------------------


def _summary(module: types.ModuleType) -> tuple[str, str]:
    """The module docstring's first paragraph, without its leading "METHOD /path —"; the rest."""
    doc = inspect.cleandoc(module.__doc__ or "")
    first, _, rest = doc.partition("\n\n")
    first = " ".join(first.split())
    summary = first.split(" —", 1)[1] if " —" in first else first
    summary = summary.strip().rstrip(".")
    return (summary[:1].upper() + summary[1:]), rest.strip()


def read_handler(path: Path) -> Operation:
    module = load_handler(path)
    app = getattr(module, "app", None)
    routes = list(getattr(app, "_static_routes", [])) + list(getattr(app, "_dynamic_routes", []))
    if len(routes) != 1:
        raise OpenApiError(f"{path}: expected one route on `app`, found {len(routes)}")
    route = routes[0]
    methods = route.method if isinstance(route.method, list | tuple) else [route.method]
    if len(methods) != 1:
        raise OpenApiError(f"{path}: one method per handler, found {methods}")
    reader = _Reader(module, route.func)
    summary, description = _summary(module)
    openapi_path = route.openapi_path
    op = Operation(
        name=path.parent.name,
        method=str(methods[0]).lower(),
        path=openapi_path,
        summary=summary,
        description=description,
        path_params=[p.strip("{}") for p in openapi_path.split("/") if p.startswith("{")],
    )
    for call in reader.calls():
        if reader._is(call, "parse_body"):
            op.body = reader.model_arg(call, "parse_body")
            op.errors |= {400, 413}
        elif reader._is(call, "parse_query"):
            op.query = reader.model_arg(call, "parse_query")
            op.errors.add(400)
        elif reader._is(call, "raw_body"):
            op.errors |= {400, 413}
        elif reader._is(call, "if_match"):
            op.headers.append(("If-Match", "The ticket version the change is based on (412 when stale)."))
            op.errors |= {400, 412}
        elif reader._is(call, "header"):
            arg = call.args[1] if len(call.args) > 1 else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise OpenApiError(f"{path}: header(app, …) must name the header as a string literal")
            op.headers.append((arg.value, _HEADER_DOCS.get(arg.value.lower(), "")))
        elif reader._is(call, "principal"):
            op.public = False
            op.errors.add(401)
        elif reader._is(call, "json_response"):
            status = call.args[0] if call.args else None
            if not (isinstance(status, ast.Constant) and isinstance(status.value, int)):
                raise OpenApiError(f"{path}: json_response needs a literal status code")
            body = call.args[1] if len(call.args) > 1 else None
            none = body is None or (isinstance(body, ast.Constant) and body.value is None)
            op.responses[status.value] = None if body is None or none else reader.shape(body)
    if not op.responses:
        raise OpenApiError(f"{path}: no json_response(status, …) in {route.func.__name__}")
    op.roles = reader.roles() if not op.public else set()
    if op.roles != set(ALL_ROLES) and not op.public:
        op.errors.add(403)
    op.errors |= _raised(route.func, 0, set())
    if op.path_params:
        op.errors.add(404)
    if op.public:
        op.errors.discard(401)
    op.headers = list(dict.fromkeys(op.headers))
    return op


_HEADER_DOCS = {
    "idempotency-key": (
        "A retry with the same key returns the first result; the same key with another body is 409."
    ),
    "x-chat-token": "The visitor token returned when the chat session started.",
}


# --- the document -----------------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)
    elif isinstance(node, Merge):
        for v in node.parts:
            yield from _walk(v)


def _merged_parts(node: Merge) -> Iterator[Any]:
    """A merge of merges is one merge (`{**body, "k": v}` where body itself got keys added)."""
    for part in node.parts:
        if isinstance(part, Merge) and not part.drop:
            yield from _merged_parts(part)
        else:
            yield part


class _Definitions:
    def __init__(self, refs: list[TypeRef]) -> None:
        keyed: dict[tuple[int, str], TypeRef] = {}
        for ref in refs:
            keyed.setdefault((id(ref.tp), ref.mode), ref)
        inputs = [((key[0],), key[1], TypeAdapter(ref.tp).core_schema) for key, ref in keyed.items()]
        generator = GenerateJsonSchema(ref_template=REF)
        mapping, definitions = generator.generate_definitions(inputs)  # type: ignore[arg-type]
        self.by_key: dict[tuple[int, str], Any] = {(k[0][0], k[1]): v for k, v in mapping.items()}
        self.components: dict[str, Any] = {str(name): schema for name, schema in definitions.items()}

    def schema(self, ref: TypeRef) -> Any:
        return copy.deepcopy(self.by_key[(id(ref.tp), ref.mode)])

    def target(self, schema: Any) -> Any:
        """Follow a $ref to its component (one level)."""
        if isinstance(schema, dict) and set(schema) == {"$ref"}:
            return self.components[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def fill(self, node: Any) -> Any:
        if isinstance(node, TypeRef):
            return self.schema(node)
        if isinstance(node, Merge):
            return self.merge(node)
        if isinstance(node, dict):
            return {k: self.fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.fill(v) for v in node]
        return node

    def merge(self, node: Merge) -> dict[str, Any]:
        """One object: a component that allows extra keys stays a $ref under allOf (the client's
        type reads `TicketView & {…}`); everything else is copied into one inline object."""
        refs: list[dict[str, Any]] = []
        props: dict[str, Any] = {}
        required: list[str] = []
        open_ = False
        for part in _merged_parts(node):
            filled = self.fill(part)
            schema = self.target(filled)
            if not node.drop and schema is not filled and schema.get("additionalProperties") is not False:
                refs.append(filled)
                continue
            if isinstance(schema, dict) and "anyOf" in schema:  # X | None: the object branch
                objects = [s for s in schema["anyOf"] if s != {"type": "null"}]
                schema = self.target(objects[0]) if len(objects) == 1 else {}
            if not isinstance(schema, dict) or "properties" not in schema:
                open_ = True
                continue
            props.update(copy.deepcopy(schema["properties"]))
            required += [r for r in schema.get("required", []) if r not in required]
        for key in node.drop:
            props.pop(key, None)
        required = [r for r in required if r in props and r not in node.optional]
        out: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            out["required"] = required
        if open_:
            out["additionalProperties"] = True
        if not refs:
            return out
        return {"allOf": [*refs, out]} if props or open_ else (refs[0] if len(refs) == 1 else {"allOf": refs})


def _query_parameters(defs: _Definitions, model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = defs.target(defs.schema(TypeRef(model, "validation")))
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = copy.deepcopy(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        options = prop.get("anyOf")
        if options and {"type": "null"} in options:  # optional in a query string means absent
            rest = [o for o in options if o != {"type": "null"}]
            prop.pop("anyOf")
            prop = {**(rest[0] if len(rest) == 1 else {"anyOf": rest}), **prop}
            if prop.get("default", 0) is None:
                prop.pop("default")
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if prop.get("type") == "array":
            param.update(style="form", explode=False)
            description = (description + " " if description else "") + "A comma-separated list."
        if description:
            param["description"] = description
        out.append(param)
    return out


def _role_text(op: Operation) -> str:
    if op.public:
        return "Public: no bearer token (API Gateway runs no authorizer on this route)."
    if op.roles == set(ALL_ROLES):
        return "Roles: any signed-in user (staff or customer); customers see only their own client's data."
    return "Roles: " + ", ".join(r for r in ALL_ROLES if r in op.roles) + "."


def _operation(defs: _Definitions, op: Operation) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in op.path_params
    ]
    if op.query is not None:
        parameters += _query_parameters(defs, op.query)
    for name, doc in op.headers:
        param: dict[str, Any] = {
            "name": name,
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
        }
        if doc:
            param["description"] = doc
        parameters.append(param)
    description = "\n\n".join(t for t in (op.description, _role_text(op)) if t)
    out: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "description": description,
        "tags": [op.path.strip("/").split("/")[0]],
        "x-roles": [] if op.public else [r for r in ALL_ROLES if r in op.roles],
    }
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": defs.schema(TypeRef(op.body, "validation"))}},
        }
    responses: dict[str, Any] = {}
    for status, shape in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": HTTPStatus(status).phrase}
        if shape is not None:
            entry["content"] = {"application/json": {"schema": defs.fill(shape)}}
        responses[str(status)] = entry
    for status in sorted(op.errors):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    responses["default"] = {"$ref": "#/components/responses/InternalError"}
    out["responses"] = responses
    if op.public:
        out["security"] = []
    return out


def _error_components(defs: _Definitions) -> dict[str, Any]:
    ref = {"$ref": REF.format(model="Error")}
    responses = {
        name: {"description": text, "content": {"application/json": {"schema": ref}}}
        for name, text in ERROR_RESPONSES.values()
    }
    responses["InternalError"] = {
        "description": "`internal_error`: something went wrong on our side (never for bad input).",
        "content": {"application/json": {"schema": ref}},
    }
    return responses


def build_document(root: Path | None = None) -> dict[str, Any]:
    root = root or repo_root()
    operations = [read_handler(p) for p in handler_paths(root)]
    local = local_operations()
    refs = [TypeRef(Error)]
    for op in operations:
        refs += [n for n in _walk(list(op.responses.values())) if isinstance(n, TypeRef)]
        refs += [TypeRef(m, "validation") for m in (op.body, op.query) if m is not None]
    defs = _Definitions(refs)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item = paths.setdefault(op.path, {})
        if op.method in item:
            raise OpenApiError(f"{op.method.upper()} {op.path} is served by two handlers")
        item[op.method] = _operation(defs, op)
    for (method, path), spec in local.items():
        paths.setdefault(path, {})[method] = spec
    # Query models live only in parameters; drop them from components unless referenced elsewhere.
    body = json.dumps([paths, defs.components])
    for ref in {defs.schema(TypeRef(op.query, "validation"))["$ref"] for op in operations if op.query}:
        if body.count(json.dumps(ref)) == 0:
            defs.components.pop(ref.rsplit("/", 1)[1])
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("regentra")
    except PackageNotFoundError:
        release = "0.0.0"
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Regentra Tickets API",
            "version": release,
            "description": (
                "Generated from the handlers in functions/http (`make openapi`); do not edit by hand.\n\n"
                "Errors always have the shape `Error`. Times are ISO 8601 UTC with `Z`. "
                "Operations flagged `x-local-only` exist only under `regentra local`. "
                "`x-roles` lists the roles that may call an operation."
            ),
        },
        "servers": [
            {"url": "http://127.0.0.1:3000", "description": "regentra local"},
            {
                "url": "https://{apiId}.execute-api.{region}.amazonaws.com",
                "description": "AWS (the stack's ApiUrl output)",
                "variables": {"apiId": {"default": "api-id"}, "region": {"default": "us-east-1"}},
            },
        ],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": t} for t in sorted({o.path.strip("/").split("/")[0] for o in operations} | {"local"})
        ],
        "paths": {
            p: dict(sorted(ops.items(), key=lambda kv: METHODS.index(kv[0])))
            for p, ops in sorted(paths.items())
        },
        "components": {
            "schemas": dict(sorted(defs.components.items())),
            "responses": _error_components(defs),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": (
                        "In AWS: the Cognito ID token of the hosted sign-in (it carries custom:tenant_id, "
                        "cognito:groups, custom:client_id). Locally: a token from POST /_local/token."
                    ),
                }
            },
        },
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generate(root: Path | None = None) -> str:
    return render(build_document(root))


# --- regentra local's own routes (not Lambda handlers; absent in AWS) ------------------------------


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


_STR = {"type": "string"}
_NOW = _obj({"now": {"type": "string", "format": "date-time"}}, ["now"])


def _local(
    summary: str,
    description: str,
    response: Any,
    body: Any = None,
    status: int = 200,
    content_type: str = "application/json",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "summary": summary,
        "description": (description + "\n\n" if description else "")
        + "Local only: served by `regentra local`, absent in AWS.",
        "tags": ["local"],
        "x-local-only": True,
        "security": [],
    }
    if body is not None:
        out["requestBody"] = {"required": True, "content": {content_type: {"schema": body}}}
    ok: dict[str, Any] = {"description": HTTPStatus(status).phrase}
    if response is not None:
        ok["content"] = {"application/json": {"schema": response}}
    out["responses"] = {str(status): ok}
    if body is not None:
        out["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    return out


def local_operations() -> dict[tuple[str, str], dict[str, Any]]:
    roles = {"type": "string", "enum": list(ALL_ROLES)}
    outbox_item = _obj(
        {
            "channel": {"type": "string", "enum": ["EMAIL", "SMS"]},
            "to": _STR,
            "subject": {"type": ["string", "null"]},
            "body": _STR,
            "message_id": {"type": ["string", "null"]},
            "ticket_id": {"type": ["string", "null"]},
            "sent_at": {"type": "string", "format": "date-time"},
            "in_reply_to": {"type": ["string", "null"]},
            "references": {},
        }
    )
    ops = {
        ("post", "/_local/token"): _local(
            "Issue a local bearer token",
            "Valid for the life of the local process, whatever the local clock says.",
            _obj({"token": _STR}, ["token"]),
            _obj(
                {
                    "tenant_id": _STR,
                    "role": roles,
                    "user_id": _STR,
                    "client_id": _STR,
                    "contact_id": _STR,
                    "email": _STR,
                },
                ["tenant_id", "role", "user_id"],
            ),
        ),
        ("get", "/_local/clock"): _local("Read the local clock", "", _NOW),
        ("post", "/_local/clock"): _local(
            "Move the local clock forward",
            "Every schedule that came due runs before the call returns.",
            _obj({**_NOW["properties"], "schedule_runs": {"type": "array", "items": {}}}, ["now"]),
            _obj(
                {"advance_minutes": {"type": "number", "minimum": 0, "maximum": 525600}}, ["advance_minutes"]
            ),
        ),
        ("post", "/_local/sms"): _local(
            "Deliver an inbound SMS as SNS would",
            "",
            _obj({"inbound_message_id": _STR, "results": {"type": "array", "items": {}}}),
            _obj({"from": _STR, "to": _STR, "body": _STR, "message_id": _STR}, ["from", "to"]),
        ),
        ("get", "/_local/outbox"): _local(
            "Mail and SMS sent so far",
            "",
            _obj({"items": {"type": "array", "items": outbox_item}}, ["items"]),
        ),
        ("get", "/_local/events"): _local(
            "Events published to the (local) bus",
            "",
            _obj({"items": {"type": "array", "items": {}}}, ["items"]),
        ),
        ("post", "/_local/uploads"): _local(
            "Upload a file with a presigned POST form",
            "Stands in for S3's presigned POST: the `fields` of POST /tickets/{ticket_id}/attachments"
            " plus `file`.",
            None,
            _obj(
                {
                    "policy": _STR,
                    "Content-Type": _STR,
                    "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                }
            ),
            status=204,
            content_type="multipart/form-data",
        ),
        ("get", "/_local/blobs/{grant}"): _local(
            "Download a file by a signed link",
            "Stands in for S3's presigned GET (the `download_url` of an attachment).",
            None,
        ),
        ("get", "/openapi.json"): _local(
            "This document", "Generated from the handlers when first asked.", {"type": "object"}
        ),
        ("get", "/_local/demo"): _local(
            "Who the local sign-in page offers",
            "The demo MSP's staff and one customer contact per client; empty without demo data.",
            _obj(
                {
                    "items": {
                        "type": "array",
                        "items": _obj(
                            {
                                "tenant_id": _STR,
                                "label": _STR,
                                "role": roles,
                                "user_id": _STR,
                                "name": _STR,
                                "client_id": _STR,
                                "contact_id": _STR,
                            },
                            ["tenant_id", "label", "role", "user_id"],
                        ),
                    }
                },
                ["items"],
            ),
        ),
        ("get", "/config.json"): _local(
            "How the web app finds the API and signs in",
            "Locally the sign-in page issues tokens through /_local/token; in AWS the deploy writes the same "
            "file into the web bucket with `auth.type` = `cognito` (notes: readme-web-hosting.md).",
            _obj(
                {
                    "api_url": {
                        "type": "string",
                        "description": "Prefix of every API path; empty: this origin.",
                    },
                    "auth": _obj(
                        {
                            "type": {"type": "string", "enum": ["local", "cognito"]},
                            "token_url": _STR,
                            "demo_url": _STR,
                            "domain": _STR,
                            "client_id": _STR,
                            "redirect_uri": _STR,
                            "logout_uri": _STR,
                            "scopes": {"type": "array", "items": _STR},
                        },
                        ["type"],
                    ),
                },
                ["api_url", "auth"],
            ),
        ),
    }
    blob = ops[("get", "/_local/blobs/{grant}")]
    blob["parameters"] = [{"name": "grant", "in": "path", "required": True, "schema": _STR}]
    blob["responses"]["200"] = {"description": "The file", "content": {"application/octet-stream": {}}}
    blob["responses"]["403"] = {"$ref": "#/components/responses/Forbidden"}
    return ops
