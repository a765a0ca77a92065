"""Two-way SMS (End User Messaging -> SNS) -> ticket or reply (regentra.services.inbound.receive_sms)."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import SnsModel

from regentra.services.deps import default_deps, sms_sender
from regentra.services.inbound import receive_sms

logger = Logger(service="regentra")


@logger.inject_lambda_context
@event_parser(model=SnsModel)
def handler(event: SnsModel, context):
    outcomes = []
    for record in event.Records:
        try:
            payload = json.loads(record.Sns.Message)
        except ValueError:
            logger.warning("inbound SMS dropped: the SNS message is not JSON")
            outcomes.append("malformed")
            continue
        if not isinstance(payload, dict):
            outcomes.append("malformed")
            continue
        result = receive_sms(default_deps(), sms_sender(), payload)
        logger.info(
            "inbound SMS",
            extra={"outcome": result.outcome, "tenant": result.tenant_id, "ticket": result.ticket_id},
        )
        outcomes.append(result.outcome)
    return {"outcomes": outcomes}
