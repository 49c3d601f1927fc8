"""An OpenID Connect provider on loopback for the tests of 庁内アカウント sign-in.

It answers over real HTTP the three calls tsunagu makes (token, userinfo, JWKS), signs ID
tokens with its own RSA key, and checks what a real provider checks: the client's secret, the
redirect URI, the single use of a code and the PKCE verifier. The test plays the browser: it
takes the authorization URL tsunagu redirects to, asks ``authorize`` for a code as the user
would get one after signing in at the provider, and brings it back to tsunagu's callback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "tsunagu-test"
CLIENT_SECRET = "client-secret-for-tests"


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    claims: dict
    nonce: str
    challenge: str
    redirect_uri: str
    id_token_changes: dict = field(default_factory=dict)
    userinfo_changes: dict = field(default_factory=dict)
    signing_key: object = None


class Provider:
    def __init__(self):
        self.key = _new_key()
        self.kid = "key-1"
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, Grant] = {}
        self.token_requests: list[dict] = []
        self.issued_id_tokens: list[str] = []
        self.logouts: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/realms/city"

    def environ(self, **extra) -> dict[str, str]:
        """The TSUNAGU_OIDC_* variables an operator would set for this provider."""
        return {
            "TSUNAGU_OIDC_CLIENT_ID": CLIENT_ID,
            "TSUNAGU_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "TSUNAGU_OIDC_AUTHORIZATION_ENDPOINT": f"{self.base}/authorize",
            "TSUNAGU_OIDC_TOKEN_ENDPOINT": f"{self.base}/token",
            "TSUNAGU_OIDC_USERINFO_ENDPOINT": f"{self.base}/userinfo",
            "TSUNAGU_OIDC_JWKS_ENDPOINT": f"{self.base}/jwks",
            "TSUNAGU_OIDC_ISSUER": self.issuer,
            "TSUNAGU_OIDC_LOGOUT_ENDPOINT": f"{self.base}/logout",
            **extra,
        }

    def start(self) -> Provider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def authorize(self, authorization_url: str, claims: dict, **changes) -> dict[str, str]:
        """The user signed in at the provider: the query string the browser brings back."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorization_url).query).items()}
        return self._grant(query, claims, **changes)

    def _grant(self, query: dict, claims: dict, **changes) -> dict[str, str]:
        assert query["client_id"] == CLIENT_ID
        assert query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(
            claims=claims,
            nonce=query["nonce"],
            challenge=query["code_challenge"],
            redirect_uri=query["redirect_uri"],
            id_token_changes=changes.get("id_token", {}),
            userinfo_changes=changes.get("userinfo", {}),
            signing_key=changes.get("signing_key"),
        )
        return {"code": code, "state": query["state"]}

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": grant.claims["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **{k: v for k, v in grant.claims.items() if k != "sub"},
            **grant.id_token_changes,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        key = grant.signing_key or self.key
        token = jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})
        self.issued_id_tokens.append(token)
        return token

    def _jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _page(self, html: str) -> None:
                data = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlparse(self.path).path
                if path == "/authorize":  # the provider's own sign-in page, for a browser
                    query = urlparse(self.path).query
                    return self._page(
                        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
                        "<title>市の認証基盤</title></head><body><h1>市の認証基盤</h1>"
                        f'<form method="post" action="/authorize?{escape(query)}">'
                        '<label>職員ID <input name="username"></label>'
                        '<label>氏名 <input name="name"></label>'
                        "<button>サインイン</button></form></body></html>"
                    )
                if path == "/logout":  # end_session_endpoint: back to the relying party
                    query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                    provider.logouts.append(query)
                    self.send_response(302)
                    self.send_header("Location", query.get("post_logout_redirect_uri", "/"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if path == "/jwks":
                    return self._answer(200, provider._jwks())
                if path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    grant = provider.tokens.get(token)
                    if grant is None:
                        return self._answer(401, {"error": "invalid_token"})
                    return self._answer(200, {**grant.claims, **grant.userinfo_changes})
                return self._answer(404, {"error": "not_found"})

            def do_POST(self):
                if urlparse(self.path).path == "/authorize":
                    length = int(self.headers.get("Content-Length", "0"))
                    form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                    query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                    username = form.get("username", "")
                    claims = {"sub": f"sub-{username}", "preferred_username": username}
                    if form.get("name"):
                        claims["name"] = form["name"]
                    back = provider._grant(query, claims)
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if urlparse(self.path).path != "/token":
                    return self._answer(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                if (form.get("client_id"), form.get("client_secret")) != (
                    CLIENT_ID,
                    CLIENT_SECRET,
                ):
                    return self._answer(401, {"error": "invalid_client"})
                grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
                if grant is None or form.get("redirect_uri") != grant.redirect_uri:
                    return self._answer(400, {"error": "invalid_grant"})
                verifier = form.get("code_verifier", "").encode()
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if challenge != grant.challenge:
                    return self._answer(400, {"error": "invalid_grant"})
                access_token = secrets.token_urlsafe(16)
                provider.tokens[access_token] = grant
                return self._answer(
                    200,
                    {
                        "access_token": access_token,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider._id_token(grant),
                    },
                )

        return Handler


def apply_settings(settings, provider: Provider, **environ) -> None:
    """Turn OIDC on in the test settings as an operator's environment would, for ``provider``."""
    from tsunagu.settings import directory

    oidc = directory.oidc_settings(provider.environ(**environ))
    for name, value in oidc.items():
        setattr(settings, name, value)
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"], "form-action": directory.form_action(oidc)}
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        directory.OIDC_BACKEND,
        "rules.permissions.ObjectPermissionBackend",
        "tsunagu.accounts.backends.PasswordBackend",
    ]


def other_key():
    """A key the provider does not publish: a token signed with it is a forgery."""
    return _new_key()
