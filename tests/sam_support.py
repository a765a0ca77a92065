"""The SAM transform run offline (no AWS call), shared by tests/unit/test_template.py and tests/iam:
`sam package`'s S3 URIs for local paths, a fake managed-policy loader, a fixed account and region."""

from __future__ import annotations

import copy
import os
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


class FakeManagedPolicies(dict[str, str]):
    """Answers every managed-policy name with a fake ARN (no IAM call)."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"


class FakePolicyLoader:
    def load(self) -> dict[str, str]:
        return FakeManagedPolicies()


def packaged(body: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` would upload: local code/content/definition paths become s3:// URIs."""
    out = copy.deepcopy(body)
    for logical, res in out.get("Resources", {}).items():
        props = res.get("Properties") or {}
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            value = props.get(key)
            if isinstance(value, str) and not value.startswith("s3://"):
                props[key] = f"s3://regentra-artifacts/{logical}/{key}.zip"
    return out


def sam_transform(body: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation SAM would deploy for a template body (account 123456789012, us-east-1)."""
    from samtranslator.translator.transform import transform

    old = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        result: dict[str, Any] = transform(
            packaged(body), {"AccountId": ACCOUNT_ID, "Region": REGION}, FakePolicyLoader()
        )
        return result
    finally:
        if old is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = old
