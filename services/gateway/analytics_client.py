"""Calls to the plans service's analytics and billing APIs, which share the plans channel."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, TypeVar

from fastapi import Request

from momentum.plans.v1 import analytics_pb2_grpc
from services.common.identity import Identity

Reply = TypeVar("Reply")


def analytics(request: Request) -> analytics_pb2_grpc.AnalyticsServiceStub:
    # A stub is a few method handles over the channel opened at start-up: cheap to build per request.
    return analytics_pb2_grpc.AnalyticsServiceStub(request.app.state.clients.channels["plans"])


def billing(request: Request) -> analytics_pb2_grpc.BillingServiceStub:
    return analytics_pb2_grpc.BillingServiceStub(request.app.state.clients.channels["plans"])


def deadline(request: Request) -> float:
    return float(request.app.state.settings.grpc_deadline.total_seconds())


async def call(request: Request, method: Callable[..., Awaitable[Reply]], body: Any, caller: Identity) -> Reply:
    """Through ServiceClients.call: identity metadata, the configured deadline, status → HTTP error."""
    return await request.app.state.clients.call(method, body, caller)


def optional(message: Any, name: str) -> Any:
    """A proto3 `optional` field as JSON: null when unset."""
    return getattr(message, name) if message.HasField(name) else None
