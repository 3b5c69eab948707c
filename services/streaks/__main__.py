"""Runs the streaks service: python -m services.streaks."""

from services.common.runtime import run_service
from services.common.settings import load_settings
from services.streaks.bootstrap import build

run_service(build, load_settings())
