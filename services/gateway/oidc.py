"""Signing in through the clinic's OpenID Connect provider: authorization code with PKCE (S256), done by the gateway.

The gateway is the web app's backend here: the browser only ever carries the provider's one-time code. `start`
makes the state, nonce and PKCE code_verifier (RFC 7636: 43-128 unreserved characters; the challenge is
BASE64URL(SHA-256(verifier))) and the provider's authorization URL from its discovery document; the three secrets
travel in a sealed, HttpOnly cookie of ten minutes, never in a page. `finish` checks the state, exchanges the code
with the verifier at the token endpoint, and validates the ID token as OpenID Connect Core 3.1.3.7 asks: the
signature by a key of the provider's jwks_uri, iss exactly the issuer, aud holding our client id (and azp ours
when present), exp, iat, the nonce we sent, at_hash when present. The access token must be one this gateway's
API accepts (TokenVerifier: the configured JWKS, audience and issuer), for the same subject: its tenant and role
claims are who the session is. The provider down or answering nonsense is ProviderUnavailable (503).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from services.common.identity import Identity
from services.common.settings import OidcSettings
from services.gateway.auth import TokenVerifier
from services.gateway.errors import ApiError

FLOW_TTL_SECONDS = 600
DISCOVERY_TTL_SECONDS = 3600
HTTP_TIMEOUT_SECONDS = 5.0
# iat further back than this: an ID token replayed from long ago, whatever its exp says.
MAX_ID_TOKEN_AGE_SECONDS = 600
LEEWAY_SECONDS = 30


class ProviderUnavailable(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(503, "unavailable", f"the clinic's sign-in provider is not answering: {detail}",
                         headers={"Retry-After": "5"})


def refused(detail: str) -> ApiError:
    return ApiError(401, "unauthenticated", detail)


@dataclass(frozen=True)
class Flow:
    """What `start` keeps for `finish` (sealed in the browser's flow cookie)."""

    state: str
    nonce: str
    code_verifier: str

    def as_payload(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "verifier": self.code_verifier}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Flow | None:
        values = (payload.get("state"), payload.get("nonce"), payload.get("verifier"))
        if not all(isinstance(v, str) and v for v in values):
            return None
        return cls(*values)  # type: ignore[arg-type]


def code_challenge(verifier: str) -> str:
    """RFC 7636 4.2, S256."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _left_half_hash(value: str) -> str:
    # at_hash for RS256: the left half of SHA-256 of the access token, base64url (Core 3.1.3.6).
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


class OidcClient:
    def __init__(self, settings: OidcSettings, verifier: TokenVerifier, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._verifier = verifier
        self._http = http or httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS)
        self._discovery: dict[str, Any] | None = None
        self._discovered_at = 0.0
        self._keys: jwt.PyJWKSet | None = None

    async def close(self) -> None:
        await self._http.aclose()

    async def start(self) -> tuple[str, Flow]:
        """The provider's authorization URL to send the browser to, and the flow to keep."""
        discovery = await self._discovered()
        flow = Flow(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64))
        query = urlencode({
            "response_type": "code", "client_id": self.settings.client_id, "redirect_uri": self.settings.redirect_url,
            "scope": " ".join(self.settings.scopes), "state": flow.state, "nonce": flow.nonce,
            "code_challenge": code_challenge(flow.code_verifier), "code_challenge_method": "S256",
        })
        endpoint = str(discovery["authorization_endpoint"])
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", flow

    async def finish(self, flow: Flow, state: str, code: str, request_id: str) -> Identity:
        """The caller the provider vouches for, or ApiError (401 a refused or bad answer, 503 provider away)."""
        if not hmac.compare_digest(state.encode(), flow.state.encode()):
            raise ApiError(400, "invalid_argument", "state: does not match the sign-in this browser started; start again")
        discovery = await self._discovered()
        tokens = await self._exchange(str(discovery["token_endpoint"]), code, flow.code_verifier)
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not isinstance(id_token, str) or not isinstance(access_token, str):
            raise refused("the provider's token answer holds no id_token and access_token")
        claims = await self._id_token_claims(id_token, flow.nonce, access_token)
        try:
            caller = self._verifier.verify(access_token, request_id)
        except ApiError as exc:
            raise refused(f"the provider's access token is not one this API accepts: {exc.detail}") from exc
        if str(caller.user_id) != str(claims["sub"]):
            raise refused("the ID token and the access token name different users")
        return caller

    async def _discovered(self) -> dict[str, Any]:
        if self._discovery is not None and time.monotonic() - self._discovered_at < DISCOVERY_TTL_SECONDS:
            return self._discovery
        url = f"{self.settings.issuer}/.well-known/openid-configuration"
        document = await self._get_json(url, "discovery document")
        if document.get("issuer") != self.settings.issuer:
            raise ProviderUnavailable(f"its discovery document names issuer {document.get('issuer')!r}, not {self.settings.issuer!r}")
        missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not isinstance(document.get(k), str)]
        if missing:
            raise ProviderUnavailable(f"its discovery document lacks {', '.join(missing)}")
        self._discovery, self._discovered_at = document, time.monotonic()
        return document

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            answer = await self._http.get(url)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{what} at {url}: {type(exc).__name__}") from exc
        if answer.status_code != 200:
            raise ProviderUnavailable(f"{what} at {url} answered {answer.status_code}")
        try:
            body = answer.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"{what} at {url} is not JSON") from exc
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"{what} at {url} is not a JSON object")
        return body

    async def _exchange(self, endpoint: str, code: str, verifier: str) -> dict[str, Any]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.settings.redirect_url,
                "code_verifier": verifier, "client_id": self.settings.client_id}
        auth = (self.settings.client_id, self.settings.client_secret) if self.settings.client_secret else None
        try:
            answer = await self._http.post(endpoint, data=form, auth=auth, headers={"accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"token endpoint: {type(exc).__name__}") from exc
        if answer.status_code >= 500:
            raise ProviderUnavailable(f"token endpoint answered {answer.status_code}")
        try:
            body = answer.json()
        except ValueError as exc:
            raise ProviderUnavailable("token endpoint answered something that is not JSON") from exc
        if answer.status_code != 200 or not isinstance(body, dict):
            # RFC 6749 5.2: {"error": "invalid_grant", "error_description": ...}; a replayed code or a wrong verifier.
            error = body.get("error", "refused") if isinstance(body, dict) else "refused"
            description = body.get("error_description", "") if isinstance(body, dict) else ""
            raise refused(f"the provider refused the code: {error}{': ' + description if description else ''}")
        return body

    async def _signing_key(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise refused(f"the ID token is not a JWT: {exc}") from exc
        for refresh in (False, True):
            if self._keys is None or refresh:
                # A key we have not seen: the provider may have rotated, so read its JWKS again (once).
                discovery = await self._discovered()
                try:
                    self._keys = jwt.PyJWKSet.from_dict(await self._get_json(str(discovery["jwks_uri"]), "JWKS"))
                except jwt.PyJWKSetError as exc:
                    raise ProviderUnavailable(f"its JWKS holds no usable key: {exc}") from exc
            for key in self._keys.keys:
                if key.key_id == kid:
                    return key.key
        raise refused(f"the ID token is signed by key {kid!r}, which the provider's JWKS does not hold")

    async def _id_token_claims(self, id_token: str, nonce: str, access_token: str) -> dict[str, Any]:
        key = await self._signing_key(id_token)
        try:
            claims = jwt.decode(
                id_token, key, algorithms=["RS256"], audience=self.settings.client_id, issuer=self.settings.issuer,
                leeway=LEEWAY_SECONDS, options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise refused("the ID token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise refused(f"the ID token is not for this client ({self.settings.client_id}): {exc}") from exc
        except jwt.InvalidTokenError as exc:
            raise refused(f"invalid ID token: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != self.settings.client_id:
            raise refused("the ID token was issued to another party (azp)")
        if time.time() - float(claims["iat"]) > MAX_ID_TOKEN_AGE_SECONDS + LEEWAY_SECONDS:
            raise refused("the ID token was issued too long ago")
        if not hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
            raise refused("the ID token's nonce is not the one this sign-in sent")
        if "at_hash" in claims and not hmac.compare_digest(str(claims["at_hash"]), _left_half_hash(access_token)):
            raise refused("the ID token's at_hash does not match the access token")
        return claims
