"""The IAM audit recorder (regentra/local/iam_audit.py): which IAM action each botocore call needs, and
that the hooks write each (function, action) once, only while a template function runs. No AWS call:
botocore's Stubber answers, presigned URLs are built offline."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from regentra.local import iam_audit
from regentra.local.functions import current_function
from regentra.local.iam_audit import Call, iam_actions, read_records, recording


def _model(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1").meta.service_model


def actions(service: str, operation: str, params: dict[str, Any] | None = None) -> list[Call]:
    model = _model(service)
    return iam_actions(model.signing_name, operation, params, model.service_name)


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    [
        ("sesv2", "SendEmail", {}, ["ses:SendEmail"]),
        ("ses", "SendRawEmail", {}, ["ses:SendRawEmail"]),
        ("pinpoint-sms-voice-v2", "SendTextMessage", {}, ["sms-voice:SendTextMessage"]),
        ("bedrock-runtime", "Converse", {}, ["bedrock:InvokeModel"]),
        ("bedrock-runtime", "ConverseStream", {}, ["bedrock:InvokeModelWithResponseStream"]),
        ("bedrock-runtime", "InvokeModel", {}, ["bedrock:InvokeModel"]),
        ("stepfunctions", "StartExecution", {}, ["states:StartExecution"]),
        ("events", "PutEvents", {}, ["events:PutEvents"]),
        ("cloudwatch", "PutMetricData", {}, ["cloudwatch:PutMetricData"]),
        ("lambda", "Invoke", {}, ["lambda:InvokeFunction"]),
        ("efs", "DescribeFileSystems", {}, ["elasticfilesystem:DescribeFileSystems"]),
        ("s3", "GetObject", {"Bucket": "b", "Key": "k"}, ["s3:GetObject"]),
        ("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"}, ["s3:GetObjectVersion"]),
        ("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, ["s3:GetObject"]),
        ("s3", "ListObjectsV2", {"Bucket": "b"}, ["s3:ListBucket"]),
        (
            "s3",
            "CopyObject",
            {"Bucket": "b", "Key": "k", "CopySource": "b/s"},
            ["s3:GetObject", "s3:PutObject"],
        ),
        ("s3", "CreateMultipartUpload", {}, ["s3:PutObject"]),
        ("s3", "DeleteObjects", {}, ["s3:DeleteObject"]),
        ("dynamodbstreams", "GetRecords", {"ShardIterator": "x"}, ["dynamodb:GetRecords"]),
        ("sts", "GetCallerIdentity", {}, []),
    ],
)
def test_operations_map_to_the_iam_actions_they_need(
    service: str, operation: str, params: dict[str, Any], expected: list[str]
) -> None:
    assert [c.action for c in actions(service, operation, params)] == expected


def test_dynamodb_calls_name_their_table_and_index() -> None:
    assert actions("dynamodb", "Query", {"TableName": "T", "IndexName": "ByStatus"}) == [
        Call("dynamodb:Query", "table/T/index/ByStatus")
    ]
    assert actions("dynamodb", "GetItem", {"TableName": "arn:aws:dynamodb:us-east-1:1:table/T"}) == [
        Call("dynamodb:GetItem", "table/T")
    ]
    assert actions("dynamodb", "BatchGetItem", {"RequestItems": {"T": {}, "U": {}}}) == [
        Call("dynamodb:BatchGetItem", "table/T"),
        Call("dynamodb:BatchGetItem", "table/U"),
    ]


def test_transactions_need_the_actions_of_their_items() -> None:
    items = [
        {"Put": {"TableName": "T", "Item": {}}},
        {"Update": {"TableName": "T", "Key": {}}},
        {"Put": {"TableName": "T", "Item": {}}},
        {"Delete": {"TableName": "I", "Key": {}}},
        {"ConditionCheck": {"TableName": "T", "Key": {}}},
    ]
    assert actions("dynamodb", "TransactWriteItems", {"TransactItems": items}) == [
        Call("dynamodb:PutItem", "table/T"),
        Call("dynamodb:UpdateItem", "table/T"),
        Call("dynamodb:DeleteItem", "table/I"),
        Call("dynamodb:ConditionCheckItem", "table/T"),
    ]
    gets = {"TransactItems": [{"Get": {"TableName": "T", "Key": {}}}]}
    assert actions("dynamodb", "TransactGetItems", gets) == [Call("dynamodb:GetItem", "table/T")]
    assert [c.action for c in actions("dynamodb", "ExecuteStatement", {"Statement": "update T set"})] == [
        "dynamodb:PartiQLUpdate"
    ]


# --- the hooks ------------------------------------------------------------------------------------


@pytest.fixture()
def in_function() -> Iterator[None]:
    token = current_function.set("AuditProbeFunction")
    yield
    current_function.reset(token)


def rows(folder: Path) -> list[tuple[str, str, str | None]]:
    return sorted((r["function"], r["action"], r["resource"]) for r in read_records(folder))


def test_calls_made_by_a_function_are_recorded_once_each(tmp_path: Path, in_function: None) -> None:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ses = boto3.client("sesv2", region_name="us-east-1")
    with recording(tmp_path), Stubber(ddb) as ddb_stub, Stubber(ses) as ses_stub:
        for _ in range(2):
            ddb_stub.add_response("get_item", {})
            ddb.get_item(TableName="RegentraTable", Key={"PK": {"S": "a"}})
        ddb_stub.add_response("transact_write_items", {})
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "RegentraTable", "Item": {"PK": {"S": "a"}}}},
                {
                    "Update": {
                        "TableName": "RegentraTable",
                        "Key": {"PK": {"S": "a"}},
                        "UpdateExpression": "SET a = :a",
                    }
                },
            ]
        )
        # pynamodb calls the client's _make_api_call itself
        ddb_stub.add_response("query", {"Items": []})
        ddb._make_api_call("Query", {"TableName": "RegentraTable", "IndexName": "ByStatus"})
        ses_stub.add_response("send_email", {"MessageId": "m-1"})
        ses.send_email(Content={"Raw": {"Data": b"x"}})
    assert rows(tmp_path) == [
        ("AuditProbeFunction", "dynamodb:GetItem", "table/RegentraTable"),
        ("AuditProbeFunction", "dynamodb:PutItem", "table/RegentraTable"),
        ("AuditProbeFunction", "dynamodb:Query", "table/RegentraTable/index/ByStatus"),
        ("AuditProbeFunction", "dynamodb:UpdateItem", "table/RegentraTable"),
        ("AuditProbeFunction", "ses:SendEmail", None),
    ]
    [file] = tmp_path.glob("*.jsonl")
    assert file.name == f"{os.getpid()}.jsonl"
    assert len(file.read_text().splitlines()) == 5  # the second GetItem wrote nothing


def test_presigned_urls_and_posts_record_what_they_let_the_holder_do(
    tmp_path: Path, in_function: None
) -> None:
    with recording(tmp_path):
        s3 = boto3.client("s3", region_name="us-east-1")  # presigning needs no network
        assert s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
        assert s3.generate_presigned_post("b", "uploads/k", ExpiresIn=60)["url"]
    assert rows(tmp_path) == [
        ("AuditProbeFunction", "s3:GetObject", None),
        ("AuditProbeFunction", "s3:PutObject", None),
    ]


def test_nothing_is_recorded_outside_a_function(tmp_path: Path) -> None:
    assert current_function.get() is None
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    with recording(tmp_path), Stubber(ddb) as stub:
        stub.add_response("get_item", {})
        ddb.get_item(TableName="RegentraTable", Key={"PK": {"S": "a"}})
    assert not list(tmp_path.glob("*.jsonl"))


def test_install_reads_the_environment_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.client

    monkeypatch.setattr(iam_audit, "_recorder", None)  # restored after the test
    monkeypatch.delenv(iam_audit.ENV, raising=False)
    assert iam_audit.install() is None
    monkeypatch.setenv(iam_audit.ENV, str(tmp_path))
    first = iam_audit.install()
    assert first is not None and first.directory == tmp_path.resolve()
    hooked = botocore.client.BaseClient._make_api_call
    assert iam_audit.install() is first
    assert botocore.client.BaseClient._make_api_call is hooked  # not wrapped twice
    assert not getattr(getattr(hooked, "__wrapped__", None), iam_audit._HOOKED, False)


def test_records_of_all_processes_are_read_together(tmp_path: Path) -> None:
    row = {"function": "F", "action": "dynamodb:GetItem", "resource": "table/T"}
    (tmp_path / "1.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "2.jsonl").write_text(
        json.dumps(row) + "\n" + json.dumps({**row, "action": "s3:GetObject"}) + "\n"
    )
    assert [r["action"] for r in read_records(tmp_path)] == ["dynamodb:GetItem", "s3:GetObject"]
    (tmp_path / "3.jsonl").write_text(json.dumps({"function": "G", "invoked": True}) + "\n")
    assert len(read_records(tmp_path)) == 2  # an invocation is no call
    (tmp_path / "4.jsonl").write_text("not json\n")
    with pytest.raises(ValueError, match="4.jsonl:1"):
        read_records(tmp_path)


HANDLER = """
import boto3
from botocore.stub import Stubber


def handler(event, context):
    client = boto3.client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stub:
        if event.get("call"):
            stub.add_response("query", {"Items": []})
            client.query(TableName="RegentraTable", IndexName="DueTimers")
    return {"ok": True}
"""


def test_function_host_invocations_record_the_function_and_its_calls(tmp_path: Path) -> None:
    """Through FunctionHost.invoke, as tests and `regentra local` run every handler."""
    from regentra.local.functions import FunctionHost
    from regentra.local.iam_audit import read_invoked
    from regentra.local.template import Template

    root = tmp_path / "stack"
    (root / "functions" / "probe").mkdir(parents=True)
    (root / "functions" / "probe" / "app.py").write_text(HANDLER)
    (root / "template.yaml").write_text(
        "Resources:\n"
        "  ProbeFunction:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: functions/probe/, Handler: app.handler}\n"
        "  QuietFunction:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: functions/probe/, Handler: app.handler}\n"
    )
    host = FunctionHost(Template.load(root), {}, fallback_env={})
    with recording(tmp_path / "calls"):
        assert host.invoke("ProbeFunction", {"call": True}) == {"ok": True}
        assert host.invoke("QuietFunction", {}) == {"ok": True}
    assert current_function.get() is None
    assert rows(tmp_path / "calls") == [
        ("ProbeFunction", "dynamodb:Query", "table/RegentraTable/index/DueTimers")
    ]
    assert read_invoked(tmp_path / "calls") == {"ProbeFunction", "QuietFunction"}
