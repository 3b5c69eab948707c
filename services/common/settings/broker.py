"""RabbitMQ settings: one node or a cluster's nodes, prefetch, and the retry ladder of transiently failing messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from pydantic_settings import SettingsConfigDict

from services.common.settings.environment import Section
from services.common.settings.values import AmqpUrls, Count, Ladder, Port, SecretText, Seconds


@dataclass(frozen=True)
class BrokerSettings:
    host: str = "127.0.0.1"
    port: int = 5672
    user: str = "guest"
    password: str = "guest"
    vhost: str = "momentum"
    prefetch: int = 50
    # Backstop only: a consumer that dies mid-message gets this many deliveries. Handled failures go
    # through the retry ladder instead and never count here.
    delivery_limit: int = 5
    # A transiently failing message waits in one delay queue per step, then the last step repeats.
    retry_ladder: tuple[timedelta, ...] = tuple(timedelta(seconds=s) for s in (1, 5, 30, 120, 600))
    # Parked in `<queue>.dead` only after failing transiently for at least this long.
    retry_park_after: timedelta = timedelta(minutes=15)
    # MOMENTUM_AMQP_URLS: the nodes of a cluster, amqp:// or amqps://; a reconnect tries the next one.
    # Empty: the one node of host, port, user, password and vhost.
    urls: tuple[str, ...] = ()
    # CA bundle an amqps:// node's certificate is verified against (aiormq's `cafile` URL option).
    ca_file: str | None = None

    @property
    def url(self) -> str:
        """The first node: what a one-off tool (the dlq command, a test probe) connects to."""
        return self.node_urls[0]

    @property
    def node_urls(self) -> tuple[str, ...]:
        urls = self.urls or (
            f"amqp://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(self.vhost, safe='')}",
        )
        if not self.ca_file:
            return urls
        return tuple(
            f"{url}{'&' if '?' in url else '?'}cafile={quote(self.ca_file, safe='')}" if url.startswith("amqps://") else url
            for url in urls
        )


LOCAL = BrokerSettings()


class BrokerEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_AMQP_")

    host: str = LOCAL.host
    port: Port = LOCAL.port
    user: str = LOCAL.user
    password: SecretText = LOCAL.password
    vhost: str = LOCAL.vhost
    prefetch: Count = LOCAL.prefetch
    delivery_limit: Count = LOCAL.delivery_limit
    retry_ladder: Ladder = LOCAL.retry_ladder
    retry_park_after: Seconds = LOCAL.retry_park_after
    # The URLs carry the nodes' credentials, so they are a secret too.
    urls: AmqpUrls = LOCAL.urls
    ca: str | None = None


def broker_settings(env: BrokerEnvironment) -> BrokerSettings:
    return BrokerSettings(
        host=env.host, port=env.port, user=env.user, password=env.password, vhost=env.vhost, prefetch=env.prefetch,
        delivery_limit=env.delivery_limit, retry_ladder=env.retry_ladder, retry_park_after=env.retry_park_after,
        urls=env.urls, ca_file=env.ca or None,
    )
