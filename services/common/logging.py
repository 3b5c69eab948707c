"""structlog set up once per process: every line, ours or a library's, one format naming the service."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from typing import Any

import structlog
from opentelemetry import trace

_configured = False
_service = "momentum"

# Libraries that log a line per request or per frame at INFO; their warnings still come through.
_CHATTY = ("aiormq", "aio_pika", "botocore", "aiobotocore", "uvicorn.access", "sqlalchemy.engine", "asyncio")


def _add_service(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    event.setdefault("service", _service)
    return event


def _add_trace(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """The trace and span the line was written in (tracing on), so a line leads to its trace and back."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event


def configure_logging(
    log_format: str = "console",
    level: str = "INFO",
    service: str | None = None,
    file: str | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    backups: int = 5,
) -> None:
    """Routes structlog and the standard library through one ProcessorFormatter on stderr, or into `file`,
    rotated at `max_bytes` with `backups` old copies kept (MOMENTUM_LOG_FILE; a supervisor-less host's logs
    must not grow without bound).

    Library records (aio-pika, grpc, SQLAlchemy, uvicorn) pass the same chain as ours, so they carry
    the request id and service bound in contextvars, and the trace and span ids, and are rendered as the same
    JSON lines."""
    global _configured, _service
    if service:
        _service = service
    if _configured:
        return
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _add_service,
        _add_trace,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler: logging.Handler = (
        logging.handlers.RotatingFileHandler(file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        if file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level))
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, getattr(logging, level)))
    # uvicorn installs its own handlers unless told otherwise; let its records reach ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    _configured = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
