"""The IAM checker (regentra/local/iam_policy.py) on a small hand-written transformed template, and on
the real one: an allowed action passes, a missing one fails, wildcards match, a Deny wins."""

from __future__ import annotations

from typing import Any

import pytest
from sam_support import sam_transform

from regentra.local.iam_policy import (
    PolicyError,
    decide,
    function_roles,
    glob_match,
    role_policy,
    unused_grants,
)
from regentra.local.template import Template

TABLE_ARN = {"Fn::GetAtt": ["Table", "Arn"]}


def template(*statements: dict[str, Any], managed: list[Any] | None = None) -> dict[str, Any]:
    return {
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Role": {"Fn::GetAtt": ["FnRole", "Arn"]}},
            },
            "FnRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "ManagedPolicyArns": managed
                    if managed is not None
                    else ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                    "Policies": [
                        {
                            "PolicyName": "FnRolePolicy0",
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
                        }
                    ],
                },
            },
        }
    }


def allow(actions: Any, resource: Any = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def allowed(tpl: dict[str, Any], action: str, resource: str | None = None) -> bool:
    return decide(role_policy(tpl, "Fn"), action, resource).allowed


def test_an_allowed_action_passes_and_a_missing_one_fails() -> None:
    tpl = template(allow(["dynamodb:GetItem", "dynamodb:PutItem"], TABLE_ARN))
    assert allowed(tpl, "dynamodb:GetItem")
    assert allowed(tpl, "dynamodb:PutItem", "table/Table")
    decision = decide(role_policy(tpl, "Fn"), "dynamodb:DeleteItem")
    assert not decision.allowed and "no statement of FnRole allows dynamodb:DeleteItem" in decision.reason
    assert not allowed(tpl, "s3:GetObject")


def test_wildcards_match_as_in_iam() -> None:
    tpl = template(allow("dynamodb:*", TABLE_ARN), allow(["s3:Get*", "sms-voice:Send?extMessage"]))
    assert allowed(tpl, "dynamodb:TransactGetItems") and allowed(tpl, "dynamodb:Query")
    assert allowed(tpl, "s3:GetObject") and allowed(tpl, "S3:getobjectversion")  # actions ignore case
    assert not allowed(tpl, "s3:PutObject") and not allowed(tpl, "s3:ListBucket")
    assert allowed(tpl, "sms-voice:SendTextMessage")
    assert not allowed(tpl, "dynamodbx:Query")
    assert glob_match("arn:aws:dynamodb:*:*:table/T/index/*", "arn:aws:dynamodb:r:1:table/T/index/ByStatus")


def test_a_deny_wins_over_any_allow() -> None:
    tpl = template(
        allow("dynamodb:*", TABLE_ARN), {"Effect": "Deny", "Action": ["dynamodb:Delete*"], "Resource": "*"}
    )
    assert allowed(tpl, "dynamodb:UpdateItem")
    decision = decide(role_policy(tpl, "Fn"), "dynamodb:DeleteItem", "table/Table")
    assert not decision.allowed and decision.reason == "explicitly denied by FnRole.FnRolePolicy0[1]"


def test_not_action_allows_everything_else() -> None:
    tpl = template({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"})
    assert allowed(tpl, "s3:PutObject") and not allowed(tpl, "iam:PassRole")


def test_dynamodb_calls_are_checked_against_the_tables_and_indexes_named() -> None:
    tpl = template(
        allow(["dynamodb:Query"], {"Fn::Sub": "${Table.Arn}/index/DueTimers"}),
        allow(["dynamodb:GetItem"], {"Fn::Sub": ["${T}/index/*", {"T": TABLE_ARN}]}),
        allow(
            ["dynamodb:PutItem"],
            {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Other"},
        ),
    )
    assert allowed(tpl, "dynamodb:Query", "table/Table/index/DueTimers")
    assert not allowed(tpl, "dynamodb:Query", "table/Table")  # the index only, not the base table
    assert not allowed(tpl, "dynamodb:Query", "table/Table/index/ByStatus")
    assert allowed(tpl, "dynamodb:GetItem", "table/Table/index/Any")
    assert allowed(tpl, "dynamodb:PutItem", "table/Other") and not allowed(
        tpl, "dynamodb:PutItem", "table/Table"
    )
    assert allowed(tpl, "dynamodb:Query")  # action level: some statement grants it


def test_aws_managed_policies_grant_their_real_actions() -> None:
    stream = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
    tpl = template(
        managed=[{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess"}, stream]
    )
    assert allowed(tpl, "xray:PutTraceSegments") and allowed(tpl, "dynamodb:GetRecords")
    assert allowed(tpl, "logs:PutLogEvents") and not allowed(tpl, "dynamodb:GetItem")
    with pytest.raises(PolicyError, match="AmazonS3FullAccess.*not modelled"):
        role_policy(template(managed=["arn:aws:iam::aws:policy/AmazonS3FullAccess"]), "Fn")


def test_unused_grants_are_the_allow_actions_nothing_called() -> None:
    tpl = template(
        allow(["dynamodb:GetItem", "dynamodb:DeleteItem"], TABLE_ARN),
        allow(["s3:Get*", "s3:PutObject"], "arn:aws:s3:::b/*"),
    )
    used = [("dynamodb:GetItem", "table/Table"), ("s3:GetObject", None)]
    assert unused_grants(role_policy(tpl, "Fn"), used) == ["dynamodb:DeleteItem on Table", "s3:PutObject"]
    # a call on another table does not use a grant scoped to this one
    assert "dynamodb:GetItem on Table" in unused_grants(
        role_policy(tpl, "Fn"), [("dynamodb:GetItem", "table/X")]
    )


# --- the real template ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def roles() -> dict[str, Any]:
    return function_roles(sam_transform(Template.load().body))


def test_every_function_of_the_template_has_a_role_the_checker_reads(roles: dict[str, Any]) -> None:
    assert set(roles) == set(Template.load().functions())


def test_the_real_roles_are_read_as_granted(roles: dict[str, Any]) -> None:
    sweep = roles["SlaSweepFunction"]
    assert decide(sweep, "dynamodb:Query", "table/RegentraTable/index/DueTimers").allowed
    assert not decide(sweep, "dynamodb:Query", "table/RegentraTable").allowed
    create = roles["CreateTicketFunction"]
    assert decide(create, "dynamodb:DeleteItem", "table/IdempotencyTable").allowed
    assert not decide(create, "dynamodb:DeleteItem", "table/RegentraTable").allowed
    replies = roles["SendRepliesFunction"]
    assert decide(replies, "ses:SendEmail").allowed and decide(replies, "sms-voice:SendTextMessage").allowed
    assert decide(replies, "dynamodb:GetRecords").allowed  # SAM's stream policy for the DynamoDB event
    assert not decide(roles["GetTicketFunction"], "dynamodb:GetRecords").allowed
    assert decide(roles["ListTicketsFunction"], "ec2:CreateNetworkInterface").allowed  # in the VPC
