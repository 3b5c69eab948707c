"""Prints the gateway's OpenAPI document from the FastAPI app itself: no running stack needed."""

import json
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "protos")]

from services.common.settings import load_settings  # noqa: E402
from services.gateway.app import create_app  # noqa: E402

# create_app wraps the FastAPI app in the gateway middleware; its .app delegates down to FastAPI.
json.dump(create_app(load_settings()).app.openapi(), sys.stdout, indent=1, sort_keys=True)
