"""Markers in an S3 bucket, with S3's conditional writes (If-None-Match: *
to claim, If-Match: <ETag> to take over a stale claim).

boto3 only, and no settings: the Lambda hands it its client, local mode on a
bucket the reports storage's client."""

from typing import Any

from botocore.exceptions import ClientError


class S3Markers:
    """sendonce.Markers on one bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def create(self, key: str, body: bytes) -> bool:
        return self._put(key, body, IfNoneMatch="*")

    def read(self, key: str) -> tuple[bytes, str] | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if code(exc) == "NoSuchKey":
                return None
            raise
        return response["Body"].read(), response["ETag"]

    def replace(self, key: str, body: bytes, version: str) -> bool:
        return self._put(key, body, IfMatch=version)

    def put(self, key: str, body: bytes) -> None:
        self._put(key, body)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def _put(self, key: str, body: bytes, **conditions: str) -> bool:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType="application/json",
                ServerSideEncryption="AES256",
                **conditions,
            )
        except ClientError as exc:
            # NoSuchKey: If-Match on a marker removed since.
            if code(exc) in ("PreconditionFailed", "NoSuchKey"):
                return False
            raise  # ConditionalRequestConflict (409) too: a racing write, retry
        return True


def code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")
