"""S3 settings: where exercise-session replays are kept, and with which credentials."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic_settings import SettingsConfigDict

from services.common.settings import local_secrets
from services.common.settings.environment import Problem, Section
from services.common.settings.values import HttpUrl, OptionalSecretText


@dataclass(frozen=True)
class S3Settings:
    endpoint: str | None = "http://127.0.0.1:9000"
    region: str = "us-east-1"
    # None: the default AWS credential chain (instance role, web identity, ~/.aws, AWS_* variables).
    access_key: str | None = local_secrets.S3_ACCESS_KEY
    secret_key: str | None = local_secrets.S3_SECRET_KEY
    replay_bucket: str = "momentum-replays"


LOCAL = S3Settings()


class S3Environment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_S3_")

    endpoint: HttpUrl | None = None
    region: str = LOCAL.region
    access_key: OptionalSecretText = None
    secret_key: OptionalSecretText = None
    replay_bucket: str = LOCAL.replay_bucket


def s3_settings(env: S3Environment, production: bool) -> S3Settings:
    # Production has no local S3 and no local keys: unset, the SDK's endpoint for the region and the default AWS
    # credential chain.
    keys = (env.access_key, env.secret_key) if production else (env.access_key or LOCAL.access_key, env.secret_key or LOCAL.secret_key)
    return S3Settings(
        endpoint=env.endpoint or (None if production else LOCAL.endpoint), region=env.region, access_key=keys[0], secret_key=keys[1],
        replay_bucket=env.replay_bucket,
    )


def s3_problems(settings: S3Settings) -> list[Problem]:
    # boto signs with both or with the credential chain; one without the other fails every upload.
    if bool(settings.access_key) != bool(settings.secret_key):
        return [Problem(("MOMENTUM_S3_ACCESS_KEY", "MOMENTUM_S3_SECRET_KEY"), "set both, or neither for the AWS credential chain")]
    return []
