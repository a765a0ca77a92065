"""Read template.yaml: the one source of functions, routes, schedules and tables.

The local runtime never re-declares a route by hand; it asks this module.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that understands CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


BUILD_DIR_ENV = "REGENTRA_BUILD_DIR"


def build_dir() -> Path | None:
    """What `sam build` wrote, when `regentra local --from-build DIR` (or `make build-check`) serves it:
    DIR/template.yaml names each function's built folder (CodeUri) and the layer's (ContentUri)."""
    value = os.environ.get(BUILD_DIR_ENV)
    return Path(value).resolve() if value else None


def find_repo_root(start: Path | None = None) -> Path:
    here = (start or Path(__file__)).resolve()
    for parent in [here, *here.parents]:
        if (parent / "template.yaml").is_file() and (parent / "functions").is_dir():
            return parent
    raise FileNotFoundError("template.yaml not found above " + str(here))


def load_template(path: Path) -> dict[str, Any]:
    with path.open() as fh:
        return yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template: /tickets/{id}
    function: str
    pattern: re.Pattern[str] = field(compare=False)
    param_names: tuple[str, ...] = field(compare=False, default=())
    auth: bool = True  # False: the event says `Auth: {Authorizer: NONE}` (a public route, no JWT)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method and self.method != "ANY":
            return None
        m = self.pattern.fullmatch(path)
        return dict(zip(self.param_names, m.groups(), strict=True)) if m else None


@dataclass(frozen=True)
class Schedule:
    function: str
    name: str
    expression: str
    input: str | None = None


@dataclass(frozen=True)
class StreamTrigger:
    function: str
    name: str
    table: str
    batch_size: int = 100
    filters: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]


def _route(method: str, path: str, function: str, auth: bool = True) -> Route:
    names = tuple(re.findall(r"{([^}/]+)}", path))
    regex = (
        "^" + re.sub(r"{[^}/]+}", "([^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$"
    )
    return Route(
        method=method.upper(),
        path=path,
        function=function,
        pattern=re.compile(regex),
        param_names=names,
        auth=auth,
    )


@dataclass
class Template:
    root: Path
    body: dict[str, Any]

    @classmethod
    def load(cls, root: Path | None = None) -> Template:
        root = root or build_dir() or find_repo_root()
        return cls(root=root, body=load_template(root / "template.yaml"))

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.body.get("Resources", {}))

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == kind}

    def global_environment(self) -> dict[str, Any]:
        glob = self.body.get("Globals", {}).get("Function", {})
        return dict(glob.get("Environment", {}).get("Variables", {}))

    def functions(self) -> dict[str, FunctionSpec]:
        out = {}
        for logical, res in self.of_type("AWS::Serverless::Function").items():
            props = res.get("Properties", {})
            env = self.global_environment() | dict(props.get("Environment", {}).get("Variables", {}))
            out[logical] = FunctionSpec(
                logical_id=logical,
                code_uri=self.root / str(props["CodeUri"]),
                handler=str(props["Handler"]),
                environment=env,
            )
        return out

    def _events(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        found = []
        for logical, res in self.of_type("AWS::Serverless::Function").items():
            for name, event in (res.get("Properties", {}).get("Events") or {}).items():
                if event.get("Type") == kind:
                    found.append((logical, name, event.get("Properties", {})))
        return found

    def routes(self) -> list[Route]:
        routes = [
            _route(p["Method"], p["Path"], fn, auth=(p.get("Auth") or {}).get("Authorizer") != "NONE")
            for fn, _, p in self._events("HttpApi")
        ]
        # Literal segments win over parameters (/tickets/board before /tickets/{id}).
        return sorted(routes, key=lambda r: (r.path.count("{"), -len(r.path)))

    def schedules(self) -> list[Schedule]:
        out = []
        for fn, name, p in self._events("Schedule") + self._events("ScheduleV2"):
            if p.get("Enabled", True) is False or p.get("State") == "DISABLED":
                continue
            out.append(
                Schedule(
                    function=fn,
                    name=name,
                    expression=p["Schedule"] if "Schedule" in p else p["ScheduleExpression"],
                    input=p.get("Input"),
                )
            )
        return out

    def stream_triggers(self) -> list[StreamTrigger]:
        out = []
        for fn, name, p in self._events("DynamoDB"):
            stream = p.get("Stream", {})
            table = stream.get("Fn::GetAtt", [None])[0] if isinstance(stream, dict) else None
            filters = tuple((p.get("FilterCriteria") or {}).get("Filters") or ())
            out.append(
                StreamTrigger(
                    function=fn,
                    name=name,
                    table=str(table),
                    batch_size=int(p.get("BatchSize", 100)),
                    filters=filters,
                )
            )
        return out

    def layer_dirs(self) -> list[Path]:
        """Each layer's folder (ContentUri); in a build, its python/ is what Lambda mounts at /opt/python."""
        return [
            self.root / str(res.get("Properties", {}).get("ContentUri", ""))
            for res in self.of_type("AWS::Serverless::LayerVersion").values()
        ]

    def tables(self) -> dict[str, dict[str, Any]]:
        return {k: v.get("Properties", {}) for k, v in self.of_type("AWS::DynamoDB::Table").items()}


def _ref_name(value: Any) -> str | None:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def ses_receipt_functions(template: Template) -> list[str]:
    """Functions an SES receipt rule invokes (LambdaAction), in rule order."""
    out = []
    for res in template.of_type("AWS::SES::ReceiptRule").values():
        for action in res.get("Properties", {}).get("Rule", {}).get("Actions", []):
            name = _ref_name((action.get("LambdaAction") or {}).get("FunctionArn"))
            if name:
                out.append(name)
    return out


def sns_functions(template: Template, topic: str | None = None) -> list[str]:
    """Functions subscribed to an SNS topic of the template (optionally one topic)."""
    return [
        fn
        for fn, _, props in template._events("SNS")
        if topic is None or _ref_name(props.get("Topic")) == topic
    ]


def s3_functions(template: Template) -> list[str]:
    """Functions told about new objects in the template's bucket (an EventBridge rule on aws.s3)."""
    return [
        fn
        for fn, _, props in template._events("EventBridgeRule")
        if "aws.s3" in ((props.get("Pattern") or {}).get("source") or [])
    ]
