"""The gateway's OpenID Connect client against a provider faked with httpx's MockTransport: the ID-token rules of
OIDC Core 3.1.3.7 a live issuer would rarely break (another party's azp, an at_hash of another token, an iat from
long ago, a key the JWKS lacks, a discovery document naming another issuer) and the start URL's PKCE."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.common.settings import AuthSettings, OidcSettings
from services.gateway.auth import TokenVerifier
from services.gateway.errors import ApiError
from services.gateway.oidc import Flow, OidcClient, code_challenge
from tests.support.oidc_issuer import API_AUDIENCE, CLIENT_ID, Issuer

TENANT, USER = uuid.uuid4(), uuid.uuid4()
ISSUER = Issuer()


def _client(tmp_path: Any, id_claims: dict[str, Any], discovery_issuer: str | None = None, kid: str | None = None) -> OidcClient:
    (tmp_path / "jwks.json").write_text(json.dumps(ISSUER.jwks()))
    now = int(time.time())
    access = ISSUER.sign({"iss": ISSUER.url, "aud": API_AUDIENCE, "sub": str(USER), "tenant": str(TENANT), "role": "therapist",
                          "iat": now, "exp": now + 300})
    at_hash = base64.urlsafe_b64encode(hashlib.sha256(access.encode()).digest()[:16]).rstrip(b"=").decode()
    claims = {"iss": ISSUER.url, "aud": CLIENT_ID, "sub": str(USER), "nonce": "n-1", "iat": now, "exp": now + 300,
              "at_hash": at_hash, **id_claims}
    id_token = ISSUER.sign(claims)
    if kid is not None:  # signed by a key the provider does not publish
        header, body, signature = id_token.split(".")
        forged = json.loads(base64.urlsafe_b64decode(header + "=="))
        id_token = ".".join([base64.urlsafe_b64encode(json.dumps({**forged, "kid": kid}).encode()).rstrip(b"=").decode(), body, signature])

    def provider(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": discovery_issuer or ISSUER.url, "authorization_endpoint": f"{ISSUER.url}/authorize",
                                             "token_endpoint": f"{ISSUER.url}/token", "jwks_uri": f"{ISSUER.url}/jwks"})
        if path == "/jwks":
            return httpx.Response(200, json=ISSUER.jwks())
        return httpx.Response(200, json={"access_token": access, "id_token": id_token, "token_type": "Bearer"})

    auth = AuthSettings(jwt_algorithm="RS256", jwks_path=str(tmp_path / "jwks.json"), jwt_audience=API_AUDIENCE, jwt_issuer=ISSUER.url)
    settings = OidcSettings(issuer=ISSUER.url, client_id=CLIENT_ID, redirect_url="https://m.example/v1/session/oidc/callback")
    return OidcClient(settings, TokenVerifier(auth), httpx.AsyncClient(transport=httpx.MockTransport(provider)))


async def _finish(client: OidcClient) -> Any:
    return await client.finish(Flow("s-1", "n-1", "v" * 64), "s-1", "code-1", "r")


async def test_a_good_answer_is_the_access_tokens_caller(tmp_path):
    caller = await _finish(_client(tmp_path, {}))
    assert (caller.tenant_id, caller.user_id, caller.role) == (TENANT, USER, "therapist")


@pytest.mark.parametrize("claims, problem", [
    ({"aud": [CLIENT_ID, "another-app"], "azp": "another-app"}, "another party"),
    ({"at_hash": "not-the-access-tokens-hash"}, "at_hash"),
    ({"iat": int(time.time()) - 3600}, "too long ago"),
    ({"iss": "https://someone-else.example"}, "invalid ID token"),
    ({"sub": str(uuid.uuid4())}, "different users"),
])
async def test_an_id_token_breaking_a_rule_is_refused(tmp_path, claims, problem):
    with pytest.raises(ApiError) as refused:
        await _finish(_client(tmp_path, claims))
    assert refused.value.status == 401 and problem in refused.value.detail


async def test_a_key_the_provider_does_not_publish_is_refused(tmp_path):
    with pytest.raises(ApiError) as refused:
        await _finish(_client(tmp_path, {}, kid="rotated-away"))
    assert refused.value.status == 401 and "rotated-away" in refused.value.detail


async def test_a_discovery_document_for_another_issuer_is_a_503(tmp_path):
    with pytest.raises(ApiError) as away:
        await _client(tmp_path, {}, discovery_issuer="https://evil.example").start()
    assert away.value.status == 503 and "evil.example" in away.value.detail


async def test_the_start_url_carries_the_s256_challenge_of_a_fresh_verifier(tmp_path):
    client = _client(tmp_path, {})
    url, flow = await client.start()
    _, again = await client.start()
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["code_challenge"] == code_challenge(flow.code_verifier) and query["code_challenge_method"] == "S256"
    assert 43 <= len(flow.code_verifier) <= 128 and flow.code_verifier not in url
    assert (query["state"], query["nonce"]) == (flow.state, flow.nonce)
    assert len({flow.state, again.state}) == 2 and flow.code_verifier != again.code_verifier
