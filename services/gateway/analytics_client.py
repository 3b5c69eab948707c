"""Calls to the plans service's analytics and billing APIs, which share the plans channel."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, TypeVar

import grpc
from fastapi import Request

from momentum.plans.v1 import analytics_pb2_grpc
from services.common.identity import Identity
from services.gateway.errors import from_grpc

Reply = TypeVar("Reply")


def analytics(request: Request) -> analytics_pb2_grpc.AnalyticsServiceStub:
    # A stub is a few method handles over the channel opened at start-up: cheap to build per request.
    return analytics_pb2_grpc.AnalyticsServiceStub(request.app.state.clients.channels["plans"])


def billing(request: Request) -> analytics_pb2_grpc.BillingServiceStub:
    return analytics_pb2_grpc.BillingServiceStub(request.app.state.clients.channels["plans"])


def deadline(request: Request) -> float:
    return float(request.app.state.settings.grpc_deadline.total_seconds())


async def call(request: Request, method: Callable[..., Awaitable[Reply]], body: Any, caller: Identity) -> Reply:
    """As ServiceClients.call: the caller's identity as metadata, the configured deadline, and a
    gRPC status turned into the gateway's HTTP error."""
    try:
        return await method(body, metadata=caller.to_metadata(), timeout=deadline(request))
    except grpc.aio.AioRpcError as exc:
        raise from_grpc(exc) from exc


def optional(message: Any, name: str) -> Any:
    """A proto3 `optional` field as JSON: null when unset."""
    return getattr(message, name) if message.HasField(name) else None
