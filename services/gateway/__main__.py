"""Runs the gateway: python -m services.gateway."""

import uvicorn

from services.common.settings import load_settings
from services.gateway.app import create_app

settings = load_settings()
uvicorn.run(
    create_app(settings),
    host=settings.gateway_host,
    port=settings.gateway_port,
    log_level="warning",
    access_log=False,
    log_config=None,  # our ProcessorFormatter renders uvicorn's lines too
    timeout_graceful_shutdown=10,
)
