"""A stand-in OIDC issuer for the CI-login tests: keys, GitHub Actions-shaped tokens, and a loopback JWKS endpoint.

    oidc_issuer.py keys DIR                      RSA-2048 and P-256 keys (kids rsa-1, ec-1) and DIR/jwks.json
    oidc_issuer.py mint DIR KEY CLAIMS_JSON [HEADER_JSON]
                                                 a token signed with KEY (rsa-1 | ec-1 | rsa-2 | hs256 | none); CLAIMS_JSON
                                                 is merged over GitHub's claims, with "exp"/"nbf"/"iat" relative seconds
    oidc_issuer.py serve DIR                     serves /jwks (DIR/jwks.json as it is at each request), the discovery
                                                 document and GitHub's job token endpoint (/token?workflow=F&environment=E&sha=S
                                                 &audience=A) on 127.0.0.1, prints the port, counts GET /jwks at /count
Tokens are made with PyPI's pyjwt and cryptography, as a CI job's are by GitHub's issuer.
"""
import base64
import http.server
import json
import os
import sys
import threading
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def b64(number, length=None):
    data = number.to_bytes(length or (number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk(kid, private):
    public = private.public_key().public_numbers()
    if isinstance(private, rsa.RSAPrivateKey):
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(public.n), "e": b64(public.e)}
    return {"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256", "x": b64(public.x, 32), "y": b64(public.y, 32)}


def save(path, private):
    with open(path, "wb") as f:
        f.write(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def load(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def keys(folder):
    save(os.path.join(folder, "rsa-1.pem"), rsa.generate_private_key(public_exponent=65537, key_size=2048))
    save(os.path.join(folder, "ec-1.pem"), ec.generate_private_key(ec.SECP256R1()))
    # rsa-2 is the rotated key: signed with, but only published when the test rotates the set.
    save(os.path.join(folder, "rsa-2.pem"), rsa.generate_private_key(public_exponent=65537, key_size=2048))
    publish(folder, ["rsa-1", "ec-1"])


def publish(folder, kids):
    document = {"keys": [jwk(kid, load(os.path.join(folder, kid + ".pem"))) for kid in kids]}
    with open(os.path.join(folder, "jwks.json.tmp"), "w") as f:
        json.dump(document, f)
    os.replace(os.path.join(folder, "jwks.json.tmp"), os.path.join(folder, "jwks.json"))


def github_claims(now):
    """The claims of a GitHub Actions job token (docs.github.com, "About security hardening with OpenID Connect")."""
    return {
        "jti": "example-id", "sub": "repo:the-shop/infra:environment:prod", "environment": "prod", "aud": "shiplog",
        "ref": "refs/heads/main", "sha": "a3f1c0de5b7e2d9f4c1a8b6e0d3f7a2c9e5b1d40", "repository": "the-shop/infra",
        "repository_owner": "the-shop", "repository_owner_id": "65432", "repository_id": "123456789",
        "repository_visibility": "private", "actor_id": "12", "actor": "octocat", "workflow": "release",
        "head_ref": "", "base_ref": "", "event_name": "push", "ref_type": "branch", "run_id": "9876543210", "run_number": "42",
        "run_attempt": "1", "runner_environment": "github-hosted",
        "job_workflow_ref": "the-shop/infra/.github/workflows/release.yml@refs/heads/main",
        "workflow_ref": "the-shop/infra/.github/workflows/release.yml@refs/heads/main",
        "iss": "https://token.actions.githubusercontent.com", "nbf": now - 5, "exp": now + 300, "iat": now - 5,
    }


def mint(folder, key, overrides, header):
    now = int(time.time())
    claims = github_claims(now)
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        elif name in ("exp", "nbf", "iat"):
            claims[name] = now + value
        else:
            claims[name] = value
    headers = {"kid": key, **header}
    if key == "none":
        return jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    if key == "hs256":
        return jwt.encode(claims, "a-shared-secret-of-32-bytes-long!", algorithm="HS256", headers={"kid": "rsa-1"})
    private = load(os.path.join(folder, key + ".pem"))
    algorithm = "RS256" if isinstance(private, rsa.RSAPrivateKey) else "ES256"
    return jwt.encode(claims, private, algorithm=algorithm, headers=headers)


def serve(folder):
    fetched = {"count": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/jwks":
                fetched["count"] += 1
                with open(os.path.join(folder, "jwks.json"), "rb") as f:
                    body = f.read()
            elif self.path == "/.well-known/openid-configuration":
                base = "http://127.0.0.1:%d" % self.server.server_port
                body = json.dumps({"issuer": base, "jwks_uri": base + "/jwks"}).encode()
            elif self.path.startswith("/token?"):
                # GitHub's token endpoint as a job sees it (ACTIONS_ID_TOKEN_REQUEST_URL): {"value": JWT}, for the workflow
                # and environment the test names, with the audience the step asks for.
                from urllib.parse import parse_qs, urlparse
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                workflow = "the-shop/infra/.github/workflows/%s@refs/heads/main" % query.get("workflow", "release.yml")
                claims = {"aud": query.get("audience", "shiplog"), "job_workflow_ref": workflow, "workflow_ref": workflow,
                          "environment": query.get("environment"), "sha": query.get("sha", github_claims(0)["sha"])}
                if self.headers.get("Authorization") != "bearer request-token":
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.dumps({"value": mint(folder, "rsa-1", claims, {})}).encode()
            elif self.path == "/count":
                body = json.dumps(fetched).encode()
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_port, flush=True)
    # Stops by itself: a test that forgets it does not leave it running.
    threading.Timer(600, server.shutdown).start()
    server.serve_forever()


def main():
    command, folder = sys.argv[1], sys.argv[2]
    if command == "keys":
        keys(folder)
    elif command == "publish":
        publish(folder, sys.argv[3].split(","))
    elif command == "mint":
        print(mint(folder, sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}))
    elif command == "serve":
        serve(folder)
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main()
