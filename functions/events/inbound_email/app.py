"""SES receipt rule -> ticket: the rule stored the raw message in S3 (inbound/<messageId>) and
invokes this function; it runs the inbound pipeline (regentra.services.inbound.receive_email)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import SesModel

from regentra.services.deps import blob_store, default_deps
from regentra.services.inbound import receive_email

logger = Logger(service="regentra")
RAW_PREFIX = "inbound/"


@logger.inject_lambda_context
@event_parser(model=SesModel)
def handler(event: SesModel, context):
    outcomes = []
    for record in event.Records:
        mail, receipt = record.ses.mail, record.ses.receipt
        key = RAW_PREFIX + mail.messageId
        blobs = blob_store()
        result = receive_email(
            default_deps(),
            blobs,
            blobs.get(key),
            ses_message_id=mail.messageId,
            ses_recipients=list(receipt.recipients),
            virus_verdict=receipt.virusVerdict.status,
            spam_verdict=receipt.spamVerdict.status,
            raw_key=key,
        )
        logger.info(
            "inbound email",
            extra={
                "outcome": result.outcome,
                "tenant": result.tenant_id,
                "ticket": result.ticket_id,
                "detail": result.detail,
            },
        )
        outcomes.append(result.outcome)
    return {"outcomes": outcomes}
