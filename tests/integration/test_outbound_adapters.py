"""The outbound adapters against their AWS APIs: SES v2 on moto, SMS and error mapping on Stubber.

No DynamoDB Local here: moto for SES, botocore's Stubber for request shapes and error codes.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import ANY, Stubber

from regentra.adapters.delivery_errors import (
    DeliveryError,
    PermanentSendError,
    TransientSendError,
    delivery_error,
)
from regentra.adapters.mail import SesMailer
from regentra.adapters.sms import EndUserMessagingSms
from regentra.domain.email.outbound import build_reply_email, new_message_id

REGION = "eu-west-1"
SENDER = "support@msp.test"


def reply_bytes(**overrides: Any) -> bytes:
    fields: dict[str, Any] = {
        "from_address": SENDER,
        "from_name": "Acme MSP Support",
        "to_address": "dana@acme.test",
        "to_name": "Dana Zoë",
        "subject": "Drucker geht nicht",
        "ticket_number": 1042,
        "text": "Grüße,\n\nder Drucker läuft wieder.",
        "message_id": new_message_id("01JDAB3X5Q9Z8K7M6N5P4R3S2T", "acme-msp", "msp.test"),
        "in_reply_to": "<cust-1@acme.test>",
        "references": ["<cust-1@acme.test>"],
        "date": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    return build_reply_email(**fields)


# --- SES v2 on moto ---------------------------------------------------------------------------------


@pytest.fixture()
def ses() -> Iterator[Any]:
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity=SENDER)
        yield client


def sent_messages() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def test_ses_mailer_sends_the_raw_message(ses: Any) -> None:
    raw = reply_bytes()
    message_id = SesMailer(REGION).send_raw(raw, from_address=SENDER, to_address="dana@acme.test")
    assert message_id
    [sent] = sent_messages()
    assert sent.id == message_id
    assert sent.source == SENDER
    assert "dana@acme.test" in sent.destinations
    assert sent.raw_data.encode() == raw  # the bytes as built, untouched
    msg = email.message_from_bytes(sent.raw_data.encode(), policy=email.policy.default)
    assert msg["Subject"] == "Re: [#1042] Drucker geht nicht"
    assert msg["Auto-Submitted"] == "auto-replied"


def test_ses_mailer_with_an_injected_client_and_a_ticket_tag(ses: Any) -> None:
    mailer = SesMailer(REGION, client=ses)
    first = mailer.send_raw(reply_bytes(), from_address=SENDER, to_address="dana@acme.test", ticket_id="T-1")
    second = mailer.send_raw(reply_bytes(text="again"), from_address=SENDER, to_address="dana@acme.test")
    assert first != second
    assert [m.id for m in sent_messages()] == [first, second]


def test_ses_mailer_unverified_sender_is_permanent(ses: Any) -> None:
    raw = reply_bytes(from_address="nobody@unverified.test")
    with pytest.raises(PermanentSendError) as caught:
        SesMailer(REGION).send_raw(raw, from_address="nobody@unverified.test", to_address="dana@acme.test")
    assert caught.value.code == "MessageRejected"
    assert caught.value.provider == "ses"
    assert not caught.value.retryable
    assert sent_messages() == []


# --- SES v2 error mapping (Stubber) ----------------------------------------------------------------


def stubbed(service: str) -> tuple[Any, Stubber]:
    client = boto3.client(service, region_name=REGION)
    return client, Stubber(client)


def test_ses_request_shape() -> None:
    client, stub = stubbed("sesv2")
    raw = reply_bytes()
    stub.add_response(
        "send_email",
        {"MessageId": "ses-1"},
        {
            "FromEmailAddress": SENDER,
            "Destination": {"ToAddresses": ["dana@acme.test"]},
            "Content": {"Raw": {"Data": raw}},
            "EmailTags": [{"Name": "ticket_id", "Value": "01JDAB3X5Q9Z8K7M6N5P4R3S2T"}],
        },
    )
    with stub:
        got = SesMailer(REGION, client=client).send_raw(
            raw, from_address=SENDER, to_address="dana@acme.test", ticket_id="01JDAB3X5Q9Z8K7M6N5P4R3S2T"
        )
    assert got == "ses-1"
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("TooManyRequestsException", 429, TransientSendError),
        ("LimitExceededException", 400, TransientSendError),
        ("Throttling", 400, TransientSendError),
        ("SendingPausedException", 400, TransientSendError),
        ("InternalServiceErrorException", 500, TransientSendError),
        ("ServiceUnavailable", 503, TransientSendError),
        ("SomethingNew", 502, TransientSendError),
        ("MessageRejected", 400, PermanentSendError),
        ("BadRequestException", 400, PermanentSendError),
        ("MailFromDomainNotVerifiedException", 400, PermanentSendError),
        ("AccountSuspendedException", 400, PermanentSendError),
        ("NotFoundException", 404, PermanentSendError),
        ("SomethingElse", 400, PermanentSendError),
    ],
)
def test_ses_error_mapping(code: str, status: int, kind: type[DeliveryError]) -> None:
    client, stub = stubbed("sesv2")
    stub.add_client_error(
        "send_email", service_error_code=code, service_message="nope", http_status_code=status
    )
    with stub, pytest.raises(kind) as caught:
        SesMailer(REGION, client=client).send_raw(b"x", from_address=SENDER, to_address="dana@acme.test")
    assert type(caught.value) is kind
    assert caught.value.code == code
    assert caught.value.status == status
    assert caught.value.retryable is (kind is TransientSendError)
    assert "nope" in str(caught.value)


# --- End User Messaging SMS (Stubber) --------------------------------------------------------------


def test_sms_request_shape_and_message_id() -> None:
    client, stub = stubbed("pinpoint-sms-voice-v2")
    stub.add_response(
        "send_text_message",
        {"MessageId": "sms-1"},
        {
            "DestinationPhoneNumber": "+14155550100",
            "OriginationIdentity": "+14155550199",
            "MessageBody": "Your printer is fixed — Grüße",
            "MessageType": "TRANSACTIONAL",
        },
    )
    with stub:
        got = EndUserMessagingSms(REGION, client=client).send(
            to="+14155550100", origination="+14155550199", body="Your printer is fixed — Grüße"
        )
    assert got == "sms-1"
    stub.assert_no_pending_responses()


def test_sms_ticket_id_goes_into_the_context() -> None:
    client, stub = stubbed("pinpoint-sms-voice-v2")
    stub.add_response(
        "send_text_message",
        {"MessageId": "sms-2"},
        {
            "DestinationPhoneNumber": "+14155550100",
            "OriginationIdentity": ANY,
            "MessageBody": "hi",
            "MessageType": "TRANSACTIONAL",
            "Context": {"ticket_id": "T-1"},
        },
    )
    with stub:
        got = EndUserMessagingSms(REGION, client=client).send(
            to="+14155550100", origination="pool-1", body="hi", ticket_id="T-1"
        )
    assert got == "sms-2"


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 400, TransientSendError),
        ("InternalServerException", 500, TransientSendError),
        ("ValidationException", 400, PermanentSendError),
        ("ConflictException", 400, PermanentSendError),
        ("ResourceNotFoundException", 400, PermanentSendError),
        ("AccessDeniedException", 400, PermanentSendError),
        ("ServiceQuotaExceededException", 400, PermanentSendError),
    ],
)
def test_sms_error_mapping(code: str, status: int, kind: type[DeliveryError]) -> None:
    client, stub = stubbed("pinpoint-sms-voice-v2")
    stub.add_client_error(
        "send_text_message", service_error_code=code, service_message="nope", http_status_code=status
    )
    with stub, pytest.raises(kind) as caught:
        EndUserMessagingSms(REGION, client=client).send(
            to="+14155550100", origination="+14155550199", body="hi"
        )
    assert type(caught.value) is kind
    assert caught.value.code == code
    assert caught.value.provider == "sms"


def test_sms_client_is_created_lazily_in_its_region() -> None:
    sms = EndUserMessagingSms("ap-southeast-2")
    assert sms._client is None
    client = sms._sms()
    assert client.meta.region_name == "ap-southeast-2"
    assert client.meta.service_model.service_name == "pinpoint-sms-voice-v2"
    assert sms._sms() is client


def test_ses_client_is_created_lazily_in_its_region() -> None:
    mailer = SesMailer("eu-central-1")
    assert mailer._client is None
    client = mailer._ses()
    assert client.meta.region_name == "eu-central-1"
    assert client.meta.service_model.service_name == "sesv2"


# --- the mapping itself -----------------------------------------------------------------------------


def test_network_failures_are_transient() -> None:
    class Failing:
        def __init__(self, exc: Exception) -> None:
            self.exc = exc

        def send_email(self, **_: Any) -> Any:
            raise self.exc

        def send_text_message(self, **_: Any) -> Any:
            raise self.exc

    for exc in (
        EndpointConnectionError(endpoint_url="https://x"),
        ReadTimeoutError(endpoint_url="https://x"),
    ):
        with pytest.raises(TransientSendError):
            SesMailer(REGION, client=Failing(exc)).send_raw(b"x", from_address=SENDER, to_address="a@b.test")
        with pytest.raises(TransientSendError):
            EndUserMessagingSms(REGION, client=Failing(exc)).send(to="+1", origination="+2", body="x")


def test_other_exceptions_are_not_mapped() -> None:
    assert delivery_error(ValueError("bug"), provider="ses") is None

    class Broken:
        def send_email(self, **_: Any) -> Any:
            raise KeyError("bug")

    with pytest.raises(KeyError):
        SesMailer(REGION, client=Broken()).send_raw(b"x", from_address=SENDER, to_address="a@b.test")


def test_errors_can_be_raised_with_a_message_only() -> None:
    err = TransientSendError("SES throttled")
    assert str(err) == "SES throttled"
    assert err.retryable and err.provider is None and err.code is None
    assert not PermanentSendError("rejected").retryable
