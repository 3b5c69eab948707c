"""Configuration read once from environment variables, with the local defaults `make up` uses; the one import path for it."""

from services.common.settings.addresses import CALLERS, DEFAULT_GRPC_PORTS, SERVICES, GrpcTls
from services.common.settings.auth import AuthSettings
from services.common.settings.broker import BrokerSettings
from services.common.settings.browser import OIDC_CALLBACK_PATH, BrowserSessionSettings, OidcSettings
from services.common.settings.database import DatabaseServer, DatabaseSettings
from services.common.settings.environment import Problem, SettingsError
from services.common.settings.root import Settings, load_settings, read_variables
from services.common.settings.storage import S3Settings

__all__ = [
    "CALLERS", "DEFAULT_GRPC_PORTS", "OIDC_CALLBACK_PATH", "SERVICES", "AuthSettings", "BrokerSettings",
    "BrowserSessionSettings", "DatabaseServer", "DatabaseSettings", "GrpcTls", "OidcSettings", "Problem", "S3Settings",
    "Settings", "SettingsError", "load_settings", "read_variables",
]
