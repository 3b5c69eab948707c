"""Replay blobs in S3: the bucket and its lifecycle (an admin step), multipart streams, presigned reads."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from services.common.logging import get_logger
from services.common.settings import S3Settings

log = get_logger(__name__)

# Every blob is written with this tag = "false"; a therapist flagging the session sets "true".
# S3 lifecycle filters cannot say "not tagged", so both values are explicit.
CLINICAL_TAG = "clinically-relevant"
DEFAULT_RETENTION_DAYS = 180
CLINICAL_INFREQUENT_ACCESS_DAYS = 90
CLINICAL_ARCHIVE_DAYS = 365
# A crash leaves a multipart upload open; S3 deletes its parts after this (recovery runs long before).
ABANDONED_UPLOAD_DAYS = 7

LIFECYCLE_RULES: list[dict[str, Any]] = [
    {
        "ID": "replays-expire-unless-clinically-relevant",
        "Status": "Enabled",
        "Filter": {"Tag": {"Key": CLINICAL_TAG, "Value": "false"}},
        "Expiration": {"Days": DEFAULT_RETENTION_DAYS},
    },
    {
        "ID": "clinically-relevant-replays-cool-down",
        "Status": "Enabled",
        "Filter": {"Tag": {"Key": CLINICAL_TAG, "Value": "true"}},
        "Transitions": [
            {"Days": CLINICAL_INFREQUENT_ACCESS_DAYS, "StorageClass": "STANDARD_IA"},
            {"Days": CLINICAL_ARCHIVE_DAYS, "StorageClass": "GLACIER"},
        ],
    },
    {
        "ID": "abort-abandoned-replay-uploads",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": ABANDONED_UPLOAD_DAYS},
    },
]


class ReplayUnavailable(Exception):
    """S3 refused or could not be reached; the caller keeps its data and tries again later."""


@dataclass(frozen=True)
class UploadedPart:
    number: int
    etag: str
    size: int


class ReplayStore:
    def __init__(self, settings: S3Settings) -> None:
        self._settings = settings
        self.bucket = settings.replay_bucket
        self._stack = AsyncExitStack()
        self._client: Any = None

    async def start(self) -> None:
        """Opens the client. The bucket is `setup()`'s (`momentum s3 setup`, run by `momentum migrate`): a service
        instance needs no right to create buckets or change their lifecycle."""
        # Without static keys botocore walks the default credential chain (environment, web identity,
        # ~/.aws, the instance or task role) and refreshes what it found before it expires.
        session = aioboto3.Session(
            aws_access_key_id=self._settings.access_key or None,
            aws_secret_access_key=self._settings.secret_key or None,
            region_name=self._settings.region,
        )
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if self._settings.endpoint else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
            max_pool_connections=50,
        )
        self._client = await self._stack.enter_async_context(
            session.client("s3", endpoint_url=self._settings.endpoint, config=config)
        )

    async def setup(self) -> None:
        """Creates the bucket if missing and (re)states its lifecycle rules; idempotent."""
        await self._ensure_bucket()
        await self._client.put_bucket_lifecycle_configuration(
            Bucket=self.bucket, LifecycleConfiguration={"Rules": LIFECYCLE_RULES}
        )

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None

    async def _ensure_bucket(self) -> None:
        try:
            await self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise
        try:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if self._settings.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._settings.region}
            await self._client.create_bucket(**kwargs)
            log.info("replay.bucket_created", bucket=self.bucket)
        except ClientError as exc:
            # Another instance starting at the same moment created it first.
            if _code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    async def reachable(self) -> None:
        """Raises ReplayUnavailable unless S3 answers for the bucket (telemetry's readiness check)."""
        await self._call("head_bucket", Bucket=self.bucket)

    async def lifecycle_rules(self) -> list[dict[str, Any]]:
        reply = await self._client.get_bucket_lifecycle_configuration(Bucket=self.bucket)
        return list(reply["Rules"])

    # ------------------------------------------------------------------ writing
    async def begin_upload(self, key: str) -> str:
        reply = await self._call(
            "create_multipart_upload", Bucket=self.bucket, Key=key, ContentType="application/octet-stream",
            Tagging=f"{CLINICAL_TAG}=false",
        )
        return str(reply["UploadId"])

    async def upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> str:
        reply = await self._call(
            "upload_part", Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
        )
        return str(reply["ETag"])

    async def complete_upload(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        try:
            await self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in parts]},
            )
        except ClientError as exc:
            # Completed by an earlier attempt whose database commit then failed: the blob is there.
            if _code(exc) == "NoSuchUpload" and await self.exists(key):
                return
            raise ReplayUnavailable(f"completing {key}: {exc}") from exc
        except (BotoCoreError, OSError) as exc:  # connection trouble
            raise ReplayUnavailable(f"completing {key}: {exc!r}") from exc

    async def uploaded_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        parts: list[UploadedPart] = []
        marker = 0
        while True:
            try:
                reply = await self._client.list_parts(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker
                )
            except ClientError as exc:
                if _code(exc) == "NoSuchUpload":
                    return []
                raise ReplayUnavailable(f"listing parts of {key}: {exc}") from exc
            parts += [UploadedPart(p["PartNumber"], p["ETag"], p["Size"]) for p in reply.get("Parts", [])]
            if not reply.get("IsTruncated"):
                return parts
            marker = reply["NextPartNumberMarker"]

    async def abort_upload(self, key: str, upload_id: str) -> None:
        try:
            await self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if _code(exc) != "NoSuchUpload":
                raise ReplayUnavailable(f"aborting the upload of {key}: {exc}") from exc

    async def put(self, key: str, data: bytes) -> None:
        await self._call(
            "put_object", Bucket=self.bucket, Key=key, Body=data, ContentType="application/octet-stream",
            Tagging=f"{CLINICAL_TAG}=false",
        )

    # ------------------------------------------------------------------ reading
    async def read(self, key: str) -> bytes:
        reply = await self._call("get_object", Bucket=self.bucket, Key=key)
        async with reply["Body"] as body:
            return bytes(await body.read())

    async def exists(self, key: str) -> bool:
        try:
            await self._client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise ReplayUnavailable(f"looking for {key}: {exc}") from exc

    async def presigned_read(self, key: str, expires_seconds: int) -> str:
        """A SigV4 query-signed GET, valid for `expires_seconds`; signing needs no call to S3."""
        return str(
            await self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_seconds
            )
        )

    async def _call(self, operation: str, **params: Any) -> Any:
        try:
            return await getattr(self._client, operation)(**params)
        except ClientError as exc:
            raise ReplayUnavailable(f"{operation} {params.get('Key', '')}: {exc}") from exc
        except (BotoCoreError, OSError) as exc:
            raise ReplayUnavailable(f"{operation} {params.get('Key', '')}: {exc!r}") from exc


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
