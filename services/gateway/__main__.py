"""Runs the gateway: python -m services.gateway."""

import gc

import uvicorn

from services.common.settings import load_settings
from services.common.tracing import configure_tracing
from services.gateway.app import create_app

settings = load_settings()
configure_tracing("gateway")  # before create_app: the app and its channels take their tracing when made
app = create_app(settings)
# What start-up built (modules, FastAPI's routes and models) lives as long as the process: out of the
# collector's sight, a full collection walks only what requests allocate (it was ~10 % of pose's CPU).
gc.freeze()
uvicorn.run(
    app,
    host=settings.gateway_host,
    port=settings.gateway_port,
    log_level="warning",
    access_log=False,
    log_config=None,  # our ProcessorFormatter renders uvicorn's lines too
    timeout_graceful_shutdown=10,
)
