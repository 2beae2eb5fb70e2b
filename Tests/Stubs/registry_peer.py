#!/usr/bin/env python3
"""Peers of shiplog's registry code, written without it: an independent verifier of cosign's layout
(plain HTTP and `cryptography`), securesystemslib's DSSE verification, a distribution token server, and
a registry that misbehaves on purpose. Loopback only; every server stops by itself after --lifetime seconds.

  verify-sig BASE REPO DIGEST PUBKEY [--user U:P]     verify every signature layer of REPO:sha256-HEX.sig
  verify-att BASE REPO DIGEST PUBKEY [--user U:P]     verify every DSSE layer of .att with securesystemslib
  put-sig BASE REPO DIGEST SIGNATURE_JSON             store a cosign signature (containers/image JSON) as cosign does
  token-server PORT KEY CERT USER:PASS                issue distribution tokens (ES256 JWT, x5c) on /token
  bad-registry PORT MODE [TARGET]                     answer every request in the way MODE names
"""
import base64
import hashlib
import http.server
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SIG_LAYER = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_LAYER = "application/vnd.dsse.envelope.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"


class Registry:
    """Just enough of the distribution API: Basic or Bearer auth as the registry's 401 asks."""

    def __init__(self, base, user=None):
        self.base, self.user, self.auth = base.rstrip("/"), user, None

    def request(self, method, path, body=None, headers=None):
        url = path if path.startswith("http") else self.base + path
        for _ in range(2):
            request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
            if self.auth:
                request.add_header("Authorization", self.auth)
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    return response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                if error.code != 401 or self.auth and "Bearer" not in self.auth:
                    return error.code, dict(error.headers), error.read()
                self.authenticate(error.headers.get("WWW-Authenticate", ""))
        raise SystemExit(f"{method} {url}: still 401")

    def authenticate(self, challenge):
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() == "basic":
            self.auth = "Basic " + base64.b64encode(self.user.encode()).decode()
            return
        params = dict(part.split("=", 1) for part in rest.replace('"', "").split(","))
        query = urllib.parse.urlencode({"service": params.get("service", ""), "scope": params.get("scope", "")})
        request = urllib.request.Request(params["realm"] + "?" + query)
        if self.user:
            request.add_header("Authorization", "Basic " + base64.b64encode(self.user.encode()).decode())
        with urllib.request.urlopen(request, timeout=20) as response:
            self.auth = "Bearer " + json.loads(response.read())["token"]

    def manifest(self, repo, reference):
        status, _, body = self.request("GET", f"/v2/{repo}/manifests/{reference}", headers={"Accept": ACCEPT})
        if status != 200:
            raise SystemExit(f"manifest {repo}:{reference}: HTTP {status}")
        return json.loads(body)

    def blob(self, repo, digest):
        status, _, body = self.request("GET", f"/v2/{repo}/blobs/{digest}")
        if status != 200:
            raise SystemExit(f"blob {digest}: HTTP {status}")
        if "sha256:" + hashlib.sha256(body).hexdigest() != digest:
            raise SystemExit(f"blob {digest}: bytes have another digest")
        return body

    def upload(self, repo, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        status, headers, _ = self.request("POST", f"/v2/{repo}/blobs/uploads/", body=b"")
        location = urllib.parse.urljoin(self.base + "/", headers["Location"])
        sep = "&" if "?" in location else "?"
        status, _, body = self.request("PUT", f"{location}{sep}digest={digest}", body=data,
                                       headers={"Content-Type": "application/octet-stream"})
        if status != 201:
            raise SystemExit(f"upload: HTTP {status} {body[:200]}")
        return digest


def public_key(path):
    from cryptography.hazmat.primitives import serialization
    return serialization.load_pem_public_key(open(path, "rb").read())


def verify_sig(base, repo, digest, pubkey, user=None):
    """As cosign verify --key does for each layer: media type, annotation, payload digest, signature."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    registry = Registry(base, user)
    tag = digest.replace(":", "-") + ".sig"
    manifest = registry.manifest(repo, tag)
    key, verified = public_key(pubkey), 0
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json", manifest.get("mediaType")
    for layer in manifest["layers"]:
        assert layer["mediaType"] == SIG_LAYER, layer["mediaType"]
        payload = registry.blob(repo, layer["digest"])
        assert layer["size"] == len(payload)
        claimed = json.loads(payload)["critical"]["image"]["docker-manifest-digest"]
        assert claimed == digest, f"payload names {claimed}"
        key.verify(base64.b64decode(layer["annotations"][SIG_ANNOTATION]), payload, ec.ECDSA(hashes.SHA256()))
        verified += 1
    print(json.dumps({"tag": tag, "layers": len(manifest["layers"]), "verified": verified}))


def verify_att(base, repo, digest, pubkey, user=None):
    """securesystemslib's DSSE: the envelope's signature over PAE, then the statement's subject."""
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey
    registry = Registry(base, user)
    manifest = registry.manifest(repo, digest.replace(":", "-") + ".att")
    key = SSlibKey.from_crypto(public_key(pubkey), scheme="ecdsa-sha2-nistp256")
    verified = 0
    for layer in manifest["layers"]:
        assert layer["mediaType"] == DSSE_LAYER, layer["mediaType"]
        envelope_json = json.loads(registry.blob(repo, layer["digest"]))
        for signature in envelope_json["signatures"]:
            signature["keyid"] = key.keyid  # DSSE's keyid is a hint; cosign leaves it empty
        envelope = Envelope.from_dict(envelope_json)
        assert envelope.payload_type == "application/vnd.in-toto+json"
        if not envelope.verify([key], 1):
            raise SystemExit("securesystemslib: no signature verified")
        statement = json.loads(envelope.payload)
        assert layer["annotations"]["predicateType"] == statement["predicateType"]
        assert any(s["digest"].get("sha256") == digest.split(":", 1)[1] for s in statement["subject"])
        verified += 1
    print(json.dumps({"layers": len(manifest["layers"]), "verified": verified}))


def put_sig(base, repo, digest, signature_json):
    """cosign's layout, built by hand: payload blob, an empty-image config, the manifest under sha256-HEX.sig."""
    registry = Registry(base)
    recorded = json.load(open(signature_json))
    payload = base64.b64decode(recorded["payload"])
    layer_digest = registry.upload(repo, payload)
    config = json.dumps({"architecture": "", "created": "0001-01-01T00:00:00Z", "history": [{"created": "0001-01-01T00:00:00Z"}],
                         "os": "", "rootfs": {"type": "layers", "diff_ids": [layer_digest]}, "config": {}},
                        separators=(",", ":")).encode()
    config_digest = registry.upload(repo, config)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config), "digest": config_digest},
                "layers": [{"mediaType": recorded["mimeType"], "size": len(payload), "digest": layer_digest,
                            "annotations": recorded["annotations"]}]}
    status, _, body = registry.request("PUT", f"/v2/{repo}/manifests/{digest.replace(':', '-')}.sig",
                                       body=json.dumps(manifest).encode(),
                                       headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    if status != 201:
        raise SystemExit(f"manifest: HTTP {status} {body[:200]}")
    print(json.dumps({"stored": True}))


def serve(port, handler, lifetime):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Timer(lifetime, server.shutdown).start()
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def token_server(port, key_path, cert_path, login, lifetime=600):
    """distribution's token protocol: Basic login in, an ES256 JWT whose x5c is the registry's trusted certificate."""
    import jwt
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    expected = "Basic " + base64.b64encode(login.encode()).decode()
    issued = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path != "/token" or self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            access = []
            for scope in query.get("scope", []):
                kind, name, actions = scope.split(":")
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
            now = int(time.time())
            claims = {"iss": "shiplog-test-issuer", "sub": login.split(":")[0], "aud": query.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(len(issued)), "access": access}
            token = jwt.encode(claims, key, algorithm="ES256", headers={"x5c": x5c})
            issued.append(scope)
            body = json.dumps({"token": token, "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            sys.stderr.write(f"issued {query.get('scope')}\n")

    serve(port, Handler, lifetime)


def bad_registry(port, mode, target="", lifetime=120):
    """A registry that answers every manifest request in one bad way; `record` mode logs the headers it got."""
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def manifest(self, body, digest=None):
            digest = digest or "sha256:" + hashlib.sha256(body).hexdigest()
            self.answer(200, body, [("Content-Type", "application/vnd.oci.image.manifest.v1+json"), ("Docker-Content-Digest", digest)])

        def do_GET(self):
            sys.stderr.write(f"{self.path} Authorization={self.headers.get('Authorization')}\n")
            sys.stderr.flush()
            layer = {"mediaType": SIG_LAYER, "size": 1, "digest": "sha256:" + "0" * 64,
                     "annotations": {SIG_ANNOTATION: "AAAA"}}
            config = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + "1" * 64}
            if mode == "paged-tags":
                # OCI's pagination: n per page, Link to the next (relative, as distribution v3 writes it).
                names = [f"v{i}" for i in range(1, 8)]
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                last, size = query.get("last", [""])[0], int(query.get("n", ["100"])[0])
                rest = [name for name in names if name > last][:size]
                headers = [("Content-Type", "application/json")]
                if rest and rest[-1] != names[-1]:
                    headers.append(("Link", f'</v2/team/app/tags/list?n={size}&last={rest[-1]}>; rel="next"'))
                self.answer(200, json.dumps({"name": "team/app", "tags": rest}).encode(), headers)
            elif mode == "record":
                self.answer(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            elif mode == "not-json":
                self.manifest(b"<html>not a manifest</html>")
            elif mode == "lying-digest":
                self.manifest(json.dumps({"schemaVersion": 2, "config": config, "layers": []}).encode(), "sha256:" + "2" * 64)
            elif mode == "huge":
                self.manifest(b'{"schemaVersion":2,"padding":"' + b"x" * (5 * 1024 * 1024) + b'"}')
            elif mode == "many-layers":
                self.manifest(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                          "config": config, "layers": [layer] * 10000}).encode())
            elif mode == "error-500":
                self.answer(500, b'{"errors":[{"code":"UNKNOWN","message":"storage is on fire"}]}')
            elif mode == "hang":
                time.sleep(lifetime)
            elif mode == "redirect":
                # Credentials must not follow a redirect to another host (TARGET records what it receives).
                if self.headers.get("Authorization") is None:
                    self.answer(401, b"", [("WWW-Authenticate", 'Basic realm="bad"')])
                else:
                    self.answer(307, b"", [("Location", f"http://{target}{self.path}")])
            elif mode == "realm-scheme":
                self.answer(401, b"", [("WWW-Authenticate", f'Bearer realm="http://{target}/token",service="bad"')])
            else:
                self.answer(400, b"unknown mode")

        do_HEAD = do_GET

    serve(port, Handler, lifetime)


def main():
    args = sys.argv[1:]
    user = None
    if "--user" in args:
        index = args.index("--user")
        user = args[index + 1]
        del args[index:index + 2]
    command = args[0]
    if command == "verify-sig":
        verify_sig(*args[1:5], user=user)
    elif command == "verify-att":
        verify_att(*args[1:5], user=user)
    elif command == "put-sig":
        put_sig(*args[1:5])
    elif command == "token-server":
        token_server(int(args[1]), args[2], args[3], args[4])
    elif command == "bad-registry":
        bad_registry(int(args[1]), args[2], args[3] if len(args) > 3 else "")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
