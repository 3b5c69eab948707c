"""The public secrets of the local stack `make up` starts: the one file that may hold them, and production refuses each."""

from __future__ import annotations

from services.common.settings.addresses import CALLERS

DB_OWNER_PASSWORD = "momentum-local-owner"
DB_APP_PASSWORD = "momentum-local-app"
JWT_SECRET = "momentum-local-jwt-secret-change-me"
TELEMETRY_TOKEN_KEYS = {"local-1": b"momentum-local-telemetry-key-change-me"}
SERVICE_KEYS = {name: f"momentum-local-service-key-{name}-change-me".encode() for name in CALLERS}
S3_ACCESS_KEY = "momentum-local"
S3_SECRET_KEY = "momentum-local-secret"
SESSION_KEY = "momentum-local-browser-session-key-change-me"
