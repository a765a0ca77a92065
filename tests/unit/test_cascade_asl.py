"""The cascade state machine: its ASL is valid and names only functions of template.yaml, wired with
least privilege; and the local interpreter runs it in the order it defines, honouring Retry / Catch."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from regentra.local.template import Template
from regentra.local.workflows import (
    SUPPORTED_STATES,
    Interpreter,
    LocalWorkflowStarter,
    StateMachine,
    WorkflowFailed,
    state_machines,
)

MACHINE = "CascadeStateMachine"


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template.load()


@pytest.fixture(scope="module")
def machine(tpl: Template) -> StateMachine:
    return state_machines(tpl)[MACHINE]


def all_states(block: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, state in block["States"].items():
        out[name] = state
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            out.update(all_states(inner))
    return out


def check_block(block: dict[str, Any], where: str) -> list[str]:
    problems = []
    states = block["States"]
    if block.get("StartAt") not in states:
        problems.append(f"{where}: StartAt {block.get('StartAt')!r} is not a state")
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default")]
        targets += [c.get("Next") for c in state.get("Choices", [])]
        targets += [c.get("Next") for c in state.get("Catch", [])]
        problems += [f"{where}.{name}: Next {t!r} is not a state" for t in targets if t and t not in states]
        terminal = state["Type"] in ("Succeed", "Fail", "Choice") or state.get("End") is True
        if not terminal and "Next" not in state:
            problems.append(f"{where}.{name}: neither Next nor End")
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            problems += check_block(inner, f"{where}.{name}")
    return problems


def test_the_asl_file_is_valid_json_with_a_connected_graph(tpl: Template) -> None:
    props = tpl.resources[MACHINE]["Properties"]
    assert tpl.resources[MACHINE]["Type"] == "AWS::Serverless::StateMachine"
    assert props["DefinitionUri"] == "infra/statemachines/cascade.asl.json"
    definition = json.loads((tpl.root / props["DefinitionUri"]).read_text())
    assert check_block(definition, "cascade") == []
    kinds = Counter(s["Type"] for s in all_states(definition).values())
    assert set(kinds) <= SUPPORTED_STATES  # the local interpreter runs every state the file uses
    assert {"Task", "Map", "Choice", "Pass", "Fail"} <= set(kinds)


def test_every_task_names_a_template_function_and_may_invoke_only_those(
    tpl: Template, machine: StateMachine
) -> None:
    functions = tpl.of_type("AWS::Serverless::Function")
    props = tpl.resources[MACHINE]["Properties"]
    resources = {s["Resource"] for s in all_states(machine.definition).values() if s["Type"] == "Task"}
    named = {machine.function_for(r) for r in resources}
    assert named and named <= set(functions), named - set(functions)
    # every substitution is a function's Arn, and every one is used
    for key, value in props["DefinitionSubstitutions"].items():
        target = value["Fn::GetAtt"]
        assert target[1] == "Arn" and target[0] in functions, key
        assert f"${{{key}}}" in resources, f"{key} is not used by any Task"
    # least privilege: one LambdaInvokePolicy per task function, nothing else
    invoke = sorted(p["LambdaInvokePolicy"]["FunctionName"]["Ref"] for p in props["Policies"])
    assert invoke == sorted(named)
    # the task functions are invoked only by the state machine (no events of their own)
    for fn in named:
        assert not functions[fn]["Properties"].get("Events"), fn


def test_fan_out_is_bounded_and_applying_retries_then_catches(machine: StateMachine) -> None:
    states = all_states(machine.definition)
    fan_out = states["ApplyToChildren"]
    assert fan_out["Type"] == "Map" and 1 <= fan_out["MaxConcurrency"] <= 40
    apply = states["ApplyToChild"]
    assert any("ConcurrentUpdate" in r["ErrorEquals"] for r in apply["Retry"])
    assert [c["Next"] for c in apply["Catch"]] == ["RecordChildFailure"]
    assert states["ListChildren"]["Catch"][0]["Next"] == "MarkFailed"


def test_the_start_function_may_start_only_this_machine(tpl: Template) -> None:
    props = tpl.resources["StartCascadeFunction"]["Properties"]
    assert props["Environment"]["Variables"]["CASCADE_STATE_MACHINE_ARN"] == {"Ref": MACHINE}
    statements = [s for p in props["Policies"] for s in p["Statement"]]
    states_actions = [s for s in statements if any(a.startswith("states:") for a in s["Action"])]
    assert states_actions == [
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": {"Ref": MACHINE}}
    ]


# --- the interpreter, on the real definition with fake task functions ------------------------------


class FakeCascade:
    """Stands in for the four task functions: two pages of children."""

    def __init__(self, pages: list[list[str]], fail: dict[str, list[Exception]] | None = None) -> None:
        self.pages = pages
        self.fail = fail or {}
        self.calls: list[tuple[str, str]] = []

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        if function == "CascadeListChildrenFunction":
            n = int(event["cursor"] or 0)
            self.calls.append(("list", str(n)))
            nxt = str(n + 1) if n + 1 < len(self.pages) else None
            return {"children": self.pages[n], "next_cursor": nxt, "listed": len(self.pages[n])}
        if function == "CascadeApplyToChildFunction":
            self.calls.append(("apply", event["child_id"]))
            errors = self.fail.get(event["child_id"], [])
            if errors:
                raise errors.pop(0)
            return {"child_id": event["child_id"], "outcome": "applied"}
        if function == "CascadeRecordFailureFunction":
            self.calls.append(("failed", f"{event['child_id']}:{event['error']['Error']}"))
            return {"outcome": "failed"}
        if function == "CascadeFinalizeFunction":
            self.calls.append(("finalize", event.get("error", {}).get("Error", "ok")))
            return {"state": "FAILED" if "error" in event else "SUCCEEDED"}
        raise AssertionError(function)


class ConcurrentUpdate(Exception):
    pass


START = {"tenant_id": "t", "cascade_id": "c", "master_id": "m", "cursor": None}


def test_runs_the_steps_in_the_order_the_definition_gives(machine: StateMachine) -> None:
    fake = FakeCascade([["a", "b"], ["c"]])
    interp = Interpreter(machine, fake.invoke)
    assert interp.run(START) == {"state": "SUCCEEDED"}
    assert fake.calls == [
        ("list", "0"), ("apply", "a"), ("apply", "b"),
        ("list", "1"), ("apply", "c"),
        ("finalize", "ok"),
    ]  # fmt: skip
    assert interp.steps[:6] == [
        "ListChildren",
        "ApplyToChildren",
        "ApplyToChild",
        "ApplyToChild",
        "MorePages",
        "NextPage",
    ]
    assert interp.steps[-2:] == ["MorePages", "Finalize"]


def test_retry_then_catch(machine: StateMachine) -> None:
    fake = FakeCascade(
        [["a", "b", "c"]],
        fail={
            "a": [ConcurrentUpdate("lost a race"), ConcurrentUpdate("again")],  # retried, then applied
            "b": [ValueError("bug")] * 10,  # States.TaskFailed: 2 retries, then the Catch
        },
    )
    assert Interpreter(machine, fake.invoke).run(START) == {"state": "SUCCEEDED"}
    assert [c for c in fake.calls if c[0] == "apply"].count(("apply", "a")) == 3
    assert [c for c in fake.calls if c[0] == "apply"].count(("apply", "b")) == 3
    assert ("failed", "b:ValueError") in fake.calls and ("apply", "c") in fake.calls
    assert fake.calls[-1] == ("finalize", "ok")


def test_a_failed_listing_marks_the_cascade_failed(machine: StateMachine) -> None:
    def invoke(function: str, event: dict[str, Any]) -> Any:
        if function == "CascadeListChildrenFunction":
            raise RuntimeError("table gone")
        assert function == "CascadeFinalizeFunction" and event["error"]["Error"] == "RuntimeError"
        calls.append(event)
        return {}

    calls: list[dict[str, Any]] = []
    with pytest.raises(WorkflowFailed) as failed:
        Interpreter(machine, invoke).run(START)
    assert failed.value.error == "CascadeFailed" and len(calls) == 1


def test_a_second_start_of_the_same_name_is_refused(machine: StateMachine) -> None:
    fake = FakeCascade([["a"]])
    starter = LocalWorkflowStarter(MACHINE, invoke=fake.invoke)
    assert starter.start("dup-name-1", START) is True
    assert starter.start("dup-name-1", START) is False
    assert [c for c in fake.calls if c[0] == "apply"] == [("apply", "a")]
