"""Does a function's role allow an action? Read from the SAM-transformed template, no AWS call.

Pure: ``function_roles(transformed)`` collects, for each ``AWS::Lambda::Function``, the statements of
its execution role (inline policies, ``AWS::IAM::Policy``/``ManagedPolicy`` resources attached to it,
and the few AWS-managed policies SAM attaches, modelled with their real actions). ``decide`` answers
for one action as IAM does at action level: an explicit Deny wins, then any Allow, else the implicit
deny. Wildcards (``dynamodb:*``, ``s3:Get*``, ``?``) and ``NotAction`` match as in IAM (actions
case-insensitively). When the call names a DynamoDB table/index (``table/T``, ``table/T/index/I``,
see regentra.local.iam_audit), statements also match on Resource / NotResource, with ``!GetAtt
T.Arn`` and ``!Sub "${T.Arn}/index/*"`` resolved to the local table's ARN. Conditions are not
evaluated (a conditional Allow counts as an Allow); a Resource that cannot be resolved offline
(``Fn::If``, ``Fn::ImportValue``, ...) matches any resource.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from regentra.local.tables import local_table_name

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"

# The AWS-managed policies SAM attaches to function roles, with the actions they grant (all on "*").
_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
MANAGED_POLICIES: dict[str, tuple[str, ...]] = {
    "service-role/AWSLambdaBasicExecutionRole": _LOGS,
    "AWSXrayWriteOnlyAccess": (
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
    ),
    "service-role/AWSLambdaVPCAccessExecutionRole": (
        *_LOGS,
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ),
    # DynamoDB stream events: Lambda's event source mapping reads the stream with the function's role.
    "service-role/AWSLambdaDynamoDBExecutionRole": (
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        *_LOGS,
    ),
}


class PolicyError(ValueError):
    """The template's roles cannot be read (an unmodelled managed policy, a role not in the template)."""


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    # ARN patterns; None entries are resources that could not be resolved (they match anything).
    resources: tuple[str | None, ...] = ("*",)
    not_resources: tuple[str | None, ...] | None = None
    source: str = ""  # where it comes from: "<Role>.<PolicyName>[i]" or the managed policy's name

    def matches_action(self, action: str) -> bool:
        if self.not_actions is not None:
            return not any(glob_match(p, action, ignore_case=True) for p in self.not_actions)
        return any(glob_match(p, action, ignore_case=True) for p in self.actions)

    def matches_resource(self, arn: str | None) -> bool:
        if arn is None:  # action-level question: a statement scoped to some resource may apply
            return True
        if self.not_resources is not None:
            return not any(p is not None and glob_match(p, arn) for p in self.not_resources)
        return any(p is None or glob_match(p, arn) for p in self.resources)


@dataclass(frozen=True)
class RolePolicy:
    function: str
    role: str
    statements: tuple[Statement, ...]
    managed: tuple[str, ...] = ()  # managed policy names (AWS ones) or logical ids

    @property
    def inline(self) -> tuple[Statement, ...]:
        """The statements the template wrote (not the AWS-managed ones)."""
        return tuple(s for s in self.statements if s.source not in MANAGED_POLICIES)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    statements: tuple[str, ...] = field(default=())


@lru_cache(maxsize=512)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` any run of characters (``/`` and ``:`` too), ``?`` one."""
    return bool(_glob(pattern, ignore_case).match(value))


def table_arn(resource: str) -> str:
    """``table/T[/index/I]`` as recorded -> its ARN in the transformed template's account."""
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:{resource}"


def decide(policy: RolePolicy, action: str, resource: str | None = None) -> Decision:
    """Allowed or not, and why. ``resource``: a recorded ``table/...`` (None: action level only)."""
    arn = table_arn(resource) if resource else None
    hits = [s for s in policy.statements if s.matches_action(action) and s.matches_resource(arn)]
    denies = [s.source for s in hits if s.effect == "Deny"]
    if denies:
        return Decision(False, f"explicitly denied by {', '.join(denies)}", tuple(denies))
    allows = [s.source for s in hits if s.effect == "Allow"]
    if allows:
        return Decision(True, f"allowed by {', '.join(allows)}", tuple(allows))
    where = f" on {arn}" if arn else ""
    return Decision(False, f"no statement of {policy.role} allows {action}{where}")


def _short(arn: str | None) -> str:
    if arn is None:
        return "?"
    return arn.split(":table/", 1)[1] if ":table/" in arn else arn


def unused_grants(policy: RolePolicy, used: Iterable[str | tuple[str, str | None]]) -> list[str]:
    """The inline Allow grants no recorded call used, in the template's order. ``used``: actions, or
    (action, resource) as recorded. A grant is an action pattern of a statement; where the statement
    is scoped to DynamoDB tables/indexes and the calls name theirs, a call counts only on a resource
    the statement covers, and the grant is shown with them ("dynamodb:GetItem on IdempotencyTable").
    ``NotAction`` statements show as ``NotAction:[...]``."""
    calls = [(u, None) if isinstance(u, str) else u for u in used]

    def used_by(s: Statement, pattern: str | None) -> bool:
        for action, resource in calls:
            hit = (
                s.matches_action(action) if pattern is None else glob_match(pattern, action, ignore_case=True)
            )
            if hit and s.matches_resource(table_arn(resource) if resource else None):
                return True
        return False

    out: list[str] = []
    for s in policy.inline:
        if s.effect != "Allow":
            continue
        scoped = [r for r in s.resources if r is not None and ":dynamodb:" in r and ":table/" in r]
        where = f" on {', '.join(_short(r) for r in scoped)}" if scoped else ""
        grants: list[tuple[str | None, str]]
        if s.not_actions is not None:
            grants = [(None, f"NotAction:{list(s.not_actions)}")]
        else:
            grants = [(p, f"{p}{where}") for p in s.actions]
        for pattern, label in grants:
            if not used_by(s, pattern) and label not in out:
                out.append(label)
    return out


# --- reading the transformed template -------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Resolver:
    """Turns the intrinsics IAM policies use into ARN strings (None when not resolvable offline)."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.parameters: Mapping[str, Any] = template.get("Parameters", {})

    def _kind(self, logical: str) -> str | None:
        res = self.resources.get(logical)
        return res.get("Type") if isinstance(res, dict) else None

    def ref(self, name: str) -> str | None:
        pseudo = {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
        if name in pseudo:
            return pseudo[name]
        if self._kind(name) == "AWS::DynamoDB::Table":
            return local_table_name(name)
        param = self.parameters.get(name)
        if isinstance(param, dict) and "Default" in param:
            return str(param["Default"])
        return None

    def get_att(self, logical: str, attr: str) -> str | None:
        if self._kind(logical) == "AWS::DynamoDB::Table":
            arn = table_arn(f"table/{local_table_name(logical)}")
            return {"Arn": arn, "StreamArn": f"{arn}/stream/*"}.get(attr)
        return None

    def value(self, node: Any) -> str | None:
        if isinstance(node, str):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            return None
        [(fn, arg)] = node.items()
        if fn == "Ref" and isinstance(arg, str):
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                return self.get_att(parts[0], parts[1])
            return None
        if fn == "Fn::Sub":
            return self.sub(arg)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = [self.value(p) for p in arg[1]]
            return None if any(p is None for p in parts) else str(arg[0]).join(p or "" for p in parts)
        return None

    def sub(self, arg: Any) -> str | None:
        if isinstance(arg, list) and len(arg) == 2:
            text, variables = arg
        else:
            text, variables = arg, {}
        if not isinstance(text, str) or not isinstance(variables, dict):
            return None
        failed = False

        def one(match: re.Match[str]) -> str:
            nonlocal failed
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                got = self.value(variables[name])
            elif "." in name:
                logical, attr = name.split(".", 1)
                got = self.get_att(logical, attr)
            else:
                got = self.ref(name)
            if got is None:
                failed = True
                return ""
            return got

        out = re.sub(r"\$\{([^}]+)\}", one, text)
        return None if failed else out


def _statements(document: Any, source: str, resolver: _Resolver) -> list[Statement]:
    if not isinstance(document, dict):
        raise PolicyError(f"{source}: policy document is not an object: {document!r}")
    out = []
    for i, raw in enumerate(_as_list(document.get("Statement"))):
        if not isinstance(raw, dict):
            raise PolicyError(f"{source}.Statement[{i}] is not an object")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"{source}.Statement[{i}]: Effect {effect!r}")
        not_actions = tuple(str(a) for a in _as_list(raw["NotAction"])) if "NotAction" in raw else None
        not_resources = (
            tuple(resolver.value(r) for r in _as_list(raw["NotResource"])) if "NotResource" in raw else None
        )
        resources = (
            tuple(resolver.value(r) for r in _as_list(raw.get("Resource"))) if "Resource" in raw else ()
        )
        out.append(
            Statement(
                effect=effect,
                actions=tuple(str(a) for a in _as_list(raw.get("Action"))),
                not_actions=not_actions,
                resources=resources if not_resources is None else (),
                not_resources=not_resources,
                source=f"{source}[{i}]",
            )
        )
    return out


def _managed(
    arn: Any, role: str, template: Mapping[str, Any], resolver: _Resolver
) -> tuple[str, list[Statement]]:
    resources = template.get("Resources", {})
    if isinstance(arn, dict) and set(arn) == {"Ref"} and arn["Ref"] in resources:
        logical = arn["Ref"]
        res = resources[logical]
        if res.get("Type") != "AWS::IAM::ManagedPolicy":
            raise PolicyError(f"{role}: ManagedPolicyArns names {logical}, a {res.get('Type')}")
        return logical, _statements(res["Properties"]["PolicyDocument"], logical, resolver)
    text = resolver.value(arn)
    name = text.split(":policy/", 1)[1] if text and ":iam::aws:policy/" in text else None
    if name is None or name not in MANAGED_POLICIES:
        raise PolicyError(
            f"{role}: managed policy {arn!r} is not modelled (add its actions to "
            "regentra.local.iam_policy.MANAGED_POLICIES)"
        )
    return name, [Statement("Allow", MANAGED_POLICIES[name], source=name)]


def role_policy(template: Mapping[str, Any], function: str) -> RolePolicy:
    """The execution role of one ``AWS::Lambda::Function`` in a transformed template."""
    resources = template.get("Resources", {})
    fn = resources.get(function)
    if not isinstance(fn, dict) or fn.get("Type") != "AWS::Lambda::Function":
        raise PolicyError(f"{function} is not an AWS::Lambda::Function of the template")
    role_ref = fn.get("Properties", {}).get("Role")
    role = None
    if isinstance(role_ref, dict) and "Fn::GetAtt" in role_ref:
        target = role_ref["Fn::GetAtt"]
        role = (target.split(".", 1) if isinstance(target, str) else target)[0]
    elif isinstance(role_ref, dict) and "Ref" in role_ref:
        role = role_ref["Ref"]
    if role is None or resources.get(role, {}).get("Type") != "AWS::IAM::Role":
        raise PolicyError(f"{function}: its role {role_ref!r} is not an AWS::IAM::Role of the template")
    resolver = _Resolver(template)
    props = resources[role].get("Properties", {})
    statements: list[Statement] = []
    for policy in _as_list(props.get("Policies")):
        statements += _statements(
            policy.get("PolicyDocument"), f"{role}.{policy.get('PolicyName')}", resolver
        )
    managed: list[str] = []
    for arn in _as_list(props.get("ManagedPolicyArns")):
        name, found = _managed(arn, role, template, resolver)
        managed.append(name)
        statements += found
    for logical, res in resources.items():  # AWS::IAM::Policy resources attached to the role
        if res.get("Type") == "AWS::IAM::Policy" and {"Ref": role} in _as_list(
            res["Properties"].get("Roles")
        ):
            statements += _statements(res["Properties"]["PolicyDocument"], logical, resolver)
    return RolePolicy(function=function, role=role, statements=tuple(statements), managed=tuple(managed))


def function_roles(template: Mapping[str, Any]) -> dict[str, RolePolicy]:
    """Every function's role policy, by the function's logical id."""
    return {
        logical: role_policy(template, logical)
        for logical, res in template.get("Resources", {}).items()
        if isinstance(res, dict) and res.get("Type") == "AWS::Lambda::Function"
    }
