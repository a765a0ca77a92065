"""Step Functions, locally: the state machines template.yaml declares, run in process.

The definition is the ASL file the template's `AWS::Serverless::StateMachine` names
(`DefinitionUri`), and each Task's `Resource` (`${Name}`) is resolved through the machine's
`DefinitionSubstitutions` (`!GetAtt <Function>.Arn`) to a function of the template, invoked with
the same `FunctionHost` as every other local trigger: the task handlers run in the order the
state machine gives, never from a second hard-coded list.

A small interpreter of the ASL this project uses: Task, Map (INLINE; iterations run one after
another, as the local host serialises invocations anyway, so `MaxConcurrency` is an upper bound
that holds trivially), Pass, Choice, Succeed and Fail; `InputPath`, `Parameters` /
`ItemSelector` (`.$` paths into the input or the `$$` context), `ResultSelector`, `ResultPath`,
`OutputPath`; `Retry` (ErrorEquals, MaxAttempts; no waiting between attempts) and `Catch`.
An error's name is the exception's class name, as Lambda's Python runtime reports it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from regentra.clock import get_clock
from regentra.local.template import Template

SUPPORTED_STATES = frozenset({"Task", "Map", "Pass", "Choice", "Succeed", "Fail"})
_SUBSTITUTION = re.compile(r"^\$\{([A-Za-z0-9_]+)\}$")
_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


class StateError(Exception):
    """An ASL error (States.* or a task's error name) travelling to a Retry / Catch."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class WorkflowFailed(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    definition: dict[str, Any]
    # DefinitionSubstitutions name -> the template function it names (!GetAtt <Function>.Arn)
    functions: dict[str, str] = field(default_factory=dict)

    def function_for(self, resource: str) -> str:
        m = _SUBSTITUTION.match(resource)
        if not m or m.group(1) not in self.functions:
            raise StateError("States.Runtime", f"resource {resource!r} names no function of the template")
        return self.functions[m.group(1)]


def _named_resource(value: Any) -> str | None:
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return str(target[0] if isinstance(target, list) else str(target).split(".")[0])
        if "Ref" in value:
            return str(value["Ref"])
    return None


def state_machines(template: Template) -> dict[str, StateMachine]:
    """Every AWS::Serverless::StateMachine of the template with its ASL file read."""
    out = {}
    for logical, res in template.of_type("AWS::Serverless::StateMachine").items():
        props = res.get("Properties", {})
        uri = props.get("DefinitionUri")
        if isinstance(uri, str):
            definition = json.loads((template.root / uri).read_text())
        elif "Definition" in props:
            definition = props["Definition"]
        else:
            continue
        functions = {}
        for name, value in (props.get("DefinitionSubstitutions") or {}).items():
            target = _named_resource(value)
            if target is not None:
                functions[name] = target
        out[logical] = StateMachine(logical, definition, functions)
    return out


# --- paths -------------------------------------------------------------------------------------


_MISSING = object()


def _walk(root: Any, path: str) -> Any:
    rest = path[1:]
    value = root
    pos = 0
    while pos < len(rest):
        m = _PATH_PART.match(rest, pos)
        if not m:
            raise StateError("States.Runtime", f"unsupported path {path!r}")
        key, index = m.group(1), m.group(2)
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                return _MISSING
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return _MISSING
            value = value[int(index)]
        pos = m.end()
    return value


def read_path(data: Any, path: str, context: dict[str, Any]) -> Any:
    """`$...` into the data, `$$...` into the context object; a missing field is States.Runtime."""
    value = _walk(context, path[1:]) if path.startswith("$$") else _walk(data, path)
    if value is _MISSING:
        raise StateError("States.Runtime", f"the path {path!r} matched nothing")
    return value


def present(data: Any, path: str, context: dict[str, Any]) -> bool:
    root, p = (context, path[1:]) if path.startswith("$$") else (data, path)
    return _walk(root, p) is not _MISSING


def resolve_template(template: Any, data: Any, context: dict[str, Any]) -> Any:
    """Parameters / ItemSelector / ResultSelector: `"key.$": "<path>"` takes a value from the data."""
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                if not isinstance(value, str) or not value.startswith("$"):
                    raise StateError(
                        "States.Runtime", f"{key}: only paths are supported locally, not {value!r}"
                    )
                out[key[:-2]] = read_path(data, value, context)
            else:
                out[key] = resolve_template(value, data, context)
        return out
    if isinstance(template, list):
        return [resolve_template(v, data, context) for v in template]
    return template


def set_result(data: Any, result_path: Any, result: Any) -> Any:
    """ResultPath: `$` replaces the input, null discards the result, `$.a.b` places it."""
    if result_path is None:
        return data
    if result_path == "$":
        return result
    out = copy.deepcopy(data) if isinstance(data, dict) else {}
    target = out
    keys = result_path[2:].split(".")
    for key in keys[:-1]:
        nxt = target.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            target[key] = nxt
        target = nxt
    target[keys[-1]] = result
    return out


def _effective_input(state: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
    path = state.get("InputPath", "$")
    return {} if path is None else read_path(data, path, context)


def _output(state: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
    path = state.get("OutputPath", "$")
    return {} if path is None else read_path(data, path, context)


# --- choice rules -------------------------------------------------------------------------------


def _rule_matches(rule: dict[str, Any], data: Any, context: dict[str, Any]) -> bool:
    if "And" in rule:
        return all(_rule_matches(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(_rule_matches(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not _rule_matches(rule["Not"], data, context)
    path = rule["Variable"]
    if "IsPresent" in rule:
        return present(data, path, context) is bool(rule["IsPresent"])
    value = read_path(data, path, context) if present(data, path, context) else _MISSING
    if "IsNull" in rule:
        return (value is None) is bool(rule["IsNull"])
    if value is _MISSING:
        raise StateError("States.Runtime", f"Choice variable {path!r} is missing")
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "StringEquals": lambda a, b: isinstance(a, str) and a == b,
        "BooleanEquals": lambda a, b: isinstance(a, bool) and a is b,
        "NumericEquals": lambda a, b: isinstance(a, int | float) and a == b,
        "NumericGreaterThan": lambda a, b: isinstance(a, int | float) and a > b,
        "NumericLessThan": lambda a, b: isinstance(a, int | float) and a < b,
        "IsString": lambda a, b: isinstance(a, str) is bool(b),
    }
    for op, compare in comparisons.items():
        if op in rule:
            return compare(value, rule[op])
    raise StateError("States.Runtime", f"unsupported Choice rule {sorted(rule)}")


# --- the interpreter ----------------------------------------------------------------------------


def _matches(error: str, names: list[str]) -> bool:
    if error in names or "States.ALL" in names:
        return True
    return "States.TaskFailed" in names and error != "States.Timeout" and not error.startswith("States.")


class Interpreter:
    def __init__(
        self, machine: StateMachine, invoke: Callable[[str, dict[str, Any]], Any], *, name: str | None = None
    ) -> None:
        self.machine = machine
        self.invoke = invoke
        self.name = name or uuid.uuid4().hex
        self.steps: list[str] = []  # every state entered, in order (for tests and the bench)

    def run(self, payload: Any) -> Any:
        context: dict[str, Any] = {
            "Execution": {
                "Id": f"local:{self.machine.logical_id}:{self.name}",
                "Name": self.name,
                "Input": payload,
                "StartTime": get_clock().now().isoformat(),
            },
            "StateMachine": {"Id": f"local:{self.machine.logical_id}", "Name": self.machine.logical_id},
        }
        try:
            return self._run_block(self.machine.definition, payload, context)
        except StateError as err:
            raise WorkflowFailed(err.error, err.cause) from err

    def _run_block(self, block: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
        name = block["StartAt"]
        while True:
            state = block["States"][name]
            kind = state["Type"]
            if kind not in SUPPORTED_STATES:
                raise StateError("States.Runtime", f"state type {kind} is not supported locally")
            self.steps.append(name)
            ctx = {**context, "State": {"Name": name, "EnteredTime": get_clock().now().isoformat()}}
            try:
                if kind == "Succeed":
                    return _output(state, _effective_input(state, data, ctx), ctx)
                if kind == "Fail":
                    raise StateError(state.get("Error", "States.Fail"), state.get("Cause", ""))
                if kind == "Choice":
                    effective = _effective_input(state, data, ctx)
                    rule = next(
                        (r for r in state.get("Choices", []) if _rule_matches(r, effective, ctx)), None
                    )
                    nxt = rule["Next"] if rule else state.get("Default")
                    if nxt is None:
                        raise StateError("States.NoChoiceMatched", f"no choice of {name} matched")
                    data, name = _output(state, effective, ctx), nxt
                    continue
                if kind == "Pass":
                    effective = _effective_input(state, data, ctx)
                    if "Parameters" in state:
                        effective = resolve_template(state["Parameters"], effective, ctx)
                    result = state.get("Result", effective)
                    out = _output(state, set_result(data, state.get("ResultPath", "$"), result), ctx)
                elif kind == "Task":
                    out = self._task(state, data, ctx)
                else:
                    out = self._map(state, data, ctx)
            except StateError as err:
                catcher = next(
                    (c for c in state.get("Catch", []) if _matches(err.error, c["ErrorEquals"])), None
                )
                if catcher is None or kind not in ("Task", "Map"):
                    raise
                self.steps.append(f"{name}!{err.error}")
                data = set_result(
                    data, catcher.get("ResultPath", "$"), {"Error": err.error, "Cause": err.cause}
                )
                name = catcher["Next"]
                continue
            if state.get("End"):
                return out
            data, name = out, state["Next"]

    def _task(self, state: dict[str, Any], data: Any, ctx: dict[str, Any]) -> Any:
        effective = _effective_input(state, data, ctx)
        if "Parameters" in state:
            effective = resolve_template(state["Parameters"], effective, ctx)
        function = self.machine.function_for(state["Resource"])
        attempts: dict[int, int] = {}
        while True:
            try:
                result = self.invoke(function, copy.deepcopy(effective))
                break
            except Exception as exc:  # noqa: BLE001 - every task error goes to Retry / Catch
                error = type(exc).__name__
                cause = json.dumps(
                    {
                        "errorMessage": str(exc),
                        "errorType": error,
                        "stackTrace": traceback.format_exc().splitlines(),
                    }
                )
                for i, retrier in enumerate(state.get("Retry", [])):
                    if _matches(error, retrier["ErrorEquals"]):
                        attempts[i] = attempts.get(i, 0) + 1
                        if attempts[i] <= int(retrier.get("MaxAttempts", 3)):
                            self.steps.append(f"retry:{error}")
                            break
                        raise StateError(error, cause) from exc
                else:
                    raise StateError(error, cause) from exc
        if "ResultSelector" in state:
            result = resolve_template(state["ResultSelector"], result, ctx)
        return _output(state, set_result(data, state.get("ResultPath", "$"), result), ctx)

    def _map(self, state: dict[str, Any], data: Any, ctx: dict[str, Any]) -> Any:
        effective = _effective_input(state, data, ctx)
        items = read_path(effective, state.get("ItemsPath", "$"), ctx)
        if not isinstance(items, list):
            raise StateError("States.Runtime", "Map ItemsPath does not point at a list")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor is None:
            raise StateError("States.Runtime", "Map has no ItemProcessor")
        selector = state.get("ItemSelector", state.get("Parameters"))
        results = []
        for index, value in enumerate(items):
            item_ctx = {**ctx, "Map": {"Item": {"Index": index, "Value": value}}}
            item = resolve_template(selector, effective, item_ctx) if selector is not None else value
            results.append(self._run_block(processor, item, ctx))
        result: Any = results
        if "ResultSelector" in state:
            result = resolve_template(state["ResultSelector"], results, ctx)
        return _output(state, set_result(data, state.get("ResultPath", "$"), result), ctx)


# --- the local WorkflowStarter ------------------------------------------------------------------


@dataclass
class Execution:
    state_machine: str
    name: str
    status: str
    steps: list[str]
    output: Any = None
    error: str | None = None


_executions: dict[tuple[str, str], Execution] = {}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _host() -> Any:
    """The function host the local executions invoke task handlers with (like the gateway's)."""
    from regentra.local.functions import FunctionHost
    from regentra.local.tables import local_table_name

    template = Template.load()
    local_values = {n: local_table_name(n) for n in template.tables()}
    local_values["LogLevel"] = os.environ.get("REGENTRA_LOG_LEVEL", "WARNING")  # as `regentra local` sets it
    return FunctionHost(template, local_values, fallback_env=dict(os.environ))


def executions() -> list[Execution]:
    with _lock:
        return list(_executions.values())


class LocalWorkflowStarter:
    """The WorkflowStarter port under `regentra local` (and the tests): the execution runs to its
    end in process before `start` returns, so the caller's response follows a finished cascade.
    A second start of the same name is refused, as Step Functions refuses it."""

    def __init__(
        self, state_machine: str, invoke: Callable[[str, dict[str, Any]], Any] | None = None
    ) -> None:
        self.state_machine = state_machine
        self._invoke = invoke

    def start(self, name: str, payload: dict[str, Any]) -> bool:
        key = (self.state_machine, name)
        with _lock:
            if key in _executions:
                return False
            record = Execution(self.state_machine, name, "RUNNING", [])
            _executions[key] = record
        if self._invoke is not None:
            machine = state_machines(Template.load())[self.state_machine]
            invoke = self._invoke
        else:
            host = _host()
            machine = state_machines(host.template)[self.state_machine]
            invoke = host.invoke
        interpreter = Interpreter(machine, invoke, name=name)
        record.steps = interpreter.steps
        try:
            record.output = interpreter.run(payload)
            record.status = "SUCCEEDED"
        except WorkflowFailed as failed:
            record.status, record.error = "FAILED", failed.error
        return True
