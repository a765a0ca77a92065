"""Raw inbound mail and attachments in S3."""

from __future__ import annotations

from typing import Any


class S3BlobStore:
    def __init__(self, bucket: str, region: str, client: Any = None) -> None:
        self.bucket = bucket
        self.region = region
        self._client = client

    def _s3(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", region_name=self.region)
        return self._client

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type or "application/octet-stream",
            ServerSideEncryption="AES256",
        )

    def get(self, key: str) -> bytes:
        return bytes(self._s3().get_object(Bucket=self.bucket, Key=key)["Body"].read())
