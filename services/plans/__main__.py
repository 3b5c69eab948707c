"""Runs the plans service: python -m services.plans."""

from services.common.runtime import run_service
from services.common.settings import load_settings
from services.plans.bootstrap import build

run_service(build, load_settings())
