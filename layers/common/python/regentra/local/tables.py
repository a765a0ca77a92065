"""Create the template's tables (and any index added since) in DynamoDB Local."""

from __future__ import annotations

from typing import Any

from regentra.local.template import Template


def local_table_name(logical_id: str) -> str:
    return logical_id  # locally, a table is named by its logical id


def ensure_tables(template: Template, client: Any) -> list[str]:
    """Create missing tables; add GSIs the template gained since the data dir was made."""
    existing = set(client.list_tables()["TableNames"])
    made = []
    for logical, props in template.tables().items():
        name = local_table_name(logical)
        gsis = [
            {"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in props.get("GlobalSecondaryIndexes", [])
        ]
        if name not in existing:
            args: dict[str, Any] = {
                "TableName": name,
                "AttributeDefinitions": props["AttributeDefinitions"],
                "KeySchema": props["KeySchema"],
                "BillingMode": "PAY_PER_REQUEST",
            }
            if gsis:
                args["GlobalSecondaryIndexes"] = gsis
            if "StreamSpecification" in props:
                args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
            client.create_table(**args)
            made.append(name)
            continue
        have = {
            g["IndexName"]
            for g in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
        }
        for gsi in gsis:
            if gsi["IndexName"] not in have:
                client.update_table(
                    TableName=name,
                    AttributeDefinitions=props["AttributeDefinitions"],
                    GlobalSecondaryIndexUpdates=[{"Create": gsi}],
                )
    return made
