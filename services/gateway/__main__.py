"""Runs the gateway: python -m services.gateway."""

import gc

import uvicorn

from services.common.settings import load_settings
from services.gateway.app import create_app

settings = load_settings()
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
