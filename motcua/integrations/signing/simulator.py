"""A stand-in remote-signing service (ký số từ xa) for the demo and the tests, on loopback.

Standard library + cryptography; `manage.py remote_signing_sim --keys-dir DIR --token T`. It holds
the units' keys of the TEST CA (`<code>.p12` in DIR, as `make_test_ca` writes them) and answers the
two calls of remote.py: `POST /csc/v1/credentials/info` and `POST /csc/v1/signatures/signHash`
(Bearer token required). `GET /healthz` answers once it serves; `GET /_state` counts the
signatures made; `POST /_control {"refuse": true}` makes every signing call fail (503).
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from motcua.integrations.signing.testca import TEST_PASSPHRASE, read_unit_certificate, valid_unit_code

PREFIX = "/csc/v1"
_HASHES = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(),
    "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}


class ServiceState:
    def __init__(self, keys_dir: Path, token: str, passphrase: str):
        self.keys_dir, self.token, self.passphrase = keys_dir, token, passphrase
        self.lock = threading.Lock()
        self.signatures = 0
        self.refuse = False

    def credential(self, code: Any):
        if not isinstance(code, str) or not valid_unit_code(code):
            return None
        return read_unit_certificate(self.keys_dir, code, self.passphrase)


class Handler(BaseHTTPRequestHandler):
    server: SigningServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("remote-signing-sim: " + fmt % args + "\n")

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error: str, description: str) -> None:
        self._send(status, {"error": error, "error_description": description})

    def do_GET(self):
        state = self.server.state
        if self.path == "/healthz":
            self._send(200, {"ok": True})
        elif self.path == "/_state":
            with state.lock:
                self._send(200, {"signatures": state.signatures, "refuse": state.refuse})
        else:
            self._error(404, "not_found", self.path)

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._error(400, "invalid_request", "body is not JSON")
            return
        if self.path == "/_control":
            with state.lock:
                state.refuse = bool(body.get("refuse"))
            self._send(200, {"refuse": state.refuse})
            return
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            self._error(401, "invalid_token", "Bearer token missing or wrong")
            return
        found = state.credential(body.get("credentialID"))
        if found is None:
            self._error(400, "invalid_request", "unknown credentialID")
            return
        cert, key, chain = found
        if self.path == f"{PREFIX}/credentials/info":
            der = [c.public_bytes(serialization.Encoding.DER) for c in [cert, *chain]]
            self._send(
                200,
                {
                    "key": {"status": "enabled", "algo": ["1.2.840.113549.1.1.1"], "len": key.key_size},
                    "cert": {"status": "valid", "certificates": [base64.b64encode(d).decode() for d in der]},
                    "authMode": "implicit",
                },
            )
        elif self.path == f"{PREFIX}/signatures/signHash":
            with state.lock:
                refuse = state.refuse
            if refuse:
                self._error(503, "temporarily_unavailable", "HSM unavailable (simulated)")
                return
            algorithm = _HASHES.get(body.get("hashAlgo"))
            if algorithm is None or not isinstance(key, rsa.RSAPrivateKey):
                self._error(400, "invalid_request", "unsupported hashAlgo or key")
                return
            try:
                digests = [base64.b64decode(h, validate=True) for h in body.get("hash") or []]
            except (TypeError, ValueError):
                self._error(400, "invalid_request", "hash is not base64")
                return
            if not digests or any(len(d) != algorithm.digest_size for d in digests):
                self._error(400, "invalid_request", "hash of the wrong length")
                return
            signatures = [key.sign(d, padding.PKCS1v15(), utils.Prehashed(algorithm)) for d in digests]
            with state.lock:
                state.signatures += len(signatures)
            self._send(200, {"signatures": [base64.b64encode(s).decode() for s in signatures]})
        else:
            self._error(404, "not_found", self.path)


class SigningServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, state: ServiceState, verbose: bool = False):
        super().__init__(address, Handler)
        self.state, self.verbose = state, verbose

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{PREFIX}"


def make_server(
    *,
    host: str,
    port: int,
    keys_dir: Path,
    token: str,
    passphrase: str = TEST_PASSPHRASE,
    verbose: bool = False,
) -> SigningServer:
    return SigningServer((host, port), ServiceState(keys_dir, token, passphrase), verbose)
