"""Runs the entrances service: python -m services.entrances."""

from services.common.runtime import run_service
from services.common.settings import load_settings
from services.entrances.bootstrap import build

run_service(build, load_settings())
