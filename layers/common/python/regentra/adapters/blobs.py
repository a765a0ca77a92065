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


class S3AttachmentStore:
    """Presigned S3 POST (size and type enforced by S3 itself) and GET for attachments."""

    def __init__(self, bucket: str, region: str, client: Any = None) -> None:
        self.bucket = bucket
        self._store = S3BlobStore(bucket, region, client)

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        post = self._store._s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type, "x-amz-server-side-encryption": "AES256"},
            Conditions=[
                {"Content-Type": content_type},
                {"x-amz-server-side-encryption": "AES256"},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_s,
        )
        return {"url": post["url"], "fields": post["fields"], "method": "POST"}

    def presign_download(self, key: str, filename: str, expires_s: int) -> str:
        return str(
            self._store._s3().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
                ExpiresIn=expires_s,
            )
        )
