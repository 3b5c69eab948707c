"""A small OpenID Connect provider for tests, on a loopback port: discovery, an RS256 JWKS, an authorize endpoint
that approves the configured user at once (redirecting with code and state) and a token endpoint that checks the
PKCE code_verifier against the S256 challenge and takes each code once. Knobs let a test make it misbehave: ID
tokens expired or for another audience, the token endpoint down."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.ports import free_port

CLIENT_ID = "momentum-web"
API_AUDIENCE = "momentum-api"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    user: tuple[uuid.UUID, uuid.UUID, str]
    used: bool = False


@dataclass
class Issuer:
    """Start with `start()`; `url` is the issuer identifier, `jwks_path` the JWKS file for MOMENTUM_JWKS_PATH."""

    redirect_uris: set[str] = field(default_factory=set)
    user: tuple[uuid.UUID, uuid.UUID, str] | None = None  # (tenant, user, role) the authorize step approves
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    token_endpoint_down: bool = False
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, directory: Path) -> "Issuer":
        self.jwks_path = directory / f"issuer-{self.port}-jwks.json"
        self.jwks_path.write_text(json.dumps(self.jwks()))
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet: pytest shows failures, not access logs
                pass

            def do_GET(self) -> None:  # noqa: N802
                issuer._get(self)

            def do_POST(self) -> None:  # noqa: N802
                issuer._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def gateway_env(self, redirect_url: str) -> dict[str, str]:
        """What a gateway signing in through this issuer is started with (RS256 access tokens from it)."""
        self.redirect_uris.add(redirect_url)
        return {
            "MOMENTUM_JWT_ALGORITHM": "RS256", "MOMENTUM_JWKS_PATH": str(self.jwks_path),
            "MOMENTUM_JWT_ISSUER": self.url, "MOMENTUM_JWT_AUDIENCE": API_AUDIENCE,
            "MOMENTUM_OIDC_ISSUER": self.url, "MOMENTUM_OIDC_CLIENT_ID": CLIENT_ID,
            "MOMENTUM_OIDC_REDIRECT_URL": redirect_url, "MOMENTUM_OIDC_SCOPES": "openid profile",
        }

    # ------------------------------------------------------------------ what it signs
    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def grant(self, client_id: str, redirect_uri: str, challenge: str, nonce: str) -> str:
        """A code as the authorize step hands out (tests use it to forge a code bound to another challenge)."""
        assert self.user is not None, "the issuer approves nobody: set issuer.user"
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = Grant(client_id, redirect_uri, challenge, nonce, self.user)
        return code

    # ------------------------------------------------------------------ endpoints
    def _get(self, http: BaseHTTPRequestHandler) -> None:
        url = urlsplit(http.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(http, 200, {
                "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize", "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
            })
        elif url.path == "/jwks":
            self._json(http, 200, self.jwks())
        elif url.path == "/authorize":
            problem = self._authorize_problem(query)
            if problem:
                self._json(http, 400, {"error": "invalid_request", "error_description": problem})
                return
            code = self.grant(query["client_id"], query["redirect_uri"], query["code_challenge"], query.get("nonce", ""))
            http.send_response(302)
            http.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
            http.send_header("Content-Length", "0")
            http.end_headers()
        else:
            self._json(http, 404, {"error": "not_found"})

    def _authorize_problem(self, query: dict[str, str]) -> str:
        if query.get("response_type") != "code":
            return "response_type must be code"
        if query.get("client_id") != CLIENT_ID:
            return "unknown client_id"
        if query.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri is not registered"
        if query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) != 43:
            return "PKCE with S256 is required"
        if "openid" not in query.get("scope", "").split() or not query.get("state"):
            return "scope openid and a state are required"
        return ""

    def _post(self, http: BaseHTTPRequestHandler) -> None:
        if urlsplit(http.path).path != "/token":
            self._json(http, 404, {"error": "not_found"})
            return
        length = int(http.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(http.rfile.read(length).decode()).items()}
        self.token_requests.append(form)
        if self.token_endpoint_down:
            self._json(http, 503, {"error": "temporarily_unavailable"})
            return
        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            problem = self._token_problem(form, grant)
            if grant is not None:
                grant.used = True  # a code is spent by its first exchange, whether or not that one succeeded
        if problem:
            self._json(http, 400, {"error": "invalid_grant", "error_description": problem})
            return
        assert grant is not None
        tenant, user, role = grant.user
        now = int(time.time())
        access = self.sign({"iss": self.url, "aud": API_AUDIENCE, "sub": str(user), "tenant": str(tenant), "role": role,
                            "iat": now, "exp": now + 300})
        digest = hashlib.sha256(access.encode()).digest()
        id_claims = {"iss": self.url, "aud": CLIENT_ID, "sub": str(user), "nonce": grant.nonce, "iat": now, "exp": now + 300,
                     "at_hash": base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode(), **self.id_token_overrides}
        self._json(http, 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": self.sign(id_claims)})

    def _token_problem(self, form: dict[str, str], grant: Grant | None) -> str:
        if form.get("grant_type") != "authorization_code":
            return "grant_type must be authorization_code"
        if grant is None:
            return "unknown code"
        if grant.used:
            return "the code was already used"
        if form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
            return "client_id or redirect_uri differ from the authorization request"
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or s256(verifier) != grant.challenge:
            return "code_verifier does not match the code_challenge"
        return ""

    @staticmethod
    def _json(http: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(raw)))
        http.send_header("Cache-Control", "no-store")
        http.end_headers()
        http.wfile.write(raw)
