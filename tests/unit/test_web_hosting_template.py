"""template.yaml hosts the web app safely: a private, encrypted bucket read only by its CloudFront
distribution through Origin Access Control, HTTPS for viewers, client-side routes served
index.html, and a Cognito hosted sign-in whose SPA client uses the code flow without a secret and
whose tokens the API's JWT authorizer accepts. (cfn-lint and the SAM transform of the whole template
run in test_template.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from regentra.local.template import Template

BUCKET, POLICY, OAC = "WebBucket", "WebBucketPolicy", "WebOriginAccessControl"
DISTRIBUTION, ROUTING, SPA, DOMAIN = "WebDistribution", "WebSpaRouting", "SpaClient", "HostedUiDomain"


@pytest.fixture(scope="module")
def res() -> dict[str, Any]:
    return Template.load().resources


@pytest.fixture(scope="module")
def outputs() -> dict[str, Any]:
    return dict(Template.load().body["Outputs"])


def props(res: dict[str, Any], name: str, kind: str) -> dict[str, Any]:
    assert name in res, f"template.yaml has no {name}"
    assert res[name]["Type"] == kind, (name, res[name]["Type"])
    return dict(res[name]["Properties"])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_bucket_is_private_and_encrypted(res: dict[str, Any]) -> None:
    bucket = props(res, BUCKET, "AWS::S3::Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rules = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules and all(
        r["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms") for r in rules
    )
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]  # no ACLs
    assert "WebsiteConfiguration" not in bucket  # a website endpoint is public by nature
    assert "AccessControl" not in bucket


def test_only_the_distribution_reads_the_bucket(res: dict[str, Any]) -> None:
    policy = props(res, POLICY, "AWS::S3::BucketPolicy")
    assert policy["Bucket"] == {"Ref": BUCKET}
    statements = _as_list(policy["PolicyDocument"]["Statement"])
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows
    for s in allows:
        assert s["Principal"] == {"Service": "cloudfront.amazonaws.com"}, s
        assert set(_as_list(s["Action"])) <= {"s3:GetObject", "s3:ListBucket"}, s
        source = s["Condition"]["StringEquals"]["AWS:SourceArn"]
        assert "distribution/${" + DISTRIBUTION + "}" in source["Fn::Sub"], s
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert any(s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" for s in denies)


def test_cloudfront_uses_origin_access_control_over_https(res: dict[str, Any]) -> None:
    oac = props(res, OAC, "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )
    config = props(res, DISTRIBUTION, "AWS::CloudFront::Distribution")["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [OAC, "Id"]}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""  # OAC, not the legacy OAI
    assert origin["DomainName"] == {"Fn::GetAtt": [BUCKET, "RegionalDomainName"]}  # REST, not website
    behaviors = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    for behavior in behaviors:
        assert behavior["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
        assert set(behavior["AllowedMethods"]) <= {"GET", "HEAD", "OPTIONS"}
    assert config["DefaultRootObject"] == "index.html"


def test_client_side_routes_fall_back_to_index_html(res: dict[str, Any]) -> None:
    config = props(res, DISTRIBUTION, "AWS::CloudFront::Distribution")["DistributionConfig"]
    associations = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert {
        "EventType": "viewer-request",
        "FunctionARN": {"Fn::GetAtt": [ROUTING, "FunctionMetadata.FunctionARN"]},
    } in [{**a, "FunctionARN": _getatt(a["FunctionARN"])} for a in associations]
    function = props(res, ROUTING, "AWS::CloudFront::Function")
    assert function["AutoPublish"] is True
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the CloudFront Function's code is not run")
    uris = [
        "/",
        "/board",
        "/tickets/01J0000",
        "/portal/tickets/1/",
        "/assets/index-B4xQ9zKp.js",
        "/config.json",
    ]
    script = function["FunctionCode"] + (
        "\nconsole.log(JSON.stringify(" + json.dumps(uris) + ".map(u => handler({request: {uri: u}}).uri)));"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(out.stdout) == [
        "/index.html",
        "/index.html",
        "/index.html",
        "/index.html",
        "/assets/index-B4xQ9zKp.js",
        "/config.json",
    ]


def _getatt(value: Any) -> Any:
    # !GetAtt A.B.C reads as ["A", "B.C"] with our loader; keep one spelling for the comparison.
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        name, attr = value["Fn::GetAtt"][0], ".".join(value["Fn::GetAtt"][1:])
        return {"Fn::GetAtt": [name, attr]}
    return value


def test_spa_client_uses_the_code_flow_without_a_secret(res: dict[str, Any]) -> None:
    client = props(res, SPA, "AWS::Cognito::UserPoolClient")
    assert client["UserPoolId"] == {"Ref": "UserPool"}
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]  # never implicit
    assert {"openid", "email", "profile"} <= set(client["AllowedOAuthScopes"])
    assert "ALLOW_USER_PASSWORD_AUTH" not in client.get("ExplicitAuthFlows", [])
    assert set(client["WriteAttributes"]) <= {"email", "name"}  # never tenant, client or role
    # The code comes back to the app's sign-in page, which finishes the flow (web/src/cognito.ts).
    assert "https://${WebDistribution.DomainName}/signin" in json.dumps(client["CallbackURLs"])
    for urls in (client["CallbackURLs"], client["LogoutURLs"]):
        text = json.dumps(urls)
        assert "https://${WebDistribution.DomainName}/" in text
        assert "http://" not in text  # only an explicit WebLocalOrigin parameter may add one


def test_hosted_ui_domain_and_api_audience(res: dict[str, Any]) -> None:
    domain = props(res, DOMAIN, "AWS::Cognito::UserPoolDomain")
    assert domain["UserPoolId"] == {"Ref": "UserPool"}
    api = props(res, "HttpApi", "AWS::Serverless::HttpApi")
    jwt = api["Auth"]["Authorizers"]["CognitoJwt"]["JwtConfiguration"]
    assert {"Ref": SPA} in jwt["audience"], "the API would refuse the web app's tokens"
    assert {"Ref": "UserPoolClient"} in jwt["audience"]
    assert api["CorsConfiguration"]["AllowOrigins"] == [{"Fn::Sub": "https://${WebDistribution.DomainName}"}]
    assert {"authorization", "if-match", "idempotency-key"} <= set(api["CorsConfiguration"]["AllowHeaders"])


def test_outputs_for_the_deploy(outputs: dict[str, Any]) -> None:
    assert {"WebUrl", "HostedUiDomain", "SpaClientId", "WebBucketName", "WebDistributionId", "ApiUrl"} <= set(
        outputs
    )
    assert outputs["SpaClientId"]["Value"] == {"Ref": SPA}
    assert "${WebDistribution.DomainName}" in outputs["WebUrl"]["Value"]["Fn::Sub"]
    assert "amazoncognito.com" in outputs["HostedUiDomain"]["Value"]["Fn::Sub"]


def test_portal_uploads_may_post_to_the_attachment_bucket_from_the_web_origin_only(
    res: dict[str, Any],
) -> None:
    rules = res["MailBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert len(rules) == 1
    assert rules[0]["AllowedOrigins"] == [{"Fn::Sub": "https://${WebDistribution.DomainName}"}]
    assert set(rules[0]["AllowedMethods"]) == {"GET", "POST"}
