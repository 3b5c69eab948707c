"""The gateways' spent browser credentials in plans, over its real gRPC port: a credential is spent once whichever
gateway asks first, sign-outs are listed until they would have expired (all of them, or only the recent ones a
gateway has not read yet), and only a service may ask."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from sqlalchemy import text

from momentum.plans.v1 import plans_pb2
from services.common.identity import Identity
from services.gateway.clients import ServiceClients


@pytest.fixture
async def clients(stack):  # type: ignore[no-untyped-def]
    opened = ServiceClients(stack.settings)
    yield opened
    await opened.close()


async def test_a_credential_is_spent_once_and_sign_outs_are_listed_until_they_expire(stack, clients):
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    link = secrets.token_urlsafe(16)
    assert await clients.spend_browser_credential("signin_link", link, later) is True
    assert await clients.spend_browser_credential("signin_link", link, later) is False
    # The same id as another kind is another credential: a session id never collides with a link's jti.
    assert await clients.spend_browser_credential("session", link, later) is True

    recent, old, expired = (secrets.token_urlsafe(24) for _ in range(3))
    for session in (recent, old, expired):
        assert await clients.spend_browser_credential("session", session, later)
    async with stack.runtimes["plans"].database.unit_of_work(None) as uow:
        await uow.execute(text("UPDATE plans.browser_credentials_spent SET recorded_at = now() - interval '10 minutes' "
                               "WHERE credential_id = :c"), {"c": old})
        await uow.execute(text("UPDATE plans.browser_credentials_spent SET expires_at = now() - interval '1 second' "
                               "WHERE credential_id = :c"), {"c": expired})
        await uow.commit()
    everything = dict(await clients.ended_browser_sessions(0))
    assert recent in everything and old in everything and expired not in everything and link in everything
    assert abs((everything[recent] - later).total_seconds()) < 1
    last_minute = dict(await clients.ended_browser_sessions(60))
    assert recent in last_minute and old not in last_minute


async def test_only_a_service_may_spend_or_list_and_bad_input_is_named(stack, clients):
    user = Identity(uuid.uuid4(), uuid.uuid4(), "admin", "test")
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    request = plans_pb2.SpendBrowserCredentialRequest(kind="session", credential_id="x" * 20)
    request.expires_at.FromDatetime(later)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await clients.plans.SpendBrowserCredential(request, metadata=user.to_metadata(), timeout=5)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(Exception) as bad:
        await clients.spend_browser_credential("password", "x" * 20, later)
    assert getattr(bad.value, "status", None) == 422 and "kind" in str(bad.value)
