"""Runs the telemetry service: python -m services.telemetry."""

from services.common.runtime import run_service
from services.common.settings import load_settings
from services.telemetry.bootstrap import build

run_service(build, load_settings())
